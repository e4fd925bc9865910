#pragma once
// Logging to the log service (docs/userspace.md, "log"). nx_log formats one record and puts
// it in this process's log ring: no system call unless the log service sleeps, never blocks
// (a full ring drops the record and counts it). The ring is made on first use, connected
// through the "log" handle init granted, or else a "log" handle svcmgr gives (if the policy
// allows); a process that has neither writes its records to the debug console. The ring has
// one writer: a record written while another thread of the process is in nx_log goes to the
// debug console too.
#include <stdarg.h>
#include <stddef.h>
#include <nexus/handle.h>

enum { NX_LOG_ERROR = 0, NX_LOG_WARN = 1, NX_LOG_INFO = 2, NX_LOG_DEBUG = 3 };

#define NX_LOG_TEXT_MAX 240
#define NX_LOG_RING_SIZE 4096

void nx_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nx_vlog(int level, const char *fmt, va_list ap);
// One record of len bytes of text (cut to NX_LOG_TEXT_MAX).
void nx_log_write(int level, const char *text, size_t len);
// The record nx_log_write puts in the ring, pushed to ring r with no system call: what
// nx_ring_push returns (1: the reader sleeps and must be signalled). For measurements.
struct nx_ring;
long nx_log_push(struct nx_ring *r, int level, const char *text, size_t len);
// Connect through the log endpoint ep now (instead of on first use), dropping an earlier
// connection's ring. Returns NX_OK or the error of NX_LOG_CONNECT.
long nx_log_connect(nx_handle_t ep);
// Send this process's stdout and stderr lines to the log (level INFO).
void nx_log_take_stdio(void);

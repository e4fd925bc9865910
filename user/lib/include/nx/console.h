#pragma once
// The console service (served by the UART driver, user/drivers/uart): bytes to and from the
// serial terminal, over nx/rpc.h (label = operation, request and reply structs in the bytes,
// status in word 0).
//
//   operation           request                          reply
//   NX_CONSOLE_WRITE    the bytes to write (0..1024)     status = bytes written
//   NX_CONSOLE_READ     struct nx_console_read_req       the bytes that arrived; status = how
//                                                        many (1..max), or NX_ERR_TIMED_OUT
//   NX_CONSOLE_STATS    nothing                          struct nx_console_stats
//
// Input is raw: no echo and no line discipline (the shell's line editor does both). One
// reader at a time: a new READ supersedes one still waiting, which fails with
// NX_ERR_BAD_STATE (so a reader that died waiting never locks the input).
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>

enum {
    NX_CONSOLE_WRITE = 0x43000001,
    NX_CONSOLE_READ = 0x43000002,
    NX_CONSOLE_STATS = 0x43000003,
};

struct nx_console_read_req {
    uint64_t deadline;  // absolute nx_clock_get time, or NX_DEADLINE_NEVER
    uint32_t max;       // most bytes wanted, 1 .. NX_MSG_BYTES_MAX
    uint32_t reserved;  // 0
};

struct nx_console_stats {
    uint64_t received;  // bytes that came from the terminal
    uint64_t dropped;   // of those, lost because the input buffer was full
    uint64_t written;   // bytes sent to the terminal
};

// Write all of buf[0..len) (in as many calls as it takes); returns len or an error.
long nx_console_write(nx_handle_t con, const void *buf, size_t len);
// Read at least 1, at most max bytes; returns how many, or an error (NX_ERR_TIMED_OUT).
long nx_console_read(nx_handle_t con, void *buf, size_t max, uint64_t deadline);
long nx_console_stats(nx_handle_t con, struct nx_console_stats *out);
// Send this process's stdout and stderr to the console con (nx/stdio.h sink).
void nx_console_take_stdio(nx_handle_t con);

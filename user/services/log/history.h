#pragma once
// The log service's bounded history: the last LOG_HISTORY records, each numbered (seq) from 0
// in arrival order; older ones are overwritten. No system calls (host-tested).
#include <stddef.h>
#include <stdint.h>

#define LOG_HISTORY 256
#define LOG_TEXT_MAX 120     // bytes of text kept per record (longer text is cut)
#define LOG_SOURCE_MAX 16    // with the NUL

struct log_record {
    uint64_t seq;
    uint64_t time_ns;        // when the log service took it (nx_clock_get)
    uint32_t level;          // NX_LOG_* (nx/log.h)
    char source[LOG_SOURCE_MAX];
    uint16_t len;
    char text[LOG_TEXT_MAX];
};

struct log_history {
    uint64_t next_seq;       // seq of the next record added = records ever added
    struct log_record r[LOG_HISTORY];  // record seq lives in r[seq % LOG_HISTORY]
};

// Append a record (text need not be NUL-terminated; a trailing newline is dropped); returns
// its seq.
uint64_t history_add(struct log_history *h, uint64_t time_ns, uint32_t level,
                     const char *source, const char *text, size_t len);
// The oldest record still kept whose seq >= since, or NULL if there is none yet.
const struct log_record *history_from(const struct log_history *h, uint64_t since);
// One record as a text line "[SSSS.UUUUUU] L source: text\n" in out[cap] (no NUL); returns
// its length, or 0 if it does not fit.
size_t history_format(const struct log_record *r, char *out, size_t cap);
// As many whole lines as fit in out[cap], starting at history_from(since); *next = the seq to
// ask for next time. Returns the bytes written.
size_t history_read(const struct log_history *h, uint64_t since, char *out, size_t cap,
                    uint64_t *next);

#pragma once
// What the small command-line programs share (user/apps/cat, grep, wc, head, tail, sort,
// tee, hexdump, yes): their inputs, lines, errors. Each program reports errors on stderr as
// "PROG: WHAT: reason" and returns 0 on success, 1 on failure (grep: 1 = no match, 2 =
// trouble).
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

// Call fn on every input: the files named by argv[first..argc), or stdin when there are none
// ("-" also names stdin). A file that cannot be opened is reported and skipped. fn returns
// 0 (go on), > 0 (that input failed; go on) or < 0 (stop: e.g. enough was read). Returns 0
// if every input opened and fn never failed, else 1.
int nx_tool_each_input(const char *prog, int argc, char **argv, int first,
                       int (*fn)(FILE *in, const char *name, void *ctx), void *ctx);

// The next line of in (its '\n' kept, if it had one) in a buffer grown with realloc as
// needed (*line, *cap; free it when done): its length, 0 at the end of input, -1 when out of
// memory or on a read error.
long nx_tool_getline(FILE *in, char **line, size_t *cap);

// Report "PROG: WHAT: strerror(errno)" on stderr; returns 1.
int nx_tool_error(const char *prog, const char *what);

// write() all of buf to descriptor fd (1: stdout); false on an error (errno set: EPIPE
// when the reader of a pipe is gone).
bool nx_tool_write_all(int fd, const void *buf, size_t len);

// A count argument ("-n 10"): a decimal number that fits a long, >= 0; false otherwise.
bool nx_tool_count(const char *s, long *out);

// Up to n bytes of in (stdin: straight from its source, a whole pipe read at a time): how
// many, 0 at the end, -1 on an error.
long nx_tool_read(FILE *in, void *buf, size_t n);

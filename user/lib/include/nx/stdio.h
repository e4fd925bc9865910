#pragma once
// Where picolibc's stdout and stderr go, and where stdin comes from. Both streams share one line buffer per thread
// (so lines from the two streams keep their order); a full line, a full buffer, fflush() or
// process exit hands the bytes to the *sink*. The default sink writes to the kernel debug
// console; a program that gets a console or log connection installs its own.
#include <stddef.h>

// Deliver len bytes (at most NX_STDIO_LINE_MAX, usually one line ending in '\n'). Returns
// len or a negative NX_ERR_*; a failing sink loses the bytes (stdio never blocks on it). A
// sink must not print through stdio itself (it would write into the buffer it is reading);
// nx_debug_write is fine.
typedef long (*nx_stdio_sink_fn)(void *ctx, const char *buf, size_t len);

#define NX_STDIO_LINE_MAX 256

// Install fn(ctx, ...) for every thread of the process; NULL restores the debug console.
// Bytes still buffered are flushed to the old sink first.
void nx_stdio_set_sink(nx_stdio_sink_fn fn, void *ctx);

// The default sink: nx_debug_write.
long nx_stdio_debug_sink(void *ctx, const char *buf, size_t len);

// Hand the calling thread's buffered bytes to the sink now.
void nx_stdio_flush(void);

// Flush, then hand buf[0..len) to the sink unbuffered (nx_printf's path). Returns the sink's
// result.
long nx_stdio_write(const char *buf, size_t len);

// stdin: reading takes bytes from the *source*, which fills buf[0..cap) with at least one
// byte (it may block) and returns how many, 0 at the end of input (feof), or a negative
// NX_ERR_* (ferror).
// Without a source (the default) stdin is at end-of-file.
typedef long (*nx_stdio_source_fn)(void *ctx, char *buf, size_t cap);

// Install fn(ctx, ...) as stdin's source (NULL: none). Bytes the old source gave and nobody
// read yet are dropped.
void nx_stdio_set_source(nx_stdio_source_fn fn, void *ctx);

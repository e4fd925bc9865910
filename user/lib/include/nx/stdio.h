#pragma once
// Where picolibc's stdout and stderr go, and where stdin comes from. Both streams share one
// buffer per thread (so lines from the two streams keep their order; it holds one stream's
// bytes at a time); a full line (line-buffered streams), a full buffer, fflush() or process
// exit hands the bytes to the stream's *sink*. The default sink writes to the kernel debug
// console; a program that gets a console or log connection installs its own.
//
// Standard handles. A parent chooses a child's stdin, stdout and stderr by granting named
// startup handles (nx/startup.h) "stdin", "stdout", "stderr": a console endpoint (the
// console protocol, nx/console.h; line-buffered), or a pipe end (nx/pipe.h: the ring VMO
// under the name itself, its notifications as "NAME:wait" and "NAME:signal"; stdin the
// reading end, the others writing ends; block-buffered); or, given no handle, a file named
// by the environment variable NX_STDIN_FILE, NX_STDOUT_FILE or NX_STDERR_FILE (stdin read
// from the start, output appended: the parent creates or truncates it first). The runtime installs them before
// main (nx_stdio_take_handles) and closes the pipes at exit, so a reader sees end-of-file. A
// stream given nothing keeps the default (the debug console; stdin at end-of-file).
// read() and write() on descriptors 0, 1 and 2 reach the same source and sinks unbuffered.
#include <stdbool.h>
#include <stddef.h>

// Deliver len bytes (any length: usually a line or a buffer of NX_STDIO_LINE_MAX, a whole
// write() on descriptors 1 and 2). Returns len or a negative NX_ERR_* (the stream's error
// flag is set: a broken pipe is NX_ERR_PEER_CLOSED). A sink must not print through stdio
// itself (it would write into the buffer it is reading); nx_debug_write is fine.
typedef long (*nx_stdio_sink_fn)(void *ctx, const char *buf, size_t len);

#define NX_STDIO_LINE_MAX 256

// Install fn(ctx, ...) for stdout and stderr, line-buffered, for every thread of the
// process; NULL restores the debug console. Bytes still buffered are flushed to the old sink
// first.
void nx_stdio_set_sink(nx_stdio_sink_fn fn, void *ctx);
// The same for one stream: fd 1 (stdout) or 2 (stderr); line_buffered: hand over at each
// newline, else only when the buffer is full (pipes, files).
void nx_stdio_set_stream_sink(int fd, nx_stdio_sink_fn fn, void *ctx, bool line_buffered);

// A stream's sink, to swap in for a while: nx_stdio_swap_sink(fd, &s) installs s and leaves
// the old one in s; calling it again puts the old one back.
struct nx_stdio_sink {
    nx_stdio_sink_fn fn;   // not NULL
    void *ctx;
    bool line_buffered;
};
void nx_stdio_swap_sink(int fd, struct nx_stdio_sink *s);

// write(fd, ...) for fd 1 and 2: flush the buffer, then the bytes straight to the sink. The
// sink's result; NX_ERR_BAD_HANDLE for another fd.
long nx_stdio_fd_write(int fd, const void *buf, size_t len);
// read(0, ...): bytes getc buffered first, else one call of the source (0: end of input).
long nx_stdio_fd_read(int fd, void *buf, size_t cap);

// A sink writing to the open file whose descriptor *ctx is (nx_file_write, block-buffered).
long nx_stdio_file_sink(void *ctx, const char *buf, size_t len);

// The standard handles (above): taken by the runtime before main, closed at exit.
void nx_stdio_take_handles(void);
void nx_stdio_close_handles(void);
// The pipe end behind fd 0, 1 or 2 (for a program that waits on it itself, as nsh in a
// Terminal does); NULL when that stream is not a pipe.
struct nx_pipe;
struct nx_pipe *nx_stdio_pipe(int fd);

// The default sink: nx_debug_write.
long nx_stdio_debug_sink(void *ctx, const char *buf, size_t len);

// Hand the calling thread's buffered bytes to the sink now.
void nx_stdio_flush(void);

// Flush, then hand buf[0..len) to stdout's sink unbuffered (nx_printf's path). Returns the
// sink's result.
long nx_stdio_write(const char *buf, size_t len);

// stdin: reading takes bytes from the *source*, which fills buf[0..cap) with at least one
// byte (it may block) and returns how many, 0 at the end of input (feof), or a negative
// NX_ERR_* (ferror).
// Without a source (the default) stdin is at end-of-file.
typedef long (*nx_stdio_source_fn)(void *ctx, char *buf, size_t cap);

// Install fn(ctx, ...) as stdin's source (NULL: none). Bytes the old source gave and nobody
// read yet are dropped.
void nx_stdio_set_source(nx_stdio_source_fn fn, void *ctx);
// The source installed now (fn NULL: none).
void nx_stdio_get_source(nx_stdio_source_fn *fn, void **ctx);

// picolibc's stdin, stdout and stderr (tinystdio FILEs with our get and put functions), the
// sink output drains into and the source input comes from (see nx/stdio.h).
#include <stdbool.h>
#include <stdio.h>
#include <nx/nx.h>
#include <nx/stdio.h>

static nx_stdio_sink_fn sink = nx_stdio_debug_sink;
static void *sink_ctx;

// One buffer per thread for both streams, so that a line is never cut by another thread's.
static __thread char line[NX_STDIO_LINE_MAX];
static __thread size_t line_len;

long nx_stdio_debug_sink(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    return nx_debug_write(buf, (long)len);
}

// Threads made with the bare thread_create syscall have no TLS (tp = 0): they never
// buffered anything, and must not touch the buffer now (exit paths call flush).
static bool thread_has_tls(void)
{
    void *tp;
    __asm__("mv %0, tp" : "=r"(tp));
    return tp != NULL;
}

void nx_stdio_flush(void)
{
    if (!thread_has_tls() || line_len == 0)
        return;
    sink(sink_ctx, line, line_len);
    line_len = 0;
}

long nx_stdio_write(const char *buf, size_t len)
{
    nx_stdio_flush();
    return sink(sink_ctx, buf, len);
}

void nx_stdio_set_sink(nx_stdio_sink_fn fn, void *ctx)
{
    nx_stdio_flush();
    sink = fn ? fn : nx_stdio_debug_sink;
    sink_ctx = fn ? ctx : NULL;
}

static int put(char c, FILE *f)
{
    (void)f;
    line[line_len++] = c;
    if (c == '\n' || line_len == sizeof(line))
        nx_stdio_flush();
    return (unsigned char)c;
}

static int flush(FILE *f)
{
    (void)f;
    nx_stdio_flush();
    return 0;
}

// stdin's source and what it gave that is not read yet (one reader: the process's).
static nx_stdio_source_fn source;
static void *source_ctx;
static char in_buf[NX_STDIO_LINE_MAX];
static size_t in_pos, in_len;

void nx_stdio_set_source(nx_stdio_source_fn fn, void *ctx)
{
    source = fn;
    source_ctx = ctx;
    in_pos = in_len = 0;
}

static int get(FILE *f)
{
    (void)f;
    if (in_pos == in_len) {
        long n = source ? source(source_ctx, in_buf, sizeof(in_buf)) : 0;
        if (n <= 0)
            return n < 0 ? _FDEV_ERR : _FDEV_EOF;
        in_pos = 0;
        in_len = (size_t)n < sizeof(in_buf) ? (size_t)n : sizeof(in_buf);
    }
    return (unsigned char)in_buf[in_pos++];
}

static FILE out_file = FDEV_SETUP_STREAM(put, NULL, flush, _FDEV_SETUP_WRITE);
static FILE err_file = FDEV_SETUP_STREAM(put, NULL, flush, _FDEV_SETUP_WRITE);
static FILE in_file = FDEV_SETUP_STREAM(NULL, get, NULL, _FDEV_SETUP_READ);

FILE *const stdout = &out_file;
FILE *const stderr = &err_file;
FILE *const stdin = &in_file;

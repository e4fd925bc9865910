// picolibc's stdin, stdout and stderr (tinystdio FILEs with our get and put functions), the
// sinks output drains into and the source input comes from (see nx/stdio.h); also what
// read() and write() do on descriptors 0, 1 and 2.
#include <stdbool.h>
#include <stdio.h>
#include <nx/nx.h>
#include <nx/stdio.h>

// Where one output stream goes. Indexed by descriptor - 1: stdout, stderr.
struct sink {
    nx_stdio_sink_fn fn;
    void *ctx;
    bool line;            // hand over at each newline (a terminal), else when the buffer fills
};

static struct sink sinks[2] = {
    { nx_stdio_debug_sink, NULL, true },
    { nx_stdio_debug_sink, NULL, true },
};

// One buffer per thread for both streams, so that a line is never cut by another thread's;
// it holds bytes of one stream at a time (line_fd), so lines of the two keep their order.
static __thread char line[NX_STDIO_LINE_MAX];
static __thread size_t line_len;
static __thread int line_fd = 1;

long nx_stdio_debug_sink(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    for (size_t done = 0; done < len;) {
        size_t n = len - done < NX_DEBUG_WRITE_MAX ? len - done : NX_DEBUG_WRITE_MAX;
        long r = nx_debug_write(buf + done, (long)n);
        if (r < 0)
            return r;
        done += n;
    }
    return (long)len;
}

// Threads made with the bare thread_create syscall have no TLS (tp = 0): they never
// buffered anything, and must not touch the buffer now (exit paths call flush).
static bool thread_has_tls(void)
{
    void *tp;
    __asm__("mv %0, tp" : "=r"(tp));
    return tp != NULL;
}

// Hand the buffer to its stream's sink: the sink's result (0 when empty).
static long flush_line(void)
{
    if (!thread_has_tls() || line_len == 0)
        return 0;
    const struct sink *s = &sinks[line_fd - 1];
    long r = s->fn(s->ctx, line, line_len);
    line_len = 0;
    return r;
}

void nx_stdio_flush(void)
{
    flush_line();
}

long nx_stdio_write(const char *buf, size_t len)
{
    return nx_stdio_fd_write(1, buf, len);
}

long nx_stdio_fd_write(int fd, const void *buf, size_t len)
{
    if (fd != 1 && fd != 2)
        return NX_ERR_BAD_HANDLE;
    flush_line();
    return sinks[fd - 1].fn(sinks[fd - 1].ctx, buf, len);
}

void nx_stdio_set_stream_sink(int fd, nx_stdio_sink_fn fn, void *ctx, bool line_buffered)
{
    if (fd != 1 && fd != 2)
        return;
    flush_line();
    sinks[fd - 1] = fn ? (struct sink){ fn, ctx, line_buffered }
                       : (struct sink){ nx_stdio_debug_sink, NULL, true };
}

void nx_stdio_swap_sink(int fd, struct nx_stdio_sink *s)
{
    if (fd != 1 && fd != 2)
        return;
    flush_line();
    struct sink old = sinks[fd - 1];
    sinks[fd - 1] = (struct sink){ s->fn, s->ctx, s->line_buffered };
    *s = (struct nx_stdio_sink){ old.fn, old.ctx, old.line };
}

void nx_stdio_set_sink(nx_stdio_sink_fn fn, void *ctx)
{
    nx_stdio_set_stream_sink(1, fn, ctx, true);
    nx_stdio_set_stream_sink(2, fn, ctx, true);
}

static int put(char c, FILE *f)
{
    int fd = f == stdout ? 1 : 2;
    if (line_fd != fd && flush_line() < 0)
        return _FDEV_ERR;
    line_fd = fd;
    line[line_len++] = c;
    if ((c == '\n' && sinks[fd - 1].line) || line_len == sizeof(line))
        if (flush_line() < 0)
            return _FDEV_ERR;  // the stream's error flag: a broken pipe, say
    return (unsigned char)c;
}

static int flush(FILE *f)
{
    (void)f;
    return flush_line() < 0 ? -1 : 0;
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

void nx_stdio_get_source(nx_stdio_source_fn *fn, void **ctx)
{
    *fn = source;
    *ctx = source_ctx;
}

long nx_stdio_fd_read(int fd, void *buf, size_t cap)
{
    if (fd != 0)
        return NX_ERR_BAD_HANDLE;
    if (in_pos < in_len) {  // what getc buffered comes first
        size_t n = in_len - in_pos < cap ? in_len - in_pos : cap;
        for (size_t i = 0; i < n; i++)
            ((char *)buf)[i] = in_buf[in_pos++];
        return (long)n;
    }
    return source && cap ? source(source_ctx, buf, cap) : 0;
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

// stdin, stdout and stderr from the handles the parent granted (see nx/stdio.h,
// "Standard handles"): a pipe end ("NAME", "NAME:wait", "NAME:signal") or a console
// endpoint ("NAME" alone); or a file the parent named in the environment. A stream given
// nothing keeps the default.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/console.h>
#include <nx/nx.h>
#include <nx/pipe.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include "internal.h"

static const char *const names[3] = { "stdin", "stdout", "stderr" };
static struct nx_pipe pipes[3];
static bool piped[3];
static nx_handle_t consoles[3];
static int files[3] = { -1, -1, -1 };
static const char *const file_vars[3] = { "NX_STDIN_FILE", "NX_STDOUT_FILE", "NX_STDERR_FILE" };

long nx_stdio_file_sink(void *ctx, const char *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        long n = nx_file_write(*(int *)ctx, buf + done, len - done);
        if (n <= 0)
            return n < 0 ? n : NX_ERR_NO_SPACE;
        done += (size_t)n;
    }
    return (long)len;
}

static long file_source(void *ctx, char *buf, size_t cap)
{
    long n = read(*(int *)ctx, buf, cap);
    return n < 0 ? NX_ERR_IO : n;
}

// The file named by the environment: stdin read from its start, output appended (the parent
// created or truncated it).
static bool open_file(int fd)
{
    const char *path = getenv(file_vars[fd]);
    if (!path)
        return false;
    files[fd] = open(path, fd ? O_WRONLY | O_APPEND : O_RDONLY);
    if (files[fd] < 0)
        fprintf(stderr, "%s: %s: cannot open\n", file_vars[fd], path);
    return files[fd] >= 0;
}

static long pipe_sink(void *ctx, const char *buf, size_t len)
{
    return nx_pipe_write(ctx, buf, len, NX_DEADLINE_NEVER);
}

static long pipe_source(void *ctx, char *buf, size_t cap)
{
    return nx_pipe_read(ctx, buf, cap, NX_DEADLINE_NEVER);
}

static long console_sink(void *ctx, const char *buf, size_t len)
{
    return nx_console_write(*(nx_handle_t *)ctx, buf, len);
}

static long console_source(void *ctx, char *buf, size_t cap)
{
    return nx_console_read(*(nx_handle_t *)ctx, buf, cap, NX_DEADLINE_NEVER);
}

// The granted handle "NAME" + suffix, or NX_HANDLE_INVALID.
static nx_handle_t granted(const char *name, const char *suffix)
{
    char full[NX_STARTUP_NAME_MAX + 1];
    snprintf(full, sizeof full, "%s%s", name, suffix);
    return nx_startup_handle(full);
}

static bool open_pipe(int fd)
{
    struct nx_pipe_handles h = { granted(names[fd], ""), granted(names[fd], ":wait"),
                                 granted(names[fd], ":signal") };
    if (h.wait == NX_HANDLE_INVALID || h.signal == NX_HANDLE_INVALID)
        return false;
    piped[fd] = nx_pipe_open(&h, fd ? NX_RING_WRITER : NX_RING_READER, &pipes[fd]) == NX_OK;
    return piped[fd];
}

static void take(int fd)
{
    consoles[fd] = granted(names[fd], "");
    if (consoles[fd] == NX_HANDLE_INVALID) {
        if (!open_file(fd))
            return;
        if (fd == 0)
            nx_stdio_set_source(file_source, &files[0]);
        else
            nx_stdio_set_stream_sink(fd, nx_stdio_file_sink, &files[fd], false);
        return;
    }
    bool pipe = open_pipe(fd);
    void *ctx = pipe ? (void *)&pipes[fd] : (void *)&consoles[fd];
    if (fd == 0)
        nx_stdio_set_source(pipe ? pipe_source : console_source, ctx);
    else  // a pipe is block-buffered, a console line-buffered
        nx_stdio_set_stream_sink(fd, pipe ? pipe_sink : console_sink, ctx, !pipe);
}

void nx_stdio_take_handles(void)
{
    for (int fd = 0; fd < 3; fd++)
        take(fd);
}

struct nx_pipe *nx_stdio_pipe(int fd)
{
    return fd >= 0 && fd < 3 && piped[fd] ? &pipes[fd] : NULL;
}

void nx_stdio_forget_handles(void)
{
    for (int fd = 0; fd < 3; fd++) {
        piped[fd] = false;
        files[fd] = -1;
    }
}

void nx_stdio_close_handles(void)
{
    nx_stdio_flush();
    for (int fd = 0; fd < 3; fd++) {
        if (piped[fd])
            nx_pipe_close(&pipes[fd]);
        if (files[fd] >= 0)
            close(files[fd]);
        piped[fd] = false;
        files[fd] = -1;
    }
}

// stdin for poll() (poll.h): a program that polls descriptor 0 gets a thread that reads
// stdin's source (console, pipe or file, nx/stdio.h) one chunk at a time and signals the
// socket notification's stdin bit when the chunk (or the end) is there; read(0) and stdio
// then take the chunk, and the thread reads the next once it is all taken. So a wait on the
// one notification covers sockets and the keyboard alike.
#include <stdatomic.h>
#include <nx/nx.h>
#include <nx/stdio.h>
#include <nx/thread.h>
#include "socket_impl.h"

#define CHUNK 4096

enum { EMPTY, FULL, ENDED };   // the chunk: being read by the thread, ready, no more

static struct {
    bool started;
    _Atomic int state;
    char buf[CHUNK];
    size_t len, off;           // FULL: buf[off..len) not taken yet
    nx_handle_t taken;         // the thread waits here for the chunk to be taken
    nx_stdio_source_fn source; // what stdin was before
    void *ctx;
} in;

static void reader(void *arg)
{
    (void)arg;
    for (;;) {
        long n = in.source ? in.source(in.ctx, in.buf, sizeof in.buf) : 0;
        in.len = n > 0 ? (size_t)n : 0;
        in.off = 0;
        atomic_store(&in.state, n > 0 ? FULL : ENDED);
        nx_notify_signal(nx_sock_notif(), (long)NX_SOCK_BIT_STDIN);
        if (n <= 0)
            return;
        uint64_t bits;
        while (atomic_load(&in.state) == FULL)
            nx_notify_wait_bits(in.taken, NX_DEADLINE_NEVER, &bits);
    }
}

// stdin's source from now on: the thread's chunks.
static long take(void *ctx, char *buf, size_t cap)
{
    (void)ctx;
    for (;;) {
        int st = atomic_load(&in.state);
        if (st == ENDED)
            return 0;
        if (st == FULL) {
            size_t k = in.len - in.off < cap ? in.len - in.off : cap;
            for (size_t i = 0; i < k; i++)
                buf[i] = in.buf[in.off++];
            if (in.off == in.len) {
                atomic_store(&in.state, EMPTY);
                nx_notify_signal(in.taken, 1);
            }
            return (long)k;
        }
        nx_sock_wait(NX_DEADLINE_NEVER);
    }
}

static bool start(void)
{
    struct nx_process_info self;
    long n = nx_notification_create();
    if (n < 0 || nx_sock_notif() == NX_HANDLE_INVALID || nx_process_info(nx_self, &self) < 0)
        return false;
    in.taken = (nx_handle_t)n;
    nx_stdio_get_source(&in.source, &in.ctx);
    atomic_store(&in.state, EMPTY);
    nx_stdio_set_source(take, NULL);
    if (nx_thread_start(reader, NULL, self.priority, 0) < 0) {
        nx_stdio_set_source(in.source, in.ctx);
        return false;
    }
    in.started = true;
    return true;
}

short nx_sock_stdin_revents(short events)
{
    if (!in.started && !start())
        return POLLNVAL;
    int st = atomic_load(&in.state);
    short r = st == FULL ? POLLIN | POLLRDNORM : st == ENDED ? POLLIN | POLLHUP : 0;
    return (short)(r & (events | POLLHUP));
}

// nx_log: records to the log service through a shared-memory ring (nx/ring.h), so logging
// costs no system call while the log service is busy and never blocks (see nx/log.h).
#include <stdio.h>
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/stdio.h>

#define CONNECT_TIMEOUT_NS 1000000000ull
// A ring that stays full this long has lost its reader (the log service died; a restarted one
// serves the same endpoint): connect again.
#define RECONNECT_AFTER_NS 1000000000ull

enum { UNCONNECTED, CONNECTED, NO_LOG };
static int state;
static struct nx_ring ring;
static nx_handle_t log_ep = NX_HANDLE_INVALID;  // the endpoint the ring was connected through
static uint64_t full_since;                     // when records stopped fitting (0: they fit)

void nx_log_disconnect(void)
{
    if (state == CONNECTED) {
        nx_ring_unmap(&ring);
        nx_handle_close(ring.notif);
    }
    state = NO_LOG;
}

long nx_log_connect(nx_handle_t ep)
{
    nx_handle_t vmo;
    nx_log_disconnect();
    log_ep = ep;
    full_since = 0;
    long err = nx_ring_create(NX_LOG_RING_SIZE, NX_HANDLE_INVALID, 0, &ring, &vmo);
    if (err)
        return err;
    struct nx_log_connect rep;
    struct nx_rpc_call c = {
        .op = NX_LOG_CONNECT,
        .send = { .count = 1, .h = { vmo }, .rights = { NX_RIGHTS_SAME } },
        .rep = &rep,
        .rep_cap = sizeof(rep),
        .deadline = nx_clock_get() + CONNECT_TIMEOUT_NS,
    };
    err = nx_rpc(ep, &c);
    if (err >= 0 && (c.recv.count != 1 || c.rep_len != sizeof(rep)))
        err = NX_ERR_INVALID;
    if (err < 0) {
        for (uint32_t i = 0; i < c.recv.count; i++)
            nx_handle_close(c.recv.h[i]);
        nx_ring_unmap(&ring);
        return err;
    }
    ring.notif = c.recv.h[0];
    ring.bits = rep.bits;
    state = CONNECTED;
    return NX_OK;
}

// The granted "log" handle, or one from svcmgr; NX_HANDLE_INVALID if neither.
static nx_handle_t log_endpoint(void)
{
    nx_handle_t ep = nx_startup_handle("log");
    if (ep == NX_HANDLE_INVALID && nx_svc_lookup("log", &ep) != NX_OK)
        ep = NX_HANDLE_INVALID;
    return ep;
}

// Without a log service: "name: text" on the debug console.
static void debug_write(int level, const char *text, size_t len)
{
    struct nx_process_info info;
    char line[NX_LOG_TEXT_MAX + 48];
    if (nx_process_info(nx_self, &info) != NX_OK)
        strcpy(info.name, "?");
    int n = snprintf(line, sizeof(line), "%s%s: %.*s\n", level <= NX_LOG_WARN ? "! " : "",
                     info.name, (int)(len < NX_LOG_TEXT_MAX ? len : NX_LOG_TEXT_MAX), text);
    nx_debug_write(line, n < (int)sizeof(line) ? n : (long)sizeof(line) - 1);
}

long nx_log_push(struct nx_ring *r, int level, const char *text, size_t len)
{
    struct {
        struct nx_log_rec_hdr h;
        char text[NX_LOG_TEXT_MAX];
    } rec;
    if (len > NX_LOG_TEXT_MAX)
        len = NX_LOG_TEXT_MAX;
    rec.h.level = (uint32_t)level;
    memcpy(rec.text, text, len);
    return nx_ring_push(r, &rec, sizeof(rec.h) + len);
}

// The ring has one writer: a thread that finds another thread of the process writing (or
// connecting) does not wait for it; its record goes to the debug console instead.
static bool writer_busy;

// A record did not fit: true once records have not fitted for RECONNECT_AFTER_NS.
static bool reader_gone(void)
{
    uint64_t now = (uint64_t)nx_clock_get();
    if (!full_since)
        full_since = now;
    return now - full_since >= RECONNECT_AFTER_NS;
}

// Push into the ring (connected); a ring whose reader is gone is replaced once.
static void push(int level, const char *text, size_t len)
{
    long r = nx_log_push(&ring, level, text, len);
    if (r == NX_ERR_NO_SPACE && reader_gone() && nx_log_connect(log_ep) == NX_OK)
        r = nx_log_push(&ring, level, text, len);
    if (r >= 0)
        full_since = 0;
    if (r == 1)
        nx_notify_signal(ring.notif, (long)ring.bits);
    if (state != CONNECTED)
        debug_write(level, text, len);
}

void nx_log_write(int level, const char *text, size_t len)
{
    bool busy = __atomic_test_and_set(&writer_busy, __ATOMIC_ACQUIRE);
    if (!busy && state == UNCONNECTED) {
        nx_handle_t ep = log_endpoint();
        if (ep == NX_HANDLE_INVALID || nx_log_connect(ep) != NX_OK)
            state = NO_LOG;
    }
    if (busy || state != CONNECTED)
        debug_write(level, text, len);
    else
        push(level, text, len);
    if (!busy)
        __atomic_clear(&writer_busy, __ATOMIC_RELEASE);
}

void nx_vlog(int level, const char *fmt, va_list ap)
{
    char text[NX_LOG_TEXT_MAX + 1];
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    if (n >= 0)
        nx_log_write(level, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

void nx_log(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nx_vlog(level, fmt, ap);
    va_end(ap);
}

static long stdio_sink(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    nx_log_write(NX_LOG_INFO, buf, len);
    return (long)len;
}

void nx_log_take_stdio(void)
{
    nx_stdio_set_sink(stdio_sink, NULL);
}

// Byte pipes' system-call side (see nx/pipe.h): making the VMO and the notifications,
// mapping an end, and the waits. The rules are in pipe.c.
#include <nx/nx.h>
#include <nx/pipe.h>
#include "internal.h"

#define KEEP NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE
#define VMO_RIGHTS (NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP | KEEP)

static void close_ends(struct nx_pipe_handles *a, struct nx_pipe_handles *b)
{
    nx_handle_t hs[] = { a->vmo, a->wait, a->signal, b->vmo, b->wait, b->signal };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        if (hs[i] > 0)
            nx_handle_close(hs[i]);
}

// Handle h with rights into *out (a new handle; h stays), or 0 on error.
static long derive(nx_handle_t h, uint64_t rights, nx_handle_t *out)
{
    long d = nx_handle_duplicate(h, rights);
    *out = d > 0 ? (nx_handle_t)d : 0;
    return d < 0 ? d : NX_OK;
}

static long format_ring(nx_handle_t vmo, size_t size)
{
    long va = nx_vm_map(nx_self, vmo, 0, 0, (long)NX_PAGE_UP(size),
                        NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0)
        return va;
    struct nx_ring r;
    long err = nx_ring_format(&r, (void *)va, size);
    nx_vm_unmap(nx_self, (uint64_t)va, NX_PAGE_UP(size));
    return err;
}

long nx_pipe_create(struct nx_pipe_handles *rd, struct nx_pipe_handles *wr)
{
    *rd = *wr = (struct nx_pipe_handles){ 0 };
    size_t size = nx_ring_mem_size(NX_PIPE_DATA_SIZE);
    long vmo = nx_vmo_create((long)size);
    long rn = nx_notification_create(), wn = nx_notification_create();
    long err = vmo < 0 ? vmo : rn < 0 ? rn : wn < 0 ? wn : NX_OK;
    if (!err)
        err = format_ring((nx_handle_t)vmo, size);
    if (!err)
        err = derive((nx_handle_t)vmo, VMO_RIGHTS, &rd->vmo);
    if (!err)
        err = derive((nx_handle_t)rn, NX_RIGHT_WAIT | KEEP, &rd->wait);
    if (!err)
        err = derive((nx_handle_t)wn, NX_RIGHT_SIGNAL | KEEP, &rd->signal);
    if (!err)
        err = derive((nx_handle_t)vmo, VMO_RIGHTS, &wr->vmo);
    if (!err)
        err = derive((nx_handle_t)wn, NX_RIGHT_WAIT | KEEP, &wr->wait);
    if (!err)
        err = derive((nx_handle_t)rn, NX_RIGHT_SIGNAL | KEEP, &wr->signal);
    struct nx_pipe_handles made = { vmo > 0 ? vmo : 0, rn > 0 ? rn : 0, wn > 0 ? wn : 0 };
    struct nx_pipe_handles none = { 0 };
    close_ends(&made, &none);
    if (err)
        close_ends(rd, wr);
    return err;
}

long nx_pipe_open(const struct nx_pipe_handles *h, enum nx_ring_side side, struct nx_pipe *p)
{
    long err = nx_ring_map(h->vmo, side, h->wait, NX_PIPE_BIT_IO, &p->ring);
    if (err)
        return err;
    nx_pipe_reset(p, side);
    p->h = *h;
    return NX_OK;
}

static void wake_peer(struct nx_pipe *p, bool wake, uint64_t bits)
{
    if (wake)
        nx_notify_signal(p->h.signal, (long)bits);
}

// Sleep until the peer signals (or the deadline), having announced it; a side that finds
// on announcing that it need not sleep returns at once. A side that may wait first yields
// once (*yielded): a peer that is ready to run then fills or drains the ring at once, and
// neither side pays for a signal and a wait.
static long sleep_for_peer(struct nx_pipe *p, uint64_t deadline, bool *yielded)
{
    if (deadline && !*yielded) {
        *yielded = true;
        nx_yield();
        return NX_OK;
    }
    bool reader = p->side == NX_RING_READER;
    if (!(reader ? nx_ring_prepare_sleep(&p->ring) : nx_ring_writer_prepare_sleep(&p->ring)))
        return NX_OK;
    uint64_t bits = 0;
    long err = deadline ? nx_notify_wait_bits(p->h.wait, deadline, &bits)
                        : nx_notify_poll_bits(p->h.wait, &bits);
    if (reader)
        nx_ring_end_sleep(&p->ring);
    else
        nx_ring_writer_end_sleep(&p->ring);
    nx_pipe_take_bits(p, bits);
    if (!deadline && !err && !bits)
        return NX_ERR_TIMED_OUT;
    return err;
}

long nx_pipe_read(struct nx_pipe *p, void *buf, size_t n, uint64_t deadline)
{
    bool yielded = false;
    for (;;) {
        bool wake;
        long got = nx_pipe_read_some(p, buf, n, &wake);
        wake_peer(p, wake, NX_PIPE_BIT_IO);
        if (got != NX_ERR_TIMED_OUT)
            return got;
        long err = sleep_for_peer(p, deadline, &yielded);
        if (err)
            return err;
    }
}

long nx_pipe_write(struct nx_pipe *p, const void *buf, size_t n, uint64_t deadline)
{
    size_t done = 0;
    bool yielded = false;
    while (done < n) {
        bool wake;
        long put = nx_pipe_write_some(p, (const char *)buf + done, n - done, &wake);
        wake_peer(p, wake, NX_PIPE_BIT_IO);
        if (put > 0) {
            done += (size_t)put;
            continue;
        }
        if (put != NX_ERR_TIMED_OUT)
            return put;
        long err = sleep_for_peer(p, deadline, &yielded);
        if (err)
            return done ? (long)done : err;
    }
    return (long)done;
}

void nx_pipe_close(struct nx_pipe *p)
{
    nx_notify_signal(p->h.signal, NX_PIPE_BIT_GONE);
    nx_ring_unmap(&p->ring);
    struct nx_pipe_handles none = { 0 };
    close_ends(&p->h, &none);
    p->h = none;
}

long nx_pipe_watch(nx_handle_t proc, nx_handle_t peer_signal)
{
    return nx_process_watch(proc, peer_signal, NX_PIPE_BIT_GONE);
}

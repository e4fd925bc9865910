// The shared-memory ring's system-call side (see nx/ring.h): VMOs, mappings, the
// notification. The logic is in ring.c.
#include <nx/nx.h>
#include <nx/ring.h>
#include "internal.h"

long nx_ring_write(struct nx_ring *r, const void *rec, size_t len)
{
    long wake = nx_ring_push(r, rec, len);
    if (wake == 1)
        nx_notify_signal(r->notif, (long)r->bits);
    return wake < 0 ? wake : NX_OK;
}

long nx_ring_read(struct nx_ring *r, void *buf, size_t cap, size_t *len, uint64_t deadline)
{
    for (;;) {
        long err = nx_ring_pop(r, buf, cap, len);
        if (err != NX_ERR_NOT_FOUND)
            return err;
        if (nx_ring_prepare_sleep(r)) {
            uint64_t bits;
            err = nx_notify_wait_bits(r->notif, deadline, &bits);
            nx_ring_end_sleep(r);
            if (err)
                return err;
        }
    }
}

// Map vmo's first `size` bytes (whole pages) read-write here: the address, or an error.
static long map_rw(nx_handle_t vmo, size_t size)
{
    return nx_vm_map(nx_self, vmo, 0, 0, (long)size, NX_PROT_READ | NX_PROT_WRITE);
}

static void set_mapping(struct nx_ring *r, nx_handle_t notif, uint64_t bits, size_t mapped)
{
    r->notif = notif;
    r->bits = bits;
    r->mapped = mapped;
}

long nx_ring_create(size_t data_size, nx_handle_t notif, uint64_t bits, struct nx_ring *r,
                    nx_handle_t *vmo)
{
    if (data_size < 64 || (data_size & (data_size - 1)))
        return NX_ERR_INVALID;
    size_t size = nx_ring_mem_size(data_size), mapped = NX_PAGE_UP(size);
    long v = nx_vmo_create((long)size);
    if (v < 0)
        return v;
    long va = map_rw((nx_handle_t)v, mapped);
    if (va < 0) {
        nx_handle_close(v);
        return va;
    }
    nx_ring_format(r, (void *)va, size);
    set_mapping(r, notif, bits, mapped);
    *vmo = (nx_handle_t)v;
    return NX_OK;
}

long nx_ring_map(nx_handle_t vmo, enum nx_ring_side side, nx_handle_t notif, uint64_t bits,
                 struct nx_ring *r)
{
    long size = nx_vmo_size(vmo);
    if (size < 0)
        return size;
    long va = map_rw(vmo, (size_t)size);
    if (va < 0)
        return va;
    long err = nx_ring_attach(r, (void *)va, (size_t)size, side);
    if (err) {
        nx_vm_unmap(nx_self, (uint64_t)va, (size_t)size);
        return err;
    }
    set_mapping(r, notif, bits, size);
    return NX_OK;
}

void nx_ring_unmap(struct nx_ring *r)
{
    if (r->mapped)
        nx_vm_unmap(nx_self, (long)r->sh, (long)r->mapped);
    r->mapped = 0;
}

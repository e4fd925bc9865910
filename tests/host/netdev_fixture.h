#pragma once
// The virtio-net driver's bookkeeping (user/drivers/virtio-net/slots.c) on the host, between a
// device and a stack played by the test: the device takes the buffers the driver offered from
// the available ring and completes them in the used ring, the stack writes and reads records
// through the control VMO's rings. Shared by tests/host/test_netdev.c and
// tests/fuzz/fuzz_netdev.c. The arena's pages are physically far apart and in reverse order, so
// a slot's address must come from its own page.
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <nexus/errors.h>
#include "../../user/drivers/virtio-net/net_proto.h"
#include "../../user/drivers/virtio-net/slots.h"

#define NF_PA_BASE 0x80000000ull
#define NF_PA_STRIDE (3ull * SLOTS_PAGE)
#define NF_TX0 NX_NETDEV_RX_SLOTS

struct nf_queue {
    _Alignas(4096) uint8_t mem[3 * SLOTS_PAGE];  // descriptors, available ring, used ring
    struct virtq q;
    uint16_t next_avail;                         // the device's place in the available ring
};

struct nf {
    struct nf_queue queue[SLOTS_QUEUES];
    _Alignas(4096) uint8_t arena[SLOTS_ARENA_PAGES * SLOTS_PAGE];
    uint64_t arena_pa[SLOTS_ARENA_PAGES];
    _Alignas(4096) uint8_t ctl[SLOTS_CTL_PAGES * SLOTS_PAGE];
    struct slots s;
    struct nx_ring to_driver, to_stack;          // the stack's views
};

// A fresh attachment, after its first pass, over queues of qsize descriptors (a power of 2).
static inline void nf_init(struct nf *f, uint16_t qsize, bool link_up)
{
    memset(f, 0, sizeof *f);
    for (unsigned q = 0; q < SLOTS_QUEUES; q++) {
        uint8_t *m = f->queue[q].mem;
        virtq_init(&f->queue[q].q, qsize, m, m + SLOTS_PAGE, m + 2 * SLOTS_PAGE);
    }
    for (unsigned i = 0; i < SLOTS_ARENA_PAGES; i++)
        f->arena_pa[i] = NF_PA_BASE + (SLOTS_ARENA_PAGES - 1 - i) * NF_PA_STRIDE;
    slots_init(&f->s, &f->queue[SLOTS_RXQ].q, &f->queue[SLOTS_TXQ].q, f->arena, f->arena_pa,
               f->ctl, link_up);
    slots_pass(&f->s);  // the rx slots to the device, as the driver's first pass does
    size_t ring = nx_ring_mem_size(NX_NETDEV_RING_BYTES);
    nx_ring_attach(&f->to_driver, f->ctl + NX_NETDEV_CTL_TO_DRIVER, ring, NX_RING_WRITER);
    nx_ring_attach(&f->to_stack, f->ctl + NX_NETDEV_CTL_TO_STACK, ring, NX_RING_READER);
}

// ---- the device ----

// The next buffer the driver offered on queue q (its descriptor in *d): its head, or -1.
static inline int nf_device_next(struct nf *f, unsigned q, struct virtq_desc *d)
{
    struct nf_queue *nq = &f->queue[q];
    if (nq->next_avail == nq->q.avail->idx)
        return -1;
    uint16_t head = nq->q.avail->ring[nq->next_avail++ & (nq->q.size - 1)];
    *d = nq->q.desc[head % nq->q.size];
    return head;
}

// The device completes chain id on queue q, having written len bytes (anything goes).
static inline void nf_device_use(struct nf *f, unsigned q, uint32_t id, uint32_t len)
{
    struct virtq *vq = &f->queue[q].q;
    vq->used->ring[vq->used->idx & (vq->size - 1)] = (struct virtq_used_elem){ id, len };
    vq->used->idx++;
}

// The arena byte at physical address pa and the slot it is in (NULL and -1: none).
static inline uint8_t *nf_at(struct nf *f, uint64_t pa, int *slot)
{
    *slot = -1;
    if (pa < NF_PA_BASE)
        return NULL;
    uint64_t page = (pa - NF_PA_BASE) / NF_PA_STRIDE, in = (pa - NF_PA_BASE) % NF_PA_STRIDE;
    if (page >= SLOTS_ARENA_PAGES || in >= SLOTS_PAGE)
        return NULL;
    size_t off = (SLOTS_ARENA_PAGES - 1 - page) * SLOTS_PAGE + in;
    *slot = (int)(off / NX_NETDEV_SLOT_SIZE);
    return f->arena + off;
}

// The device receives frame[0..len) into the next rx buffer: its slot, or -1 if none.
static inline int nf_device_receives(struct nf *f, const uint8_t *frame, uint16_t len)
{
    struct virtq_desc d;
    int slot, head = nf_device_next(f, SLOTS_RXQ, &d);
    if (head < 0)
        return -1;
    uint8_t *buf = nf_at(f, d.addr, &slot);
    memset(buf, 0, VIRTIO_NET_HDR_SIZE);
    memcpy(buf + VIRTIO_NET_HDR_SIZE, frame, len);
    nf_device_use(f, SLOTS_RXQ, (uint32_t)head, VIRTIO_NET_HDR_SIZE + len);
    return slot;
}

// ---- the stack ----

static inline long nf_put(struct nf *f, uint16_t op, uint16_t slot, uint16_t len)
{
    struct nx_netdev_rec r = { op, slot, len, 0 };
    return nx_ring_push(&f->to_driver, &r, sizeof r);
}

static inline bool nf_get(struct nf *f, struct nx_netdev_rec *r)
{
    size_t len;
    return nx_ring_pop(&f->to_stack, r, sizeof *r, &len) == NX_OK && len == sizeof *r;
}

// ---- what must always hold ----

static inline unsigned nf_owned(const struct nf *f, unsigned first, unsigned n, uint8_t owner)
{
    unsigned count = 0;
    for (unsigned i = first; i < first + n; i++)
        count += f->s.owner[i] == owner;
    return count;
}

// NULL, or the broken promise: the device holds exactly the slots the queues have in flight,
// the driver's queues and the untold list exactly the slots marked so, no copy.
static inline const char *nf_broken(const struct nf *f)
{
    const struct slots *s = &f->s;
    if (nf_owned(f, 0, NX_NETDEV_RX_SLOTS, SLOT_DEVICE) != virtq_in_flight(s->q[SLOTS_RXQ]))
        return "rx slots the device holds != rx chains in flight";
    if (nf_owned(f, NF_TX0, NX_NETDEV_TX_SLOTS, SLOT_DEVICE) != virtq_in_flight(s->q[SLOTS_TXQ]))
        return "tx slots the device holds != tx chains in flight";
    if (nf_owned(f, 0, NX_NETDEV_RX_SLOTS, SLOT_QUEUED) != s->waiting[SLOTS_RXQ].count ||
        nf_owned(f, NF_TX0, NX_NETDEV_TX_SLOTS, SLOT_QUEUED) != s->waiting[SLOTS_TXQ].count)
        return "queued slots != the queues' lengths";
    if (nf_owned(f, 0, NX_NETDEV_RX_SLOTS, SLOT_UNTOLD) ||
        nf_owned(f, NF_TX0, NX_NETDEV_TX_SLOTS, SLOT_UNTOLD) != s->untold.count)
        return "untold slots != the untold list";
    if (nf_owned(f, 0, SLOTS_TOTAL, SLOT_STACK) + nf_owned(f, 0, SLOTS_TOTAL, SLOT_DEVICE) +
        nf_owned(f, 0, SLOTS_TOTAL, SLOT_QUEUED) + nf_owned(f, 0, SLOTS_TOTAL, SLOT_UNTOLD) !=
        SLOTS_TOTAL)
        return "a slot nobody owns";
    if (s->stats.bytes_copied)
        return "a packet byte copied";
    return NULL;
}

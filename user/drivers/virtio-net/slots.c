// The virtio-net driver's bookkeeping (slots.h). Every value from the other side (a record's
// op, slot and length; a used entry's head and length; the rings' shared indices) is checked
// before anything follows it: a bad one is counted and dropped, and changes no slot's owner.
#include "slots.h"
#include <string.h>
#include <nexus/errors.h>
#include "net_proto.h"

_Static_assert(SLOTS_PAGE % NX_NETDEV_SLOT_SIZE == 0, "a slot never crosses a page");
_Static_assert(sizeof(struct nx_netdev_ctl) == NX_NETDEV_CTL_TO_DRIVER, "the header's size");
_Static_assert(sizeof(struct nx_netdev_rec) == 8, "a record is 8 bytes");
_Static_assert(NX_NETDEV_HDR_OFF + VIRTIO_NET_HDR_SIZE == NX_NETDEV_FRAME_OFF,
               "the frame right after the header: one descriptor covers both");
_Static_assert(NX_NETDEV_HDR_OFF + SLOTS_RX_BUF <= NX_NETDEV_SLOT_SIZE, "a buffer fits its slot");

static void fifo_push(struct slot_fifo *f, uint16_t slot)
{
    f->slot[(f->first + f->count) % SLOTS_TOTAL] = slot;
    f->count++;
}

static uint16_t fifo_peek(const struct slot_fifo *f)
{
    return f->slot[f->first];
}

static void fifo_pop(struct slot_fifo *f)
{
    f->first = (uint16_t)((f->first + 1) % SLOTS_TOTAL);
    f->count--;
}

static bool is_rx(uint32_t slot)
{
    return slot < NX_NETDEV_RX_SLOTS;
}

static bool is_tx(uint32_t slot)
{
    return slot >= NX_NETDEV_RX_SLOTS && slot < SLOTS_TOTAL;
}

// Where the device finds a slot's buffer (the virtio-net header, then the frame).
static uint64_t buffer_pa(const struct slots *s, uint16_t slot)
{
    uint64_t off = (uint64_t)slot * NX_NETDEV_SLOT_SIZE;
    return s->arena_pa[off / SLOTS_PAGE] + off % SLOTS_PAGE + NX_NETDEV_HDR_OFF;
}

// The slot waits for a descriptor of queue q.
static void queue(struct slots *s, unsigned q, uint16_t slot)
{
    s->owner[slot] = SLOT_QUEUED;
    fifo_push(&s->waiting[q], slot);
}

// The stack broke a ring: nothing more goes either way until it attaches again.
static void broken(struct slots *s)
{
    s->stack_broken = true;
    s->stats.tx_errors++;
}

// One record to the stack; false if it found no room (or the ring is broken).
static bool tell(struct slots *s, uint16_t op, uint16_t slot, uint16_t len)
{
    if (s->stack_broken)
        return false;
    struct nx_netdev_rec r = { op, slot, len, 0 };
    long err = nx_ring_push(&s->to_stack, &r, sizeof r);
    if (err == NX_ERR_BAD_STATE)
        broken(s);
    s->wake_stack |= err == 1;
    return err >= 0;
}

static void give_back_tx(struct slots *s, uint16_t slot)
{
    if (tell(s, NX_NETDEV_TX_DONE, slot, 0)) {
        s->owner[slot] = SLOT_STACK;
    } else {
        s->owner[slot] = SLOT_UNTOLD;
        fifo_push(&s->untold, slot);
    }
}

// What the ring had no room for before, in order, while there is room now.
static void tell_untold(struct slots *s)
{
    while (s->untold.count && tell(s, NX_NETDEV_TX_DONE, fifo_peek(&s->untold), 0)) {
        s->owner[fifo_peek(&s->untold)] = SLOT_STACK;
        fifo_pop(&s->untold);
    }
    if (s->link_untold && tell(s, NX_NETDEV_LINK, 0, s->link_up))
        s->link_untold = false;
}

void slots_init(struct slots *s, struct virtq *rxq, struct virtq *txq, uint8_t *arena,
                const uint64_t *arena_pa, void *ctl, bool link_up)
{
    memset(s, 0, sizeof *s);
    s->q[SLOTS_RXQ] = rxq;
    s->q[SLOTS_TXQ] = txq;
    s->arena = arena;
    s->arena_pa = arena_pa;
    s->ctl = ctl;
    memset(ctl, 0, NX_NETDEV_CTL_SIZE);
    nx_ring_format(&s->to_driver, (uint8_t *)ctl + NX_NETDEV_CTL_TO_DRIVER,
                   nx_ring_mem_size(NX_NETDEV_RING_BYTES));
    nx_ring_format(&s->to_stack, (uint8_t *)ctl + NX_NETDEV_CTL_TO_STACK,
                   nx_ring_mem_size(NX_NETDEV_RING_BYTES));
    for (uint16_t slot = 0; slot < NX_NETDEV_RX_SLOTS; slot++)
        queue(s, SLOTS_RXQ, slot);
    for (uint16_t slot = NX_NETDEV_RX_SLOTS; slot < SLOTS_TOTAL; slot++)
        s->owner[slot] = SLOT_STACK;
    s->link_up = link_up;
    s->link_untold = true;
    tell_untold(s);
}

void slots_link(struct slots *s, bool up)
{
    if (up == s->link_up)
        return;
    s->link_up = up;
    s->link_untold = true;
    tell_untold(s);
}

// ---- the device's used entries ----

static void received(struct slots *s, uint16_t slot, uint32_t len)
{
    if (len < VIRTIO_NET_HDR_SIZE + SLOTS_ETH_HEADER || len > SLOTS_RX_BUF) {
        s->stats.rx_errors++;
        queue(s, SLOTS_RXQ, slot);
        return;
    }
    uint16_t frame = (uint16_t)(len - VIRTIO_NET_HDR_SIZE);
    if (!tell(s, NX_NETDEV_RX, slot, frame)) {
        s->stats.rx_drops++;
        queue(s, SLOTS_RXQ, slot);
        return;
    }
    s->owner[slot] = SLOT_STACK;
    s->stats.rx_packets++;
    s->stats.rx_bytes += frame;
}

static void sent(struct slots *s, uint16_t slot)
{
    s->stats.tx_packets++;
    s->stats.tx_bytes += s->len[slot];
    give_back_tx(s, slot);
}

// Entries of queue q the device used; false if SLOTS_PASS_USED were taken (maybe more).
static bool take_used(struct slots *s, unsigned q)
{
    uint64_t *errors = q == SLOTS_RXQ ? &s->stats.rx_errors : &s->stats.tx_errors;
    uint32_t len;
    for (unsigned n = 0; n < SLOTS_PASS_USED; n++) {
        int head = virtq_take(s->q[q], &len);
        if (head == -1)
            return true;
        if (head < 0) {
            (*errors)++;  // a chain the device made up: no slot is named by it
            continue;
        }
        uint16_t slot = s->slot_of[q][head];
        if (q == SLOTS_RXQ)
            received(s, slot, len);
        else
            sent(s, slot);
    }
    return false;
}

// ---- the stack's records ----

static void transmit(struct slots *s, const struct nx_netdev_rec *r)
{
    if (!is_tx(r->slot) || s->owner[r->slot] != SLOT_STACK) {
        s->stats.tx_errors++;
        return;
    }
    if (r->len < SLOTS_ETH_HEADER || r->len > NX_NETDEV_FRAME_MAX) {
        s->stats.tx_errors++;
        give_back_tx(s, r->slot);  // never sent; the stack may use the slot again
        return;
    }
    s->len[r->slot] = r->len;
    queue(s, SLOTS_TXQ, r->slot);
}

static void rx_free(struct slots *s, const struct nx_netdev_rec *r)
{
    if (!is_rx(r->slot) || s->owner[r->slot] != SLOT_STACK) {
        s->stats.rx_errors++;
        return;
    }
    queue(s, SLOTS_RXQ, r->slot);
}

// The stack's records; false if SLOTS_PASS_RECORDS were taken (maybe more).
static bool take_records(struct slots *s)
{
    uint8_t buf[NX_RING_RECORD_MAX];
    for (unsigned n = 0; n < SLOTS_PASS_RECORDS; n++) {
        size_t len;
        long err = s->stack_broken ? NX_ERR_NOT_FOUND
                                   : nx_ring_pop(&s->to_driver, buf, sizeof buf, &len);
        if (err == NX_ERR_NOT_FOUND)
            return true;
        if (err) {
            broken(s);
            return true;
        }
        struct nx_netdev_rec r;
        memcpy(&r, buf, sizeof r);
        if (len != sizeof r)
            s->stats.tx_errors++;
        else if (r.op == NX_NETDEV_TX)
            transmit(s, &r);
        else if (r.op == NX_NETDEV_RX_FREE)
            rx_free(s, &r);
        else
            s->stats.tx_errors++;
    }
    return false;
}

// ---- a pass ----

// Queued slots into free descriptors, in order.
static void offer(struct slots *s, unsigned q)
{
    struct slot_fifo *w = &s->waiting[q];
    while (w->count) {
        uint16_t slot = fifo_peek(w);
        uint32_t len = SLOTS_RX_BUF;
        if (q == SLOTS_TXQ) {
            // The header is the driver's: zero (nothing offloaded), whatever the stack wrote.
            memset(s->arena + (size_t)slot * NX_NETDEV_SLOT_SIZE + NX_NETDEV_HDR_OFF, 0,
                   VIRTIO_NET_HDR_SIZE);
            len = VIRTIO_NET_HDR_SIZE + s->len[slot];
        }
        struct virtq_buf b = { buffer_pa(s, slot), len, q == SLOTS_RXQ };
        int head = virtq_submit(s->q[q], &b, 1);
        if (head < 0)
            return;  // no free descriptor: the slot waits for a used one
        s->slot_of[q][head] = slot;
        s->owner[slot] = SLOT_DEVICE;
        s->kick[q] = true;
        fifo_pop(w);
    }
}

bool slots_pass(struct slots *s)
{
    s->kick[SLOTS_RXQ] = s->kick[SLOTS_TXQ] = s->wake_stack = false;
    bool done = take_used(s, SLOTS_RXQ);
    done &= take_used(s, SLOTS_TXQ);
    done &= take_records(s);
    tell_untold(s);
    offer(s, SLOTS_RXQ);
    offer(s, SLOTS_TXQ);
    memcpy(&s->ctl->stats, &s->stats, sizeof s->stats);
    return !done;
}

bool slots_prepare_sleep(struct slots *s)
{
    return s->stack_broken || nx_ring_prepare_sleep(&s->to_driver);
}

void slots_end_sleep(struct slots *s)
{
    if (!s->stack_broken)
        nx_ring_end_sleep(&s->to_driver);
}

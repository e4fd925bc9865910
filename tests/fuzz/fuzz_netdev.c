// libFuzzer target for the virtio-net driver's receive path and records
// (user/drivers/virtio-net/slots.c): the input is a script for a hostile device and a hostile
// stack around the driver's bookkeeping (tests/host/netdev_fixture.h). The device completes
// buffers it was offered or makes up heads and lengths, the stack writes records or bytes of
// any kind, reads or not, and scribbles on the rings' shared headers; the driver makes a pass
// after each step. After every pass the fixture's invariants must hold (every slot owned by
// exactly one party, the device holding exactly the chains in flight, no copy), and nothing is
// read or written outside its buffer (ASan).
#include <stdlib.h>
#include "netdev_fixture.h"

static struct nf f;

struct script {
    const uint8_t *data;
    size_t size, pos;
};

static uint32_t take(struct script *s, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v = v << 8 | (s->pos < s->size ? s->data[s->pos++] : 0);
    return v;
}

// The device completes a buffer of queue q: the next one it was offered, or a made-up head.
static void device_completes(struct script *s, unsigned q)
{
    struct virtq_desc d;
    uint32_t how = take(s, 1), len = take(s, 2);
    int head = how & 1 ? -1 : nf_device_next(&f, q, &d);
    nf_device_use(&f, q, head >= 0 ? (uint32_t)head : take(s, 2), how & 2 ? len : len % 1600);
}

// The stack writes a record: an operation it may send or any, a slot near the ranges or any.
static void stack_writes(struct script *s)
{
    uint32_t op = take(s, 1), slot = take(s, 2), len = take(s, 2);
    nf_put(&f, (uint16_t)(op < 200 ? op % 6 : op), (uint16_t)(slot & 0x8000 ? slot : slot % 300),
           (uint16_t)len);
}

static void stack_writes_bytes(struct script *s)
{
    uint8_t buf[32];
    size_t n = 1 + take(s, 1) % sizeof buf;
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)take(s, 1);
    nx_ring_push(&f.to_driver, buf, n);
}

// A well-behaved stack step: read a record; give a received slot back.
static void stack_reads(void)
{
    struct nx_netdev_rec r;
    if (nf_get(&f, &r) && r.op == NX_NETDEV_RX)
        nf_put(&f, NX_NETDEV_RX_FREE, r.slot, 0);
}

static void scribble(struct script *s)
{
    struct nx_ring_shared *sh = take(s, 1) & 1 ? f.to_driver.sh : f.to_stack.sh;
    uint64_t *word = (uint64_t *)sh + take(s, 1) % 8;
    *word += (uint64_t)(int32_t)take(s, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct script s = { data, size, 0 };
    nf_init(&f, (uint16_t)(1u << take(&s, 1) % 9), true);
    while (s.pos < s.size) {
        switch (take(&s, 1) % 8) {
        case 0: device_completes(&s, SLOTS_RXQ); break;
        case 1: device_completes(&s, SLOTS_TXQ); break;
        case 2: stack_writes(&s); break;
        case 3: stack_writes_bytes(&s); break;
        case 4: stack_reads(); break;
        case 5: scribble(&s); break;
        case 6: slots_link(&f.s, take(&s, 1) & 1); break;
        default: slots_prepare_sleep(&f.s); slots_end_sleep(&f.s); break;
        }
        slots_pass(&f.s);
        if (nf_broken(&f))
            abort();
    }
    return 0;
}

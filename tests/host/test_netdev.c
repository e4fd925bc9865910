// The virtio-net driver's bookkeeping (user/drivers/virtio-net/slots.c) between a device and a
// stack played by the test (netdev_fixture.h): frames recorded from QEMU's user network (an
// ARP request for the gateway and its reply, from QEMU's filter-dump) travel in place, every
// hostile record and used entry is counted and changes nothing, a full ring to the stack
// drops frames but no slot, and every pass is bounded.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "netdev_fixture.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

// 10.0.2.15 (52:54:00:12:34:56) asks who has 10.0.2.2; the gateway (52:55:0a:00:02:02)
// answers, padded to 64 bytes.
static const uint8_t arp_request[42] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
    0x0a, 0x00, 0x02, 0x0f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x02, 0x02,
};
static const uint8_t arp_reply[64] = {
    0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02,
    0x0a, 0x00, 0x02, 0x02, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x0a, 0x00, 0x02, 0x0f,
};

static struct nf f;

static int setup(void **state)
{
    nf_init(&f, VIRTQ_MAX_SIZE, true);
    struct nx_netdev_rec r;
    return nf_get(&f, &r) && r.op == NX_NETDEV_LINK && r.len == 1 ? 0 : -1;
}

static void pass(void)
{
    slots_pass(&f.s);
    assert_null(nf_broken(&f));
}

static uint8_t *slot_frame(unsigned slot)
{
    return f.arena + slot * NX_NETDEV_SLOT_SIZE + NX_NETDEV_FRAME_OFF;
}

static void expect_record(uint16_t op, uint16_t slot, uint16_t len)
{
    struct nx_netdev_rec r;
    assert_true(nf_get(&f, &r));
    assert_int_equal(r.op, op);
    assert_int_equal(r.slot, slot);
    assert_int_equal(r.len, len);
}

static void expect_no_record(void)
{
    struct nx_netdev_rec r;
    assert_false(nf_get(&f, &r));
}

static void every_rx_slot_is_offered_and_the_link_told_first(void **state)
{
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_RXQ].q), NX_NETDEV_RX_SLOTS);
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_TXQ].q), 0);
    assert_int_equal(nf_owned(&f, NF_TX0, NX_NETDEV_TX_SLOTS, SLOT_STACK), NX_NETDEV_TX_SLOTS);
    for (unsigned i = 0; i < NX_NETDEV_RX_SLOTS; i++) {
        struct virtq_desc d;
        int slot;
        assert_true(nf_device_next(&f, SLOTS_RXQ, &d) >= 0);
        uint8_t *at = nf_at(&f, d.addr, &slot);
        assert_int_equal(slot, i);
        assert_ptr_equal(at, f.arena + i * NX_NETDEV_SLOT_SIZE + NX_NETDEV_HDR_OFF);
        assert_int_equal(d.len, VIRTIO_NET_HDR_SIZE + NX_NETDEV_FRAME_MAX);
        assert_int_equal(d.flags, VIRTQ_DESC_F_WRITE);
    }
    assert_null(nf_broken(&f));
}

static void a_recorded_reply_arrives_in_place_and_goes_back(void **state)
{
    assert_true(nf_device_receives(&f, arp_reply, sizeof arp_reply) >= 0);
    pass();
    expect_record(NX_NETDEV_RX, 0, sizeof arp_reply);
    assert_memory_equal(slot_frame(0), arp_reply, sizeof arp_reply);
    assert_int_equal(f.s.owner[0], SLOT_STACK);
    assert_int_equal(f.s.stats.rx_packets, 1);
    assert_int_equal(f.s.stats.rx_bytes, sizeof arp_reply);
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_RXQ].q), NX_NETDEV_RX_SLOTS - 1);
    const struct nx_netdev_ctl *ctl = (const void *)f.ctl;
    assert_int_equal(ctl->stats.rx_packets, 1);  // the counters in the control VMO too
    assert_int_equal(nf_put(&f, NX_NETDEV_RX_FREE, 0, 0), 0);
    pass();
    assert_true(f.s.kick[SLOTS_RXQ]);
    assert_int_equal(f.s.owner[0], SLOT_DEVICE);
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_RXQ].q), NX_NETDEV_RX_SLOTS);
    assert_int_equal(f.s.stats.rx_errors + f.s.stats.rx_drops, 0);
}

static void a_recorded_request_goes_out_of_its_slot(void **state)
{
    unsigned slot = NF_TX0 + 5;
    memset(slot_frame(slot) - VIRTIO_NET_HDR_SIZE, 0xaa, VIRTIO_NET_HDR_SIZE);  // a stack's junk
    memcpy(slot_frame(slot), arp_request, sizeof arp_request);
    nf_put(&f, NX_NETDEV_TX, (uint16_t)slot, sizeof arp_request);
    pass();
    assert_true(f.s.kick[SLOTS_TXQ]);
    struct virtq_desc d;
    int head = nf_device_next(&f, SLOTS_TXQ, &d), at;
    assert_true(head >= 0);
    uint8_t *buf = nf_at(&f, d.addr, &at);
    assert_int_equal(at, slot);
    assert_int_equal(d.len, VIRTIO_NET_HDR_SIZE + sizeof arp_request);
    assert_int_equal(d.flags, 0);  // the device reads it
    static const uint8_t zero[VIRTIO_NET_HDR_SIZE];
    assert_memory_equal(buf, zero, VIRTIO_NET_HDR_SIZE);
    assert_memory_equal(buf + VIRTIO_NET_HDR_SIZE, arp_request, sizeof arp_request);
    expect_no_record();
    nf_device_use(&f, SLOTS_TXQ, (uint32_t)head, 0);
    pass();
    expect_record(NX_NETDEV_TX_DONE, (uint16_t)slot, 0);
    assert_int_equal(f.s.owner[slot], SLOT_STACK);
    assert_int_equal(f.s.stats.tx_packets, 1);
    assert_int_equal(f.s.stats.tx_bytes, sizeof arp_request);
}

// A record from the stack that must be counted in *counter and change no slot.
static void refused(const struct nx_netdev_rec *r, size_t len, const uint64_t *counter)
{
    uint8_t owner[SLOTS_TOTAL];
    memcpy(owner, f.s.owner, sizeof owner);
    uint64_t before = *counter;
    assert_true(nx_ring_push(&f.to_driver, r, len) >= 0);
    pass();
    assert_int_equal(*counter, before + 1);
    assert_memory_equal(owner, f.s.owner, sizeof owner);
    expect_no_record();
}

static void hostile_records_are_counted_and_change_nothing(void **state)
{
    const uint64_t *tx = &f.s.stats.tx_errors, *rx = &f.s.stats.rx_errors;
    // One tx slot in flight, one rx slot the stack's.
    nf_put(&f, NX_NETDEV_TX, NF_TX0, 60);
    assert_true(nf_device_receives(&f, arp_reply, sizeof arp_reply) >= 0);
    pass();
    expect_record(NX_NETDEV_RX, 0, sizeof arp_reply);
    const struct { struct nx_netdev_rec r; const uint64_t *counter; } bad[] = {
        { { NX_NETDEV_TX, 0, 60, 0 }, tx },                    // an rx slot
        { { NX_NETDEV_TX, SLOTS_TOTAL, 60, 0 }, tx },          // past the last slot
        { { NX_NETDEV_TX, 0xffff, 60, 0 }, tx },
        { { NX_NETDEV_TX, NF_TX0, 60, 0 }, tx },               // the device holds it
        { { NX_NETDEV_RX_FREE, 1, 0, 0 }, rx },                // the device holds it
        { { NX_NETDEV_RX_FREE, NF_TX0 + 1, 0, 0 }, rx },       // a tx slot
        { { NX_NETDEV_RX_FREE, 0xffff, 0, 0 }, rx },
        { { 0, 0, 0, 0 }, tx },                                // no such operation
        { { NX_NETDEV_RX, 0, 60, 0 }, tx },                    // the driver's to send
        { { NX_NETDEV_TX_DONE, NF_TX0 + 1, 0, 0 }, tx },
        { { NX_NETDEV_LINK, 0, 1, 0 }, tx },
        { { 0xffff, 0xffff, 0xffff, 0xffff }, tx },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        refused(&bad[i].r, sizeof bad[i].r, bad[i].counter);
    struct nx_netdev_rec ok = { NX_NETDEV_RX_FREE, 0, 0, 0 };
    refused(&ok, 4, tx);                                       // not a whole record
    uint8_t longer[16] = { NX_NETDEV_RX_FREE };
    refused((const void *)longer, sizeof longer, tx);          // more than a record
    // RX_FREE twice: the second finds the slot the device's again.
    nf_put(&f, NX_NETDEV_RX_FREE, 0, 0);
    pass();
    refused(&ok, sizeof ok, rx);
    assert_int_equal(f.s.stats.tx_packets + f.s.stats.rx_drops, 0);
}

static void bad_lengths_give_the_slot_back_unsent(void **state)
{
    const uint16_t lens[] = { 0, SLOTS_ETH_HEADER - 1, NX_NETDEV_FRAME_MAX + 1, 0xffff };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        nf_put(&f, NX_NETDEV_TX, NF_TX0 + 7, lens[i]);
        pass();
        expect_record(NX_NETDEV_TX_DONE, NF_TX0 + 7, 0);
        assert_int_equal(f.s.stats.tx_errors, i + 1);
    }
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_TXQ].q), 0);
    // The limits themselves are frames.
    nf_put(&f, NX_NETDEV_TX, NF_TX0 + 7, SLOTS_ETH_HEADER);
    nf_put(&f, NX_NETDEV_TX, NF_TX0 + 8, NX_NETDEV_FRAME_MAX);
    pass();
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_TXQ].q), 2);
    assert_int_equal(f.s.stats.tx_errors, 4);
}

static void hostile_used_entries_are_counted_and_never_followed(void **state)
{
    struct virtq_desc d;
    int head = nf_device_next(&f, SLOTS_RXQ, &d);
    const uint32_t bad_len[] = { 0, VIRTIO_NET_HDR_SIZE + SLOTS_ETH_HEADER - 1,
                                 SLOTS_RX_BUF + 1, 0xffffffffu };
    for (size_t i = 0; i < sizeof bad_len / sizeof bad_len[0]; i++) {
        nf_device_use(&f, SLOTS_RXQ, (uint32_t)head, bad_len[i]);
        pass();
        expect_no_record();
        assert_int_equal(f.s.stats.rx_errors, i + 1);
        // Re-offered: the device finds the same slot at the end of the line.
        assert_int_equal(virtq_in_flight(&f.queue[SLOTS_RXQ].q), NX_NETDEV_RX_SLOTS);
        for (int h; (h = nf_device_next(&f, SLOTS_RXQ, &d)) >= 0;)
            head = h;
    }
    uint64_t rx_errors = f.s.stats.rx_errors;
    nf_device_use(&f, SLOTS_RXQ, VIRTQ_MAX_SIZE + 3, 60);     // no such descriptor
    nf_device_use(&f, SLOTS_RXQ, 0xffffffffu, 60);
    nf_device_use(&f, SLOTS_RXQ, (uint32_t)head, 60 + 12);    // in flight: taken...
    nf_device_use(&f, SLOTS_RXQ, (uint32_t)head, 60 + 12);    // ...not twice
    nf_device_use(&f, SLOTS_TXQ, 0, 0);                       // nothing was sent
    pass();
    assert_int_equal(f.s.stats.rx_errors, rx_errors + 3);
    assert_int_equal(f.s.stats.tx_errors, 1);
    assert_int_equal(f.s.stats.rx_packets, 1);
    struct nx_netdev_rec r;
    assert_true(nf_get(&f, &r));
    expect_no_record();
}

// The stack reads nothing: the ring to it fills (256 records), a frame is then dropped (its
// slot goes straight back to the device), a TX_DONE waits in the driver until there is room.
static void a_full_ring_drops_frames_but_no_slot(void **state)
{
    // A stack giving every slot back unread: 256 RX records fill the ring.
    for (unsigned i = 0; i < NX_NETDEV_RING_BYTES / 16; i++) {
        int slot = nf_device_receives(&f, arp_reply, sizeof arp_reply);
        pass();
        nf_put(&f, NX_NETDEV_RX_FREE, (uint16_t)slot, 0);
        pass();
    }
    assert_int_equal(f.s.stats.rx_packets, NX_NETDEV_RING_BYTES / 16);
    assert_int_equal(f.s.stats.rx_drops + f.s.stats.rx_errors, 0);
    assert_true(nf_device_receives(&f, arp_reply, sizeof arp_reply) >= 0);
    pass();
    assert_int_equal(f.s.stats.rx_drops, 1);
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_RXQ].q), NX_NETDEV_RX_SLOTS);
    nf_put(&f, NX_NETDEV_TX, NF_TX0, 60);
    pass();
    struct virtq_desc d;
    nf_device_use(&f, SLOTS_TXQ, (uint32_t)nf_device_next(&f, SLOTS_TXQ, &d), 0);
    pass();
    assert_int_equal(f.s.owner[NF_TX0], SLOT_UNTOLD);
    slots_link(&f.s, false);  // no room for that either
    struct nx_netdev_rec r;
    assert_true(nf_get(&f, &r));
    assert_true(nf_get(&f, &r));
    pass();
    assert_int_equal(f.s.owner[NF_TX0], SLOT_STACK);
    while (nf_get(&f, &r) && r.op != NX_NETDEV_TX_DONE)
        ;
    assert_int_equal(r.op, NX_NETDEV_TX_DONE);
    assert_int_equal(r.slot, NF_TX0);
    expect_record(NX_NETDEV_LINK, 0, 0);
    expect_no_record();
}

static void a_queue_shorter_than_the_slots_takes_turns(void **state)
{
    nf_init(&f, 64, true);
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_RXQ].q), 64);
    assert_int_equal(f.s.waiting[SLOTS_RXQ].count, NX_NETDEV_RX_SLOTS - 64);
    for (uint16_t i = 0; i < 100; i++)
        nf_put(&f, NX_NETDEV_TX, NF_TX0 + i, 60);
    pass();
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_TXQ].q), 64);
    assert_int_equal(f.s.waiting[SLOTS_TXQ].count, 36);
    for (unsigned sent = 0; sent < 100;) {
        struct virtq_desc d;
        for (int head; (head = nf_device_next(&f, SLOTS_TXQ, &d)) >= 0; sent++)
            nf_device_use(&f, SLOTS_TXQ, (uint32_t)head, 0);
        pass();
    }
    struct nx_netdev_rec r;
    assert_true(nf_get(&f, &r));  // LINK
    for (uint16_t i = 0; i < 100; i++)
        expect_record(NX_NETDEV_TX_DONE, NF_TX0 + i, 0);
    assert_int_equal(f.s.stats.tx_packets, 100);
}

static void a_broken_ring_stops_the_records_not_the_driver(void **state)
{
    struct nx_ring_shared *sh = f.to_driver.sh;
    sh->head = sh->tail + (1ull << 40);  // the stack's index impossible
    pass();
    assert_true(f.s.stack_broken);
    assert_int_equal(f.s.stats.tx_errors, 1);
    assert_true(slots_prepare_sleep(&f.s));
    assert_true(nf_device_receives(&f, arp_reply, sizeof arp_reply) >= 0);
    pass();
    assert_int_equal(f.s.stats.rx_drops, 1);
    assert_int_equal(virtq_in_flight(&f.queue[SLOTS_RXQ].q), NX_NETDEV_RX_SLOTS);
    // The ring to the stack broken the other way round.
    nf_init(&f, VIRTQ_MAX_SIZE, true);
    f.to_stack.sh->tail = f.to_stack.sh->head + 4096;
    assert_true(nf_device_receives(&f, arp_reply, sizeof arp_reply) >= 0);
    pass();
    assert_true(f.s.stack_broken);
    assert_int_equal(f.s.stats.rx_drops, 1);
}

static void link_changes_are_told_once(void **state)
{
    slots_link(&f.s, true);
    expect_no_record();
    slots_link(&f.s, false);
    slots_link(&f.s, false);
    expect_record(NX_NETDEV_LINK, 0, 0);
    expect_no_record();
    slots_link(&f.s, true);
    expect_record(NX_NETDEV_LINK, 0, 1);
}

// A device whose used index runs 1000 entries ahead: counted in passes of SLOTS_PASS_USED.
static void a_runaway_device_is_taken_in_bounded_passes(void **state)
{
    f.queue[SLOTS_RXQ].q.used->idx = 1000;
    assert_true(slots_pass(&f.s));
    assert_int_equal(f.s.stats.rx_errors, SLOTS_PASS_USED);
    assert_false(slots_pass(&f.s));
    assert_int_equal(f.s.stats.rx_errors, 1000);
    assert_null(nf_broken(&f));
}

static void the_driver_sleeps_only_on_an_empty_ring(void **state)
{
    assert_true(slots_prepare_sleep(&f.s));
    assert_int_equal(nf_put(&f, NX_NETDEV_RX_FREE, 1, 0), 1);  // the stack must signal
    slots_end_sleep(&f.s);
    assert_int_equal(nf_put(&f, NX_NETDEV_RX_FREE, 2, 0), 0);  // awake: no signal
    assert_false(slots_prepare_sleep(&f.s));
    pass();
    assert_true(slots_prepare_sleep(&f.s));
    // The driver's records wake a stack that sleeps, only then.
    assert_true(nx_ring_prepare_sleep(&f.to_stack));  // the stack sleeps
    assert_true(nf_device_receives(&f, arp_reply, sizeof arp_reply) >= 0);
    pass();
    assert_true(f.s.wake_stack);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
    const struct CMUnitTest tests[] = {
        T(every_rx_slot_is_offered_and_the_link_told_first),
        T(a_recorded_reply_arrives_in_place_and_goes_back),
        T(a_recorded_request_goes_out_of_its_slot),
        T(hostile_records_are_counted_and_change_nothing),
        T(bad_lengths_give_the_slot_back_unsent),
        T(hostile_used_entries_are_counted_and_never_followed),
        T(a_full_ring_drops_frames_but_no_slot),
        T(a_queue_shorter_than_the_slots_takes_turns),
        T(a_broken_ring_stops_the_records_not_the_driver),
        T(link_changes_are_told_once),
        T(a_runaway_device_is_taken_in_bounded_passes),
        T(the_driver_sleeps_only_on_an_empty_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

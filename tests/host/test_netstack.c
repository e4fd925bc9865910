// The stack's netif over the driver protocol (user/services/netstack/nic.c, nx/netdev.h)
// with lwIP, against frames as the wire carries them, through a driver faked in memory
// (netdev_fake.c): DHCP's exchange, ARP, a TCP handshake and a refused SYN, zero-copy
// receive, fragments copied, the tx slots running out, and records the driver must not be believed about.
// The tests share one stack and run in order (the address DHCP gives is used after).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include <lwip/dhcp.h>
#include <lwip/etharp.h>
#include <lwip/tcp.h>
#include <lwip/timeouts.h>
#include <lwip/udp.h>
#include <nexus/errors.h>
#include "link.h"
#include "netdev_fake.h"
#include "timers.h"

static const uint8_t peer_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define OUR_IP IP(10, 0, 2, 15)
#define PEER_IP IP(10, 0, 2, 2)
#define DNS_IP IP(10, 0, 2, 3)
#define ETH 14
#define IPH 20

// ---- frames ----

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)), put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += get16(p + i);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, peer_mac, 6);
    put16(f + 12, type);
}

// An IPv4 packet of len payload bytes (already at f + ETH + IPH) from src to dst.
static size_t ipv4(uint8_t *f, const uint8_t *dst_mac, uint8_t proto, uint32_t src, uint32_t dst,
                   size_t len)
{
    eth(f, dst_mac, 0x0800);
    uint8_t *h = f + ETH;
    memset(h, 0, IPH);
    h[0] = 0x45;
    put16(h + 2, (uint16_t)(IPH + len));
    h[8] = 64;
    h[9] = proto;
    put32(h + 12, src);
    put32(h + 16, dst);
    put16(h + 10, fold(sum(h, IPH, 0)));
    return ETH + IPH + len;
}

static uint32_t pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t len)
{
    return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + (uint32_t)len;
}

static size_t udp(uint8_t *f, const uint8_t *dst_mac, uint32_t src, uint32_t dst, uint16_t sport,
                  uint16_t dport, const void *data, size_t n)
{
    uint8_t *u = f + ETH + IPH;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)(8 + n));
    put16(u + 6, 0);   // no checksum (IPv4 allows it)
    memcpy(u + 8, data, n);
    return ipv4(f, dst_mac, 17, src, dst, 8 + n);
}

static size_t tcp_seg(uint8_t *f, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                      uint8_t flags)
{
    uint8_t *t = f + ETH + IPH;
    memset(t, 0, 20);
    put16(t, sport);
    put16(t + 2, dport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 65535);
    put16(t + 16, fold(sum(t, 20, pseudo(PEER_IP, OUR_IP, 6, 20))));
    return ipv4(f, fake_mac, 6, PEER_IP, OUR_IP, 20);
}

static size_t arp(uint8_t *f, uint16_t oper, const uint8_t *dst_mac, uint32_t target)
{
    eth(f, dst_mac, 0x0806);
    uint8_t *a = f + ETH;
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6, a[5] = 4;
    put16(a + 6, oper);
    memcpy(a + 8, peer_mac, 6);
    put32(a + 14, PEER_IP);
    memcpy(a + 18, oper == 1 ? (const uint8_t[6]){ 0 } : fake_mac, 6);
    put32(a + 24, target);
    return ETH + 28;
}

// A DHCP reply (op 2) of message type `type` for transaction xid.
static size_t dhcp_reply(uint8_t *f, uint8_t type, uint32_t xid)
{
    uint8_t b[300] = { 2, 1, 6, 0 };
    put32(b + 4, xid);
    put32(b + 16, OUR_IP);    // yiaddr
    put32(b + 20, PEER_IP);   // siaddr
    memcpy(b + 28, fake_mac, 6);
    put32(b + 236, 0x63825363);
    uint8_t *o = b + 240;
    *o++ = 53, *o++ = 1, *o++ = type;
    *o++ = 54, *o++ = 4, put32(o, PEER_IP), o += 4;
    *o++ = 51, *o++ = 4, put32(o, 86400), o += 4;
    *o++ = 1, *o++ = 4, put32(o, IP(255, 255, 255, 0)), o += 4;
    *o++ = 3, *o++ = 4, put32(o, PEER_IP), o += 4;
    *o++ = 6, *o++ = 4, put32(o, DNS_IP), o += 4;
    *o++ = 255;
    return udp(f, bcast, PEER_IP, IP(255, 255, 255, 255), 67, 68, b, sizeof b);
}

// ---- what the stack sends ----

static uint8_t out[NX_NETDEV_FRAME_MAX];
static size_t out_len;
static uint16_t out_slot;

// The next frame the stack sent (RX_FREE records skipped); false if none.
static bool next_tx(void)
{
    struct nx_netdev_rec rec;
    while (fake_take(&rec, out, &out_len, true))
        if (rec.op == NX_NETDEV_TX) {
            out_slot = rec.slot;
            return true;
        }
    return false;
}

static uint8_t dhcp_type(const uint8_t *frame)
{
    const uint8_t *o = frame + ETH + IPH + 8 + 240;
    while (o < frame + out_len && *o != 255)
        if (o[0] == 53)
            return o[2];
        else
            o += *o ? 2 + o[1] : 1;
    return 0;
}

// ---- tests ----

static void dhcp_discover_offer_request_ack_binds_the_address(void **state)
{
    (void)state;
    assert_int_equal(dhcp_start(&nic.netif), ERR_OK);
    assert_true(next_tx());
    assert_memory_equal(out, bcast, 6);
    assert_int_equal(get16(out + ETH + IPH + 2), 67);
    assert_int_equal(dhcp_type(out), 1);   // DISCOVER
    uint32_t xid = get32(out + ETH + IPH + 8 + 4);

    uint8_t f[600];
    assert_true(fake_rx(f, dhcp_reply(f, 2, xid)));   // OFFER
    link_poll();
    assert_true(next_tx());
    assert_int_equal(dhcp_type(out), 3);   // REQUEST
    xid = get32(out + ETH + IPH + 8 + 4);

    assert_true(fake_rx(f, dhcp_reply(f, 5, xid)));   // ACK
    link_poll();
    assert_true(dhcp_supplied_address(&nic.netif));
    assert_int_equal(lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(&nic.netif))), OUR_IP);
    assert_int_equal(lwip_ntohl(ip4_addr_get_u32(netif_ip4_gw(&nic.netif))), PEER_IP);
    assert_int_equal(lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(&nic.netif))),
                     IP(255, 255, 255, 0));
    fake_drain();
}

static void dhcp_reply_for_another_transaction_is_ignored(void **state)
{
    (void)state;
    uint8_t f[600];
    assert_true(fake_rx(f, dhcp_reply(f, 6, 0xdeadbeef)));   // NAK, wrong xid
    link_poll();
    assert_true(dhcp_supplied_address(&nic.netif));
}

static void arp_request_for_our_address_is_answered(void **state)
{
    (void)state;
    uint64_t copied = nic.stats.bytes_copied;
    for (unsigned i = 0; i < NX_NETDEV_TX_SLOTS; i++)
        memset(fake.arena + (size_t)(NX_NETDEV_RX_SLOTS + i) * NX_NETDEV_SLOT_SIZE, 0xaa,
               NX_NETDEV_FRAME_OFF);
    uint8_t f[64];
    assert_true(fake_rx(f, arp(f, 1, bcast, OUR_IP)));
    link_poll();
    assert_true(next_tx());
    assert_int_equal(out_len, ETH + 28);
    assert_memory_equal(out, peer_mac, 6);
    assert_memory_equal(out + 6, fake_mac, 6);
    assert_int_equal(get16(out + 12), 0x0806);
    assert_int_equal(get16(out + ETH + 6), 2);   // reply
    assert_memory_equal(out + ETH + 8, fake_mac, 6);
    assert_int_equal(get32(out + ETH + 14), OUR_IP);
    assert_int_equal(get32(out + ETH + 24), PEER_IP);
    // The one copy of a sent frame: into its tx slot, counted.
    assert_int_equal(nic.stats.bytes_copied - copied, ETH + 28);
    // The virtio-net header before the frame is zeroed (no offload asked).
    const uint8_t zero[NX_NETDEV_FRAME_OFF - NX_NETDEV_HDR_OFF] = { 0 };
    assert_memory_equal(fake.arena + (size_t)out_slot * NX_NETDEV_SLOT_SIZE + NX_NETDEV_HDR_OFF,
                        zero, sizeof zero);
    assert_false(next_tx());
}

static void arp_request_for_another_address_is_not_answered(void **state)
{
    (void)state;
    uint8_t f[64];
    assert_true(fake_rx(f, arp(f, 1, bcast, IP(10, 0, 2, 99))));
    link_poll();
    assert_false(next_tx());
}

static uint16_t slot_of_first_tx;

static void tcp_syn_to_a_listening_port_gets_syn_ack_and_extra_syns_are_refused(void **state)
{
    (void)state;
    struct tcp_pcb *pcb = tcp_new();
    assert_int_equal(tcp_bind(pcb, IP4_ADDR_ANY, 80), ERR_OK);
    err_t err;
    struct tcp_pcb *lp = tcp_listen_with_backlog_and_err(pcb, 1, &err);
    assert_non_null(lp);

    uint8_t f[128];
    assert_true(fake_rx(f, tcp_seg(f, 40000, 80, 1000, 0, 0x02)));   // SYN
    link_poll();
    assert_true(next_tx());
    assert_memory_equal(out, peer_mac, 6);
    assert_int_equal(out[ETH + 9], 6);
    const uint8_t *t = out + ETH + IPH;
    assert_int_equal(get16(t), 80);
    assert_int_equal(get16(t + 2), 40000);
    assert_int_equal(get32(t + 8), 1001);
    assert_int_equal(t[13] & 0x3f, 0x12);   // SYN+ACK
    // The checksum the stack computed is right.
    size_t tlen = get16(out + ETH + 2) - IPH;
    assert_int_equal(fold(sum(t, tlen, pseudo(OUR_IP, PEER_IP, 6, tlen))), 0);

    // The backlog (1) is full with the half-open connection: another SYN is refused.
    assert_true(fake_rx(f, tcp_seg(f, 40001, 80, 5000, 0, 0x02)));
    link_poll();
    assert_false(next_tx());

    // A SYN to a port nobody listens on: a reset.
    assert_true(fake_rx(f, tcp_seg(f, 40002, 81, 7000, 0, 0x02)));
    link_poll();
    assert_true(next_tx());
    assert_int_equal(out[ETH + IPH + 13] & 0x04, 0x04);
    tcp_close(lp);
}

static struct pbuf *held;
static void hold(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *a, u16_t port)
{
    (void)arg, (void)pcb, (void)a, (void)port;
    held = p;
}

static void received_frame_stays_in_its_slot_until_lwip_frees_it(void **state)
{
    (void)state;
    struct udp_pcb *u = udp_new();
    assert_int_equal(udp_bind(u, IP4_ADDR_ANY, 7), ERR_OK);
    udp_recv(u, hold, NULL);
    fake_drain();
    uint8_t f[128];
    const char msg[] = "zero copy";
    uint16_t slot = 0;
    while (!fake.rx_device[slot])   // fake_rx takes the device's first slot
        slot++;
    assert_true(fake_rx(f, udp(f, fake_mac, PEER_IP, OUR_IP, 9999, 7, msg, sizeof msg)));
    link_poll();
    assert_non_null(held);
    // The payload is the arena's bytes, not a copy.
    uint8_t *where = fake.arena + (size_t)slot * NX_NETDEV_SLOT_SIZE + NX_NETDEV_FRAME_OFF;
    assert_ptr_equal(held->payload, where + ETH + IPH + 8);
    assert_true(nic.rx_held[slot]);
    struct nx_netdev_rec rec;
    assert_false(fake_take(&rec, NULL, NULL, true));   // not returned yet
    pbuf_free(held);
    held = NULL;
    assert_true(fake_take(&rec, NULL, NULL, true));
    assert_int_equal(rec.op, NX_NETDEV_RX_FREE);
    assert_int_equal(rec.slot, slot);
    assert_false(nic.rx_held[slot]);
    udp_remove(u);
}

// An IPv4 fragment of a datagram id: n payload bytes at offset off (a multiple of 8).
static size_t fragment(uint8_t *f, uint16_t id, uint16_t off, bool more, const void *data, size_t n)
{
    memcpy(f + ETH + IPH, data, n);
    size_t len = ipv4(f, fake_mac, 17, PEER_IP, OUR_IP, n);
    uint8_t *h = f + ETH;
    put16(h + 4, id);
    put16(h + 6, (uint16_t)((more ? 0x2000 : 0) | off / 8));
    put16(h + 10, 0);
    put16(h + 10, fold(sum(h, IPH, 0)));
    return len;
}

// Reassembly keeps pointers inside the fragments' bytes, so a fragment is copied and its slot
// goes back at once: the driver rewriting the slot afterwards (here with 0xff) cannot steer
// the stack, and the datagram still arrives whole.
static void a_fragment_is_copied_and_its_slot_returned_at_once(void **state)
{
    (void)state;
    struct udp_pcb *u = udp_new();
    assert_int_equal(udp_bind(u, IP4_ADDR_ANY, 7), ERR_OK);
    udp_recv(u, hold, NULL);
    fake_drain();
    uint8_t udp_head[8 + 8], f[128];
    put16(udp_head, 9999), put16(udp_head + 2, 7), put16(udp_head + 4, 8 + 16), put16(udp_head + 6, 0);
    memcpy(udp_head + 8, "fragment", 8);
    uint16_t slot = 0;
    while (!fake.rx_device[slot])
        slot++;
    assert_true(fake_rx(f, fragment(f, 77, 0, true, udp_head, sizeof udp_head)));
    link_poll();
    assert_false(nic.rx_held[slot]);
    struct nx_netdev_rec rec;
    assert_true(fake_take(&rec, NULL, NULL, true));
    assert_int_equal(rec.op, NX_NETDEV_RX_FREE);
    assert_int_equal(rec.slot, slot);
    memset(fake.arena + (size_t)slot * NX_NETDEV_SLOT_SIZE, 0xff, NX_NETDEV_SLOT_SIZE);
    assert_null(held);
    assert_true(fake_rx(f, fragment(f, 77, 16, false, "-s whole", 8)));
    link_poll();
    assert_non_null(held);
    char got[16];
    assert_int_equal(pbuf_copy_partial(held, got, sizeof got, 0), 16);
    assert_memory_equal(got, "fragment-s whole", 16);
    pbuf_free(held);
    held = NULL;
    // A lone first fragment times out (ICMP time exceeded built from the copy, not the slot).
    assert_true(fake_rx(f, fragment(f, 78, 0, true, udp_head, sizeof udp_head)));
    link_poll();
    memset(fake.arena, 0xff, (size_t)NX_NETDEV_RX_SLOTS * NX_NETDEV_SLOT_SIZE);
    for (int i = 0; i < 20; i++) {
        fake_now_ms += 1000;
        sys_check_timeouts();
    }
    fake_drain();
    link_poll();   // the TX_DONEs of what the timeout sent
    assert_null(held);
    udp_remove(u);
}

static void tx_slots_running_out_drop_and_count(void **state)
{
    (void)state;
    uint64_t drops = nic.stats.tx_no_slot;
    ip4_addr_t who;
    IP4_ADDR(&who, 10, 0, 2, 77);
    for (unsigned i = 0; i < NX_NETDEV_TX_SLOTS + 3; i++)
        etharp_request(&nic.netif, &who);
    assert_int_equal(nic.stats.tx_no_slot - drops, 3);
    struct nx_netdev_rec rec;
    unsigned tx = 0;
    while (fake_take(&rec, NULL, NULL, false))   // not completed: the slots stay the driver's
        tx += rec.op == NX_NETDEV_TX;
    assert_int_equal(tx, NX_NETDEV_TX_SLOTS);
    // One slot back (TX_DONE): the next frame goes.
    slot_of_first_tx = NX_NETDEV_RX_SLOTS + 5;
    fake_record(NX_NETDEV_TX_DONE, slot_of_first_tx, 0);
    link_poll();
    etharp_request(&nic.netif, &who);
    assert_true(fake_take(&rec, NULL, NULL, false));
    assert_int_equal(rec.op, NX_NETDEV_TX);
    assert_int_equal(rec.slot, slot_of_first_tx);
    for (unsigned i = 0; i < NX_NETDEV_TX_SLOTS; i++)
        fake_record(NX_NETDEV_TX_DONE, (uint16_t)(NX_NETDEV_RX_SLOTS + i), 0);
    link_poll();
    for (unsigned i = 0; i < NX_NETDEV_TX_SLOTS; i++)
        assert_false(nic.tx_busy[i]);
}

static void records_the_driver_must_not_be_believed_about_are_refused(void **state)
{
    (void)state;
    uint64_t bad = nic.stats.bad_records;
    fake_record(NX_NETDEV_RX, NX_NETDEV_RX_SLOTS, 60);        // a tx slot as rx
    fake_record(NX_NETDEV_RX, 60000, 60);                     // out of range
    fake_record(NX_NETDEV_TX_DONE, 3, 0);                     // an rx slot as tx
    fake_record(NX_NETDEV_TX_DONE, NX_NETDEV_RX_SLOTS + 9, 0);// a tx slot the stack holds
    fake_record(NX_NETDEV_TX, NX_NETDEV_RX_SLOTS, 60);        // an operation of the stack's
    fake_record(99, 0, 0);
    uint8_t junk[3] = { 1, 2, 3 };
    nx_ring_push(&fake.to_stack, junk, sizeof junk);          // a record of the wrong size
    uint8_t f[64];
    fake_rx_slot(10, f, arp(f, 1, bcast, OUR_IP), NX_NETDEV_FRAME_MAX + 1);   // too long
    fake_rx_slot(11, f, arp(f, 1, bcast, OUR_IP), 0);                         // empty
    link_poll();
    assert_int_equal(nic.stats.bad_records - bad, 9);
    // The refused frames' slots went back to the device; nothing was answered.
    struct nx_netdev_rec rec;
    unsigned freed = 0, tx = 0;
    while (fake_take(&rec, NULL, NULL, true)) {
        freed += rec.op == NX_NETDEV_RX_FREE && (rec.slot == 10 || rec.slot == 11);
        tx += rec.op == NX_NETDEV_TX;
    }
    assert_int_equal(freed, 2);
    assert_int_equal(tx, 0);
    // A slot lwIP holds cannot be handed in twice.
    struct udp_pcb *u = udp_new();
    udp_bind(u, IP4_ADDR_ANY, 7);
    udp_recv(u, hold, NULL);
    held = NULL;
    fake_rx_slot(20, f, udp(f, fake_mac, PEER_IP, OUR_IP, 9999, 7, "x", 1), ETH + IPH + 9);
    link_poll();
    assert_non_null(held);
    bad = nic.stats.bad_records;
    fake_record(NX_NETDEV_RX, 20, 60);
    link_poll();
    assert_int_equal(nic.stats.bad_records - bad, 1);
    pbuf_free(held);
    udp_remove(u);
    fake_drain();
}

static void link_records_set_the_link(void **state)
{
    (void)state;
    fake_record(NX_NETDEV_LINK, 0, 0);
    link_poll();
    assert_false(netif_is_link_up(&nic.netif));
    fake_record(NX_NETDEV_LINK, 0, 1);
    link_poll();
    assert_true(netif_is_link_up(&nic.netif));
}

static void lwip_timers_run_on_the_fake_clock(void **state)
{
    (void)state;
    // Something is due (DHCP renewal, ARP aging) and it is not now.
    uint32_t wait = sys_timeouts_sleeptime();
    assert_true(wait > 0 && wait != SYS_TIMEOUTS_SLEEPTIME_INFINITE);
    fake_now_ms += wait;
    sys_check_timeouts();
    assert_true(sys_timeouts_sleeptime() > 0);
}

// lwIP's cyclic timers on demand (timers.c): with DHCP off, no ARP entry, no connection and
// nothing recent, no timeout is armed at all; an ARP request arms ARP's timer, which stops
// again once the entry it made has expired.
static void an_idle_stack_arms_no_timer(void **state)
{
    (void)state;
    timers_start();
    dhcp_release_and_stop(&nic.netif);
    etharp_cleanup_netif(&nic.netif);
    for (int i = 0; i < 400 && sys_timeouts_sleeptime() != SYS_TIMEOUTS_SLEEPTIME_INFINITE; i++) {
        fake_now_ms += 1000;   // the half-open connections of the SYN test time out
        sys_check_timeouts();
        timers_update();
        fake_drain();
        link_poll();
    }
    assert_int_equal(sys_timeouts_sleeptime(), SYS_TIMEOUTS_SLEEPTIME_INFINITE);

    ip4_addr_t who;
    IP4_ADDR(&who, 10, 0, 2, 88);
    etharp_query(&nic.netif, &who, NULL);
    timers_update();
    assert_true(sys_timeouts_sleeptime() <= 1000);
    fake_drain();
    for (int i = 0; i < 20; i++) {
        fake_now_ms += 1000;
        sys_check_timeouts();
        timers_update();
        fake_drain();
    }
    assert_int_equal(sys_timeouts_sleeptime(), SYS_TIMEOUTS_SLEEPTIME_INFINITE);
}

// Last: a driver whose ring indices are impossible is read no more.
static void a_corrupt_ring_from_the_driver_stops_reading_it(void **state)
{
    (void)state;
    fake.to_stack.sh->head = fake.to_stack.pos + (1u << 20);
    link_poll();
    assert_true(nic.broken);
    assert_true(link_prepare_sleep());
    assert_int_equal(link_poll(), 0);
}

int main(void)
{
    fake_start();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dhcp_discover_offer_request_ack_binds_the_address),
        cmocka_unit_test(dhcp_reply_for_another_transaction_is_ignored),
        cmocka_unit_test(arp_request_for_our_address_is_answered),
        cmocka_unit_test(arp_request_for_another_address_is_not_answered),
        cmocka_unit_test(tcp_syn_to_a_listening_port_gets_syn_ack_and_extra_syns_are_refused),
        cmocka_unit_test(received_frame_stays_in_its_slot_until_lwip_frees_it),
        cmocka_unit_test(a_fragment_is_copied_and_its_slot_returned_at_once),
        cmocka_unit_test(tx_slots_running_out_drop_and_count),
        cmocka_unit_test(records_the_driver_must_not_be_believed_about_are_refused),
        cmocka_unit_test(link_records_set_the_link),
        cmocka_unit_test(lwip_timers_run_on_the_fake_clock),
        cmocka_unit_test(an_idle_stack_arms_no_timer),
        cmocka_unit_test(a_corrupt_ring_from_the_driver_stops_reading_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

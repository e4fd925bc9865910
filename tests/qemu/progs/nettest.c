// The network driver alone (nx/netdev.h), from a client playing the stack: INFO, ATTACH, an
// ARP request for the gateway 10.0.2.2 from 10.0.2.15 through a tx slot, QEMU's user network
// answering into an rx slot, the slots going back; hostile records counted and dropped
// without harm; the counters in INFO and in the control VMO; a second ATTACH (a restarted
// stack) getting a reset device and fresh VMOs that work the same; the driver killed and
// restarted by init, and attached again. Powers off. With the
// argument "none" (a machine without the card): INFO fails in time instead of hanging.
#include <string.h>
#include <nx/netdev.h>
#include <nx/nx.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define TEST_NAME "nettest"
#include "expect.h"
#include "services.h"

#define WAIT_NS 5000000000ull       // for an answer from QEMU's user network
#define ARP_LEN 42                  // Ethernet header + ARP for IPv4
#define TX0 NX_NETDEV_RX_SLOTS      // the first tx slot

static const uint8_t our_ip[4] = { 10, 0, 2, 15 }, gateway_ip[4] = { 10, 0, 2, 2 };

// One attachment, seen from the stack's side.
struct attached {
    struct nx_netdev_info info;
    nx_handle_t arena, ctl, driver;
    uint8_t *arena_va, *ctl_va;
    struct nx_ring to_driver, to_stack;
};

static nx_handle_t netdev, notif;

static long map(nx_handle_t vmo, uint8_t **va)
{
    long size = nx_vmo_size(vmo);
    long addr = size < 0 ? size : nx_vm_map(nx_self, vmo, 0, 0, size, NX_PROT_READ | NX_PROT_WRITE);
    *va = (uint8_t *)addr;
    return addr < 0 ? addr : NX_OK;
}

static long attach(struct attached *a)
{
    struct nx_rpc_call c = { .op = NX_NETDEV_ATTACH, .rep = &a->info, .rep_cap = sizeof a->info,
                             .deadline = NX_DEADLINE_NEVER };
    c.send = (struct nx_rpc_handles){ 1, { notif }, { NX_RIGHT_SIGNAL | NX_XFER_COPY } };
    long err = nx_rpc(netdev, &c);
    if (err)
        return err;
    if (c.recv.count != 3 || c.rep_len != sizeof a->info)
        return NX_ERR_INVALID;
    a->arena = c.recv.h[0];
    a->ctl = c.recv.h[1];
    a->driver = c.recv.h[2];
    if ((err = map(a->arena, &a->arena_va)) || (err = map(a->ctl, &a->ctl_va)))
        return err;
    size_t ring = nx_ring_mem_size(NX_NETDEV_RING_BYTES);
    if ((err = nx_ring_attach(&a->to_driver, a->ctl_va + NX_NETDEV_CTL_TO_DRIVER, ring,
                              NX_RING_WRITER)) ||
        (err = nx_ring_attach(&a->to_stack, a->ctl_va + NX_NETDEV_CTL_TO_STACK, ring,
                              NX_RING_READER)))
        return err;
    a->to_driver.notif = a->driver;
    a->to_driver.bits = NX_NETDEV_BIT_TO_DRIVER;
    a->to_stack.notif = notif;
    a->to_stack.bits = NX_NETDEV_BIT_TO_STACK;
    return NX_OK;
}

static void detach(struct attached *a)
{
    nx_vm_unmap(nx_self, (long)a->arena_va, nx_vmo_size(a->arena));
    nx_vm_unmap(nx_self, (long)a->ctl_va, nx_vmo_size(a->ctl));
    nx_handle_close(a->arena);
    nx_handle_close(a->ctl);
    nx_handle_close(a->driver);
}

static long info(struct nx_netdev_info *out)
{
    return nx_rpc_call(netdev, NX_NETDEV_INFO, NULL, 0, out, sizeof *out, NX_DEADLINE_NEVER);
}

static long put(struct attached *a, uint16_t op, uint16_t slot, uint16_t len)
{
    struct nx_netdev_rec r = { op, slot, len, 0 };
    return nx_ring_write(&a->to_driver, &r, sizeof r);
}

static uint8_t *frame(struct attached *a, unsigned slot)
{
    return a->arena_va + slot * NX_NETDEV_SLOT_SIZE + NX_NETDEV_FRAME_OFF;
}

// Who has 10.0.2.2? Tell 10.0.2.15 (broadcast).
static void arp_request(struct attached *a, unsigned slot)
{
    static const uint8_t arp_ipv4[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };  // Ethernet, IPv4, request
    uint8_t *f = frame(a, slot);
    memset(f, 0xff, 6);
    memcpy(f + 6, a->info.mac, 6);
    f[12] = 0x08, f[13] = 0x06;
    memcpy(f + 14, arp_ipv4, 8);
    memcpy(f + 22, a->info.mac, 6);
    memcpy(f + 28, our_ip, 4);
    memset(f + 32, 0, 6);
    memcpy(f + 38, gateway_ip, 4);
}

// The gateway's answer to us: its address into mac.
static bool is_arp_reply(struct attached *a, const struct nx_netdev_rec *r, uint8_t mac[6])
{
    const uint8_t *f = frame(a, r->slot);
    if (r->len < ARP_LEN || f[12] != 0x08 || f[13] != 0x06 || f[20] != 0 || f[21] != 2 ||
        memcmp(f + 28, gateway_ip, 4) || memcmp(f + 32, a->info.mac, 6) ||
        memcmp(f + 38, our_ip, 4))
        return false;
    memcpy(mac, f + 22, 6);
    return true;
}

// Records until the tx slots in want_done are back and (if reply) the ARP reply came; every
// rx slot goes back to the driver. How many of the wanted things came.
static int await(struct attached *a, uint64_t want_done, uint8_t reply[6])
{
    uint64_t deadline = (uint64_t)nx_clock_get() + WAIT_NS, done = 0;
    bool replied = !reply;
    while (done != want_done || !replied) {
        struct nx_netdev_rec r;
        size_t len;
        if (nx_ring_read(&a->to_stack, &r, sizeof r, &len, deadline) || len != sizeof r)
            break;
        if (r.op == NX_NETDEV_TX_DONE && r.slot >= TX0 && r.slot < TX0 + 64)
            done |= 1ull << (r.slot - TX0);
        if (r.op == NX_NETDEV_RX) {
            replied |= reply && is_arp_reply(a, &r, reply);
            put(a, NX_NETDEV_RX_FREE, r.slot, 0);
        }
    }
    return __builtin_popcountll(done) + (reply && replied);
}

// The first record's op and length (op << 16 | len), or an error.
static long first_record(struct attached *a)
{
    struct nx_netdev_rec r;
    size_t len;
    long err = nx_ring_read(&a->to_stack, &r, sizeof r, &len, (uint64_t)nx_clock_get() + WAIT_NS);
    return err ? err : (long)r.op << 16 | r.len;
}

static void print_mac(const char *what, const uint8_t m[6])
{
    nx_printf(TEST_NAME ": %s %02x:%02x:%02x:%02x:%02x:%02x\n", what, m[0], m[1], m[2], m[3],
              m[4], m[5]);
}

// An ARP request out of tx slot `slot`, and the gateway's reply.
static void ask_the_gateway(struct attached *a, unsigned slot)
{
    uint8_t gw[6];
    arp_request(a, slot);
    expect("a TX record", put(a, NX_NETDEV_TX, (uint16_t)slot, ARP_LEN), NX_OK);
    expect("TX_DONE and the ARP reply", await(a, 1ull << (slot - TX0), gw), 2);
    print_mac("the gateway 10.0.2.2 is at", gw);
}

// Each of these is counted and dropped; the two of bad length on the stack's own tx slots
// come back with TX_DONE.
static void hostile_records(struct attached *a)
{
    put(a, NX_NETDEV_TX, 0, ARP_LEN);                          // an rx slot
    put(a, NX_NETDEV_TX, 999, ARP_LEN);                        // no such slot
    put(a, NX_NETDEV_TX, TX0 + 1, NX_NETDEV_FRAME_MAX + 1);    // too long
    put(a, NX_NETDEV_TX, TX0 + 2, 5);                          // shorter than a header
    put(a, NX_NETDEV_RX_FREE, TX0, 0);                         // a tx slot
    put(a, NX_NETDEV_RX_FREE, NX_NETDEV_RX_SLOTS - 1, 0);      // the device holds it (the last)
    put(a, 77, 3, 3);                                          // no such operation
    nx_ring_write(&a->to_driver, "bad!", 4);                   // not a record
    expect("bad lengths give the slots back", await(a, 6, NULL), 2);
}

static void check_counters(struct attached *a)
{
    struct nx_netdev_info i;
    expect("INFO", info(&i), NX_OK);
    expect("tx_errors: the 6 bad TX and other records", (long)i.stats.tx_errors, 6);
    expect("rx_errors: the 2 bad RX_FREE", (long)i.stats.rx_errors, 2);
    expect("tx_packets: two requests", (long)i.stats.tx_packets, 2);
    expect("tx_bytes", (long)i.stats.tx_bytes, 2 * ARP_LEN);
    expect("rx_packets: at least the two replies", i.stats.rx_packets >= 2, 1);
    expect("rx_bytes: at least theirs", i.stats.rx_bytes >= 2 * ARP_LEN, 1);
    expect("bytes_copied", (long)i.stats.bytes_copied, 0);
    expect("interrupts", i.stats.interrupts > 0, 1);
    const struct nx_netdev_ctl *ctl = (const void *)a->ctl_va;
    expect("the control VMO's counters", ctl->stats.tx_errors == 6 && ctl->stats.tx_packets == 2 &&
           ctl->stats.bytes_copied == 0, 1);
    nx_printf(TEST_NAME ": rx %llu packets %llu bytes, tx %llu packets %llu bytes, "
              "%llu interrupts\n", (unsigned long long)i.stats.rx_packets,
              (unsigned long long)i.stats.rx_bytes, (unsigned long long)i.stats.tx_packets,
              (unsigned long long)i.stats.tx_bytes, (unsigned long long)i.stats.interrupts);
}

static void with_card(void)
{
    struct nx_netdev_info i;
    expect("INFO before ATTACH", info(&i), NX_OK);
    expect("MTU, slots", i.mtu == NX_NETDEV_MTU && i.rx_slots == NX_NETDEV_RX_SLOTS &&
           i.tx_slots == NX_NETDEV_TX_SLOTS && i.slot_size == NX_NETDEV_SLOT_SIZE, 1);
    print_mac("the card is", i.mac);
    expect("ATTACH without a notification", nx_rpc_call(netdev, NX_NETDEV_ATTACH, NULL, 0, &i,
                                                        sizeof i, NX_DEADLINE_NEVER),
           NX_ERR_INVALID);
    struct attached a = { 0 };
    expect("ATTACH", attach(&a), NX_OK);
    expect("the same card", memcmp(a.info.mac, i.mac, 6), 0);
    expect("the first record: LINK up", first_record(&a), NX_NETDEV_LINK << 16 | 1);
    ask_the_gateway(&a, TX0);
    hostile_records(&a);
    ask_the_gateway(&a, TX0 + 3);
    check_counters(&a);

    detach(&a);
    struct attached b = { 0 };
    expect("ATTACH again (a restarted stack)", attach(&b), NX_OK);
    expect("its counters start at zero", b.info.stats.tx_packets + b.info.stats.tx_errors, 0);
    ask_the_gateway(&b, TX0 + 5);
    expect("INFO", info(&i), NX_OK);
    expect("one packet sent since", (long)i.stats.tx_packets, 1);
    expect("the driver logged the card", log_gets(", link up"), true);

    // The driver killed and restarted behind the same endpoint: the stack attaches again.
    detach(&b);
    kill_and_watch_restart(nx_startup_handle("proc"), NX_NETDEV_SERVICE);
    struct attached c = { 0 };
    expect("ATTACH to the restarted driver", attach(&c), NX_OK);
    expect("the first record: LINK up", first_record(&c), NX_NETDEV_LINK << 16 | 1);
    ask_the_gateway(&c, TX0);
}

int main(int argc, char **argv)
{
    netdev = nx_startup_handle(NX_NETDEV_SERVICE);
    notif = (nx_handle_t)nx_notification_create();
    if (argc > 1 && !strcmp(argv[1], "none")) {
        struct nx_netdev_info i;
        expect("INFO without the card", nx_rpc_call(netdev, NX_NETDEV_INFO, NULL, 0, &i, sizeof i,
                                                    (uint64_t)nx_clock_get() + WAIT_NS / 5),
               NX_ERR_TIMED_OUT);
        expect("the driver said so", log_gets("no network: no device"), true);
        expect("and exited with status 0", log_gets("netdev (pid"), true);
        expect("(init logged it)", log_gets("exited with status 0"), true);
    } else {
        with_card();
    }
    nx_printf(TEST_NAME ": %d failures\n", failures);
    return (int)nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                            NX_DEADLINE_NEVER);
}

// The netif over the network driver (nic.h, nx/netdev.h). Received frames stay where the
// device wrote them: each becomes a PBUF_REF pbuf over its arena slot, and the slot goes back
// to the driver (RX_FREE) when lwIP frees the pbuf. A frame to send is the stack's one copy:
// the pbuf chain into a free tx slot. Nothing the driver writes is trusted: a record naming a
// slot out of range, a slot the driver does not hold or a length over the frame maximum is
// counted and dropped.
#include <string.h>
#include <lwip/etharp.h>
#include <lwip/ip.h>
#include <lwip/snmp.h>
#include <netif/ethernet.h>
#include <nexus/errors.h>
#include "link.h"
#include "timers.h"

struct link nic;

static void push_record(uint16_t op, uint16_t slot, uint16_t len)
{
    struct nx_netdev_rec rec = { .op = op, .slot = slot, .len = len };
    long r = nx_ring_push(&nic.to_driver, &rec, sizeof rec);
    if (r == 1)
        nic.wake_driver = true;
    else if (r < 0)
        nic.stats.tx_no_slot++;
}

// lwIP is done with a received frame: its slot returns to the driver.
static void rx_pbuf_free(struct pbuf *p)
{
    struct rx_pbuf *rp = (struct rx_pbuf *)p;
    nic.rx_held[rp->slot] = false;
    push_record(NX_NETDEV_RX_FREE, rp->slot, 0);
}

// An IPv4 fragment (more fragments, or an offset): reassembly's timer must run.
static bool is_fragment(const uint8_t *frame, uint16_t len)
{
    return len >= SIZEOF_ETH_HDR + IP_HLEN && frame[12] == 0x08 && frame[13] == 0x00 &&
           ((frame[SIZEOF_ETH_HDR + 6] & 0x3f) | frame[SIZEOF_ETH_HDR + 7]) != 0;
}

// The frame where the device wrote it: lwIP reads it in place and frees it to the driver.
static struct pbuf *slot_pbuf(const struct nx_netdev_rec *rec, uint8_t *frame)
{
    struct rx_pbuf *rp = &nic.rxp[rec->slot];
    rp->slot = rec->slot;
    rp->pc.custom_free_function = rx_pbuf_free;
    nic.rx_held[rec->slot] = true;
    return pbuf_alloced_custom(PBUF_RAW, rec->len, PBUF_REF, &rp->pc, frame,
                               NX_NETDEV_SLOT_SIZE - NX_NETDEV_FRAME_OFF);
}

// A fragment is copied and its slot goes back at once: reassembly keeps its list pointers
// inside the fragments' bytes, and bytes in the arena stay writable by the driver, which must
// not be able to steer the stack's pointers. Fragments are rare; the copies are bounded by
// IP_REASS_MAX_PBUFS. With the heap full, the fragment is dropped, as a full queue would.
static struct pbuf *copy_fragment(const struct nx_netdev_rec *rec, const uint8_t *frame)
{
    timers_fragment_came();
    struct pbuf *p = pbuf_alloc(PBUF_RAW, rec->len, PBUF_RAM);
    if (p) {
        pbuf_take(p, frame, rec->len);
        nic.stats.bytes_copied += rec->len;
    } else
        nic.stats.rx_no_memory++;
    push_record(NX_NETDEV_RX_FREE, rec->slot, 0);
    return p;
}

static void take_rx(const struct nx_netdev_rec *rec)
{
    if (rec->slot >= nic.rx_slots || nic.rx_held[rec->slot] || rec->len == 0 ||
        rec->len > NX_NETDEV_FRAME_MAX) {
        nic.stats.bad_records++;
        // A slot in range that the stack does not hold goes back, so the device keeps it.
        if (rec->slot < nic.rx_slots && !nic.rx_held[rec->slot])
            push_record(NX_NETDEV_RX_FREE, rec->slot, 0);
        return;
    }
    uint8_t *frame = nic.arena + (size_t)rec->slot * NX_NETDEV_SLOT_SIZE + NX_NETDEV_FRAME_OFF;
    struct pbuf *p = is_fragment(frame, rec->len) ? copy_fragment(rec, frame)
                                                  : slot_pbuf(rec, frame);
    if (p && nic.netif.input(p, &nic.netif) != ERR_OK)
        pbuf_free(p);
}

static void take_tx_done(const struct nx_netdev_rec *rec)
{
    uint32_t i = (uint32_t)rec->slot - nic.rx_slots;
    if (rec->slot < nic.rx_slots || i >= nic.tx_slots || !nic.tx_busy[i]) {
        nic.stats.bad_records++;
        return;
    }
    nic.tx_busy[i] = false;
}

static void take_link(const struct nx_netdev_rec *rec)
{
    if (rec->len)
        netif_set_link_up(&nic.netif);
    else
        netif_set_link_down(&nic.netif);
}

unsigned link_poll(void)
{
    unsigned n = 0;
    struct nx_netdev_rec rec;
    size_t len;
    long r;
    while (!nic.broken && (r = nx_ring_pop(&nic.to_stack, &rec, sizeof rec, &len)) != NX_ERR_NOT_FOUND) {
        if (r == NX_ERR_BAD_STATE) {
            nic.broken = true;   // the indices are impossible: stop reading them
            nic.stats.bad_records++;
            break;
        }
        n++;
        if (r != NX_OK || len != sizeof rec) {
            nic.stats.bad_records++;
            continue;
        }
        switch (rec.op) {
        case NX_NETDEV_RX: take_rx(&rec); break;
        case NX_NETDEV_TX_DONE: take_tx_done(&rec); break;
        case NX_NETDEV_LINK: take_link(&rec); break;
        default: nic.stats.bad_records++; break;
        }
    }
    return n;
}

bool link_prepare_sleep(void)
{
    return nic.broken || nx_ring_prepare_sleep(&nic.to_stack);
}

static int free_tx_slot(void)
{
    for (uint32_t i = 0; i < nic.tx_slots; i++)
        if (!nic.tx_busy[i])
            return (int)i;
    return -1;
}

// The stack's one copy on transmit: the pbuf chain into a free tx slot, behind a zeroed
// virtio-net header (no offloads asked).
static err_t link_output(struct netif *netif, struct pbuf *p)
{
    (void)netif;
    int i = free_tx_slot();
    if (i < 0 || p->tot_len > NX_NETDEV_FRAME_MAX) {
        nic.stats.tx_no_slot++;
        return ERR_OK;   // dropped, like a full device queue: TCP retransmits
    }
    uint16_t slot = (uint16_t)(nic.rx_slots + (uint32_t)i);
    uint8_t *base = nic.arena + (size_t)slot * NX_NETDEV_SLOT_SIZE;
    memset(base + NX_NETDEV_HDR_OFF, 0, NX_NETDEV_FRAME_OFF - NX_NETDEV_HDR_OFF);
    uint16_t len = pbuf_copy_partial(p, base + NX_NETDEV_FRAME_OFF, p->tot_len, 0);
    struct nx_netdev_rec rec = { .op = NX_NETDEV_TX, .slot = slot, .len = len };
    long r = nx_ring_push(&nic.to_driver, &rec, sizeof rec);
    if (r < 0) {
        nic.stats.tx_no_slot++;
        return ERR_OK;
    }
    nic.tx_busy[i] = true;
    nic.stats.bytes_copied += len;
    if (len >= SIZEOF_ETH_HDR && base[NX_NETDEV_FRAME_OFF + 12] == 0x08 &&
        base[NX_NETDEV_FRAME_OFF + 13] == 0x06)
        timers_arp_sent();   // an entry may be pending: ARP's timer retries and expires it
    if (r == 1)
        nic.wake_driver = true;
    return ERR_OK;
}

static err_t link_netif_init(struct netif *netif)
{
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->output = etharp_output;
    netif->linkoutput = link_output;
    netif->mtu = NX_NETDEV_MTU;
    netif->hwaddr_len = ETH_HWADDR_LEN;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    return ERR_OK;
}

long link_attach(void *arena, size_t arena_size, void *ctl, const struct nx_netdev_info *info)
{
    if (info->rx_slots == 0 || info->rx_slots > NX_NETDEV_RX_SLOTS || info->tx_slots == 0 ||
        info->tx_slots > NX_NETDEV_TX_SLOTS || info->slot_size != NX_NETDEV_SLOT_SIZE ||
        (size_t)(info->rx_slots + info->tx_slots) * NX_NETDEV_SLOT_SIZE > arena_size)
        return NX_ERR_INVALID;
    nic.arena = arena;
    nic.ctl = ctl;
    nic.rx_slots = info->rx_slots;
    nic.tx_slots = info->tx_slots;
    uint8_t *c = ctl;
    size_t ring_mem = nx_ring_mem_size(NX_NETDEV_RING_BYTES);
    long err = nx_ring_attach(&nic.to_driver, c + NX_NETDEV_CTL_TO_DRIVER, ring_mem, NX_RING_WRITER);
    if (!err)
        err = nx_ring_attach(&nic.to_stack, c + NX_NETDEV_CTL_TO_STACK, ring_mem, NX_RING_READER);
    if (err)
        return NX_ERR_INVALID;
    if (!netif_add(&nic.netif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, NULL,
                   link_netif_init, ethernet_input))
        return NX_ERR_INVALID;
    memcpy(nic.netif.hwaddr, info->mac, ETH_HWADDR_LEN);
    netif_set_default(&nic.netif);
    return NX_OK;
}

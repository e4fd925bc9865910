// The network driver's side of nx/netdev.h in memory (netdev_fake.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lwip/init.h>
#include <lwip/netif.h>
#include <nexus/errors.h>
#include "link.h"
#include "netdev_fake.h"

struct netdev_fake fake;
const uint8_t fake_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

#define ARENA_SIZE ((NX_NETDEV_RX_SLOTS + NX_NETDEV_TX_SLOTS) * NX_NETDEV_SLOT_SIZE)

void fake_start(void)
{
    static bool lwip_ready;
    if (!fake.arena) {
        fake.arena = aligned_alloc(4096, ARENA_SIZE);
        fake.ctl = aligned_alloc(4096, 3 * 4096);
    }
    memset(fake.arena, 0, ARENA_SIZE);
    memset(fake.ctl, 0, 3 * 4096);
    size_t mem = nx_ring_mem_size(NX_NETDEV_RING_BYTES);
    nx_ring_format(&fake.to_driver, fake.ctl + NX_NETDEV_CTL_TO_DRIVER, mem);
    nx_ring_format(&fake.to_stack, fake.ctl + NX_NETDEV_CTL_TO_STACK, mem);
    for (size_t i = 0; i < NX_NETDEV_RX_SLOTS; i++)
        fake.rx_device[i] = true;
    struct nx_netdev_info info = { .link_up = 1, .mtu = NX_NETDEV_MTU,
                                   .rx_slots = NX_NETDEV_RX_SLOTS,
                                   .tx_slots = NX_NETDEV_TX_SLOTS,
                                   .slot_size = NX_NETDEV_SLOT_SIZE };
    memcpy(info.mac, fake_mac, sizeof info.mac);
    if (!lwip_ready)
        lwip_init();
    lwip_ready = true;
    if (link_attach(fake.arena, ARENA_SIZE, fake.ctl, &info) != NX_OK)
        abort();
    netif_set_up(&nic.netif);
    netif_set_link_up(&nic.netif);
}

void fake_record(uint16_t op, uint16_t slot, uint16_t len)
{
    struct nx_netdev_rec rec = { .op = op, .slot = slot, .len = len };
    nx_ring_push(&fake.to_stack, &rec, sizeof rec);
}

void fake_rx_slot(uint16_t slot, const void *frame, size_t n, uint16_t len)
{
    size_t room = NX_NETDEV_SLOT_SIZE - NX_NETDEV_FRAME_OFF;
    if (slot < NX_NETDEV_RX_SLOTS) {
        memcpy(fake.arena + (size_t)slot * NX_NETDEV_SLOT_SIZE + NX_NETDEV_FRAME_OFF, frame,
               n < room ? n : room);
        fake.rx_device[slot] = false;
    }
    fake_record(NX_NETDEV_RX, slot, len);
}

bool fake_rx(const void *frame, size_t n)
{
    for (uint16_t i = 0; i < NX_NETDEV_RX_SLOTS; i++) {
        if (fake.rx_device[i]) {
            fake_rx_slot(i, frame, n, (uint16_t)n);
            return true;
        }
    }
    return false;
}

bool fake_take(struct nx_netdev_rec *rec, uint8_t *frame, size_t *len, bool complete)
{
    size_t n;
    if (nx_ring_pop(&fake.to_driver, rec, sizeof *rec, &n) != NX_OK || n != sizeof *rec)
        return false;
    if (rec->op == NX_NETDEV_RX_FREE && rec->slot < NX_NETDEV_RX_SLOTS)
        fake.rx_device[rec->slot] = true;
    if (rec->op == NX_NETDEV_TX && frame && rec->len <= NX_NETDEV_FRAME_MAX) {
        memcpy(frame, fake.arena + (size_t)rec->slot * NX_NETDEV_SLOT_SIZE + NX_NETDEV_FRAME_OFF,
               rec->len);
        *len = rec->len;
    }
    if (rec->op == NX_NETDEV_TX && complete)
        fake_record(NX_NETDEV_TX_DONE, rec->slot, 0);
    return true;
}

unsigned fake_drain(void)
{
    struct nx_netdev_rec rec;
    unsigned tx = 0;
    while (fake_take(&rec, NULL, NULL, true))
        tx += rec.op == NX_NETDEV_TX;
    return tx;
}

// ---- the port's system side (user/services/netstack/main.c on the target) ----

uint32_t fake_now_ms;

u32_t sys_now(void)
{
    return fake_now_ms;
}

uint32_t netstack_random(void)
{
    static uint32_t x = 12345;
    x = x * 1103515245u + 12345u;
    return x >> 1;
}

void netstack_diag(const char *fmt, ...)
{
    (void)fmt;
}

void netstack_assert(const char *msg, const char *file, int line)
{
    fprintf(stderr, "lwIP assertion: %s (%s:%d)\n", msg, file, line);
    abort();
}

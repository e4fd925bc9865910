#pragma once
// The network driver's side of nx/netdev.h in memory, for the stack's host test and fuzzer:
// an arena and a control VMO in a buffer, the rings formatted as the driver formats them,
// the stack's netif (user/services/netstack/link.c) attached to them.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/netdev.h>
#include <nx/ring.h>

struct netdev_fake {
    uint8_t *arena;
    uint8_t *ctl;
    struct nx_ring to_stack;    // the driver writes
    struct nx_ring to_driver;   // the driver reads
    bool rx_device[NX_NETDEV_RX_SLOTS];   // rx slots the device holds
};

extern struct netdev_fake fake;
extern const uint8_t fake_mac[6];
extern uint32_t fake_now_ms;   // sys_now()

// lwIP initialised and the netif attached to a fresh fake driver, up, link up.
void fake_start(void);
// A frame arriving in rx slot `slot` (the device must hold it): the record to the stack.
// len may lie (the stack must refuse); the frame's bytes are copied up to the slot's end.
void fake_rx_slot(uint16_t slot, const void *frame, size_t n, uint16_t len);
// A frame arriving in the first rx slot the device holds; false if it holds none.
bool fake_rx(const void *frame, size_t n);
// Any record to the stack.
void fake_record(uint16_t op, uint16_t slot, uint16_t len);
// The next record to the driver, false if none. A RX_FREE gives the slot to the device
// again; a TX's frame is copied to frame/len (if not NULL) and its slot given back (TX_DONE)
// when `complete`.
bool fake_take(struct nx_netdev_rec *rec, uint8_t *frame, size_t *len, bool complete);
// Take every record to the driver, completing every transmission; how many TX there were.
unsigned fake_drain(void);

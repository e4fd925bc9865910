#pragma once
// The netif over the network driver (nx/netdev.h): frames in the driver's arena, slot
// ownership by records in the control VMO's two rings. Pure (no system call): the caller maps
// the VMOs and signals the driver when `wake_driver` is set, so the host tests drive it with
// VMOs faked in memory.
#include <stdbool.h>
#include <stdint.h>
#include <lwip/netif.h>
#include <lwip/pbuf.h>
#include <nx/netdev.h>
#include <nx/ring.h>

// A received frame handed to lwIP without a copy: a PBUF_REF pbuf over its arena slot; its
// free function gives the slot back to the driver.
struct rx_pbuf {
    struct pbuf_custom pc;
    uint16_t slot;
};

struct link_stats {
    uint64_t tx_no_slot;      // frames dropped: no free tx slot (or the ring to the driver full)
    uint64_t rx_no_memory;    // fragments dropped: no heap to copy them into
    uint64_t bad_records;     // records from the driver refused (slot, length, operation)
    uint64_t bytes_copied;    // payload bytes the stack copied (tx and fragments here; rx in the sockets)
};

struct link {
    struct netif netif;
    uint8_t *arena;
    const struct nx_netdev_ctl *ctl;   // the driver's counters (untrusted numbers)
    uint32_t rx_slots, tx_slots;
    struct nx_ring to_driver;   // the stack writes
    struct nx_ring to_stack;    // the stack reads
    bool rx_held[NX_NETDEV_RX_SLOTS];   // rx slots lwIP holds (RX came, RX_FREE not yet sent)
    bool tx_busy[NX_NETDEV_TX_SLOTS];   // tx slots the driver holds (TX sent, no TX_DONE yet)
    struct rx_pbuf rxp[NX_NETDEV_RX_SLOTS];
    bool wake_driver;           // a record went to a driver that sleeps: signal it
    bool broken;                // the driver's ring is corrupt: nothing more is read from it
    struct link_stats stats;
};

extern struct link nic;

// Attach to the driver's arena (arena_size bytes) and control VMO (ctl, NX_NETDEV_CTL_SIZE
// bytes) as `info` describes them, and add the netif (not yet up). NX_ERR_INVALID if the
// geometry does not match what nx/netdev.h fixes or the rings are not formatted.
long link_attach(void *arena, size_t arena_size, void *ctl, const struct nx_netdev_info *info);
// Take every record the driver wrote: frames into lwIP, tx slots back, link changes.
// Returns how many records were taken.
unsigned link_poll(void);
// Before sleeping: announce it on the ring from the driver; false if records came meanwhile.
bool link_prepare_sleep(void);

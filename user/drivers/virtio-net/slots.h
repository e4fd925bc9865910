#pragma once
// The virtio-net driver's bookkeeping (docs/network.md, "The driver"), pure: no system calls,
// host-tested and fuzzed. Who holds each arena slot (the stack, the device, or the driver
// between the two), the records from the stack checked and followed, the device's used
// entries checked and turned into records for the stack. The caller owns the memory (queues,
// arena, control VMO) and makes the system calls a pass asks for (kick, wake_stack).
#include <stdbool.h>
#include <stdint.h>
#include <nx/netdev.h>
#include <nx/ring.h>
#include <nx/virtq.h>

#define SLOTS_TOTAL (NX_NETDEV_RX_SLOTS + NX_NETDEV_TX_SLOTS)
#define SLOTS_PAGE 4096u
#define SLOTS_ARENA_PAGES (SLOTS_TOTAL * NX_NETDEV_SLOT_SIZE / SLOTS_PAGE)
#define SLOTS_CTL_PAGES ((NX_NETDEV_CTL_SIZE + SLOTS_PAGE - 1) / SLOTS_PAGE)
#define SLOTS_ETH_HEADER 14u   // the shortest frame either way: an Ethernet header
// What a receive buffer offers the device: the virtio-net header and the longest frame.
#define SLOTS_RX_BUF (12u + NX_NETDEV_FRAME_MAX)
// Most records taken from the stack, and most used entries from each queue, in one pass: a
// flooding stack or a runaway device cannot keep the driver from its other work.
#define SLOTS_PASS_RECORDS 512u
#define SLOTS_PASS_USED 512u

enum { SLOTS_RXQ, SLOTS_TXQ, SLOTS_QUEUES };

enum slot_owner {
    SLOT_STACK,    // the stack's: an rx slot holding a frame it was told of, a free tx slot
    SLOT_DEVICE,   // in a descriptor the device holds
    SLOT_QUEUED,   // the driver's, waiting for a free descriptor
    SLOT_UNTOLD,   // a sent tx slot whose TX_DONE found the ring to the stack full
};

// Slots in order; each slot is in at most one at a time (its owner says which).
struct slot_fifo {
    uint16_t slot[SLOTS_TOTAL];
    uint16_t first, count;
};

struct slots {
    struct virtq *q[SLOTS_QUEUES];        // receiveq1, transmitq1: set up by the caller
    uint8_t *arena;                       // mapped
    const uint64_t *arena_pa;             // each arena page's physical address
    struct nx_netdev_ctl *ctl;
    struct nx_ring to_driver;             // the driver reads
    struct nx_ring to_stack;              // the driver writes
    uint8_t owner[SLOTS_TOTAL];           // enum slot_owner
    uint16_t len[SLOTS_TOTAL];            // a tx slot's frame length, from its TX record
    uint16_t slot_of[SLOTS_QUEUES][VIRTQ_MAX_SIZE];  // the slot of each chain head in flight
    struct slot_fifo waiting[SLOTS_QUEUES];          // SLOT_QUEUED slots, per queue
    struct slot_fifo untold;                         // SLOT_UNTOLD slots
    bool link_up, link_untold;
    bool stack_broken;                    // the stack broke a ring: no records either way
    struct nx_netdev_stats stats;
    // After a pass, what the caller must do: notify a queue, signal the stack's notification.
    bool kick[SLOTS_QUEUES];
    bool wake_stack;
};

// Start over (a new attachment) on emptied queues, the arena (SLOTS_ARENA_PAGES pages at
// arena, physically at arena_pa[]) and the control VMO's NX_NETDEV_CTL_SIZE bytes at ctl:
// both rings formatted, counters zero, every tx slot the stack's, every rx slot queued for
// the device, a LINK record for the stack.
void slots_init(struct slots *s, struct virtq *rxq, struct virtq *txq, uint8_t *arena,
                const uint64_t *arena_pa, void *ctl, bool link_up);
// The link went up or down: a LINK record (once per change).
void slots_link(struct slots *s, bool up);
// One pass: the device's used entries, the stack's records, records owed to the stack, free
// descriptors to queued slots, counters to the control VMO. True if work was left for
// another pass (SLOTS_PASS_*).
bool slots_pass(struct slots *s);
// Before sleeping: true to sleep, false if the stack wrote records meanwhile (nx/ring.h).
bool slots_prepare_sleep(struct slots *s);
void slots_end_sleep(struct slots *s);

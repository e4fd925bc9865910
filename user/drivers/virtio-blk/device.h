#pragma once
// The virtio-blk device: probe, start, requests and their completion interrupts. Requests come
// from several threads at once (one waiter each); the interrupt thread finishes them.
#include <stdbool.h>
#include <stdint.h>
#include <nx/blk.h>
#include "request.h"

#define DEV_WAITERS 4  // threads that may have a request in flight at once

// Take the block device init granted under `grant` (virtio:blk) and start it (features, one
// queue, interrupts on). Returns NULL, or why not.
const char *dev_start(const char *grant);
// Capacity in sectors, and the most sectors one request may move.
uint64_t dev_capacity(void);
uint32_t dev_max_blocks(void);
// Run one request for waiter w (< DEV_WAITERS, one request at a time each) and wait for it:
// type VIRTIO_BLK_T_*, data segs (none for a flush). NX_OK, or NX_ERR_IO if the device
// failed it.
long dev_request(unsigned w, uint32_t type, uint64_t sector, const struct blk_seg *segs,
                 size_t nsegs);
// Serve completion interrupts until the notification fails: each wakes the waiters whose
// requests the device finished, then acks the IRQ.
void dev_interrupt_loop(void);
// Counters (nx_blk_stats) under the device lock.
void dev_stats(struct nx_blk_stats *out);

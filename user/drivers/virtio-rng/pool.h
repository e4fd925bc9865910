#pragma once
// The entropy pool of the virtio-rng driver: bytes the device wrote into one pinned page, taken
// from the end so that the free room the device fills next is always one run at the page's
// tail. A byte is handed out once: taking wipes it. Pure bookkeeping (host-tested).
#include <stdbool.h>
#include <stdint.h>

struct rng_pool {
    uint8_t *buf;
    uint32_t cap;
    uint32_t len;  // bytes held: buf[0..len)
};

void rng_pool_init(struct rng_pool *p, uint8_t *buf, uint32_t cap);
// The room the device may fill: buf[len..cap).
uint32_t rng_pool_room(const struct rng_pool *p);
// The device wrote n bytes at the room's start: false (nothing counted) when n exceeds the
// room (a broken device).
bool rng_pool_added(struct rng_pool *p, uint32_t n);
// Move the last n bytes to out and wipe them: false (nothing taken) when fewer are held.
bool rng_pool_take(struct rng_pool *p, void *out, uint32_t n);
// Whether a client may ask for n bytes: NX_OK, NX_ERR_INVALID (0) or NX_ERR_TOO_BIG (more than
// NX_RNG_MAX).
long rng_check_size(uint64_t n);

// The virtio entropy driver (service "rng"): drives the virtio-rng device in the slot init
// granted it (virtio:rng). The device fills a pool of one pinned page by DMA through its one
// queue (requestq), the driver sleeping on the device's interrupt meanwhile; clients take up to
// NX_RNG_MAX bytes per request (nx/random.h), refilled from the device whenever the pool holds
// too few. No device: it says so in the log and exits with status 0 (docs/userspace.md,
// "Entropy").
#include <stdbool.h>
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/random.h>
#include <nx/rpc.h>
#include <nx/startup.h>
#include <nx/virtio.h>
#include <nx/virtq.h>
#include "pool.h"

#define GRANT_VIRTIO "virtio:rng"  // the device's slot, its IRQ object and notification

// A request the device has not served within this fails (QEMU's answers at once: its backend
// is the host's random source); also bounds a device that keeps writing nothing.
#define DEVICE_TIMEOUT_NS 1000000000ull

// The pinned pages: the queue's rings, then the pool.
enum { PAGE_DESC, PAGE_AVAIL, PAGE_USED, PAGE_POOL, PAGES };

static struct virtio_dev dev;
static struct virtq q;
static uint64_t pa[PAGES];
static struct rng_pool pool;
static bool in_flight;  // the pool's room is the device's: no take until it is back

static const char *start(void)
{
    uint8_t *mem;
    uint64_t features;
    const char *why = virtio_take(GRANT_VIRTIO, VIRTIO_ID_ENTROPY, &dev);
    if (why)
        return why;
    why = virtio_begin(&dev, 0, &features);
    if (!why)
        why = virtio_dma_alloc(PAGES, (void **)&mem, pa, NULL);
    if (!why)
        why = virtio_queue(&dev, 0, 1, &q, mem + PAGE_DESC * VIRTIO_PAGE, pa + PAGE_DESC);
    if (why) {
        virtio_fail(&dev);
        return why;
    }
    rng_pool_init(&pool, mem + PAGE_POOL * VIRTIO_PAGE, VIRTIO_PAGE);
    virtio_ready(&dev);
    return NULL;
}

// Offer the pool's room to the device, unless it holds it already.
static void offer_room(void)
{
    if (in_flight)
        return;
    struct virtq_buf room = { pa[PAGE_POOL] + pool.len, rng_pool_room(&pool), true };
    in_flight = virtq_submit(&q, &room, 1) >= 0;  // one descriptor of a free queue: never fails
    virtio_notify(&dev, 0);
}

// Sleep on the device's interrupt until it gives the room back, then count what it wrote.
static long refill(uint64_t deadline)
{
    offer_room();
    for (;;) {
        uint32_t len;
        int head = virtq_take(&q, &len);
        if (head >= 0) {
            in_flight = false;
            return rng_pool_added(&pool, len) ? NX_OK : NX_ERR_IO;
        }
        if (head == -2)
            continue;  // a chain the device made up: skipped
        long err = virtio_wait(&dev, deadline);
        if (err)
            return err;  // the room stays the device's: the next request waits for it
        nx_irq_ack(dev.irq);
    }
}

static long read_bytes(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_rng_read r;
    memcpy(&r, req->data, sizeof r);
    uint64_t deadline = (uint64_t)nx_clock_get() + DEVICE_TIMEOUT_NS;
    long err = rng_check_size(r.bytes);
    while (!err && (in_flight || pool.len < r.bytes))
        err = refill(deadline);
    if (err)
        return err;
    rng_pool_take(&pool, req->reply, (uint32_t)r.bytes);
    req->reply_len = r.bytes;
    return NX_OK;
}

int main(void)
{
    int status;
    nx_handle_t serve = virtio_serve_handle(GRANT_VIRTIO, "entropy", &status);
    if (!serve)
        return status;  // no endpoint, or no entropy device: logged
    const char *why = start();
    long err = why ? NX_OK : refill((uint64_t)nx_clock_get() + DEVICE_TIMEOUT_NS);
    if (why || err) {
        nx_log(NX_LOG_ERROR, "%s (%ld)", why ? why : "the device gives no bytes", err);
        return 1;
    }
    nx_log(NX_LOG_INFO, "pool of %u bytes, %u filled", pool.cap, pool.len);
    static const struct nx_rpc_op ops[] = {
        { NX_RNG_READ, sizeof(struct nx_rng_read), sizeof(struct nx_rng_read), read_bytes },
    };
    static const struct nx_rpc_server server = { ops, 1, NULL, NULL };
    nx_rpc_serve(serve, &server);
    return 0;
}

// The virtio-blk device (device.h): virtio 1.x over MMIO with one split virtqueue whose
// rings, request headers and status bytes live in one VMO the device reaches by DMA; request
// data goes straight to and from the clients' pages (segments from request.c).
#include "device.h"
#include <stdatomic.h>
#include <string.h>
#include <nx/nx.h>
#include <nx/virtio.h>
#include <nx/virtq.h>
#include "blk_proto.h"

// The queue VMO's pages: descriptor table, available ring, used ring, and one 32-byte record
// per waiter (request header, then the status byte the device writes).
enum { QPAGE_DESC, QPAGE_AVAIL, QPAGE_USED, QPAGE_REQS, QPAGES };
#define REQ_STRIDE 32
#define STATUS_AT 16
#define STATUS_UNSET 0xff  // not a status the device writes: a request it never finished

static struct virtio_dev dev;
static uint8_t *qmem;            // the queue VMO, mapped
static uint64_t qpa[QPAGES];     // and its pages' physical addresses
static uint64_t capacity;
static uint32_t max_blocks;
static bool can_flush;

// Only with the lock held: the queue, owner[], stats.
static atomic_flag lock_flag = ATOMIC_FLAG_INIT;
static struct virtq q;
static uint8_t owner[VIRTQ_MAX_SIZE];  // chain head -> waiter
static struct nx_blk_stats stats;

static struct {
    nx_handle_t wake;          // signalled when its request is done
    _Atomic bool done;
} waiters[DEV_WAITERS];

static void lock(void)
{
    while (atomic_flag_test_and_set_explicit(&lock_flag, memory_order_acquire))
        nx_yield();
}

static void unlock(void)
{
    atomic_flag_clear_explicit(&lock_flag, memory_order_release);
}

// ---- start ----

// Capacity and limits from the configuration space.
static const char *read_config(uint64_t features)
{
    uint32_t cfg[4];
    virtio_config_read(&dev, VIRTIO_BLK_CFG_CAPACITY, cfg, 4);
    capacity = cfg[0] | (uint64_t)cfg[1] << 32;
    max_blocks = BLK_MAX_BLOCKS;
    uint32_t seg_max = cfg[VIRTIO_BLK_CFG_SEG_MAX / 4];
    // A request of n data segments may need n pages of them, and an unaligned one more.
    if ((features & VIRTIO_BLK_F_SEG_MAX) && seg_max < BLK_MAX_PAGES)
        max_blocks = seg_max > 1 ? (seg_max - 1) * (BLK_PAGE / BLK_SECTOR) : 0;
    can_flush = features & VIRTIO_BLK_F_FLUSH;
    return max_blocks ? NULL : "the device takes too few segments per request";
}

// One queue whose rings, request headers and status bytes live in one pinned VMO.
static const char *setup_queue(void)
{
    const char *why = virtio_dma_alloc(QPAGES, (void **)&qmem, qpa, NULL);
    // The longest request (header, a descriptor per page, status) must fit the queue.
    if (!why)
        why = virtio_queue(&dev, 0, 4, &q, qmem + QPAGE_DESC * BLK_PAGE, qpa + QPAGE_DESC);
    if (!why && BLK_PAGE / BLK_SECTOR * (q.size - 3u) < max_blocks)
        max_blocks = BLK_PAGE / BLK_SECTOR * (q.size - 3u);
    return why;
}

static const char *make_waiters(void)
{
    for (unsigned i = 0; i < DEV_WAITERS; i++) {
        long n = nx_notification_create();
        if (n < 0)
            return "no notification";
        waiters[i].wake = (nx_handle_t)n;
    }
    return NULL;
}

// Features: VERSION_1 (required), FLUSH and SEG_MAX when offered; nothing else. A failure
// after the device was found marks it FAILED.
const char *dev_start(const char *grant)
{
    const char *why = virtio_take(grant, VIRTIO_ID_BLOCK, &dev);
    if (why)
        return why;
    uint64_t features;
    why = virtio_begin(&dev, VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_SEG_MAX, &features);
    if (!why)
        why = read_config(features);
    if (!why)
        why = setup_queue();
    if (!why)
        why = make_waiters();
    if (why) {
        virtio_fail(&dev);
        return why;
    }
    virtio_ready(&dev);
    return NULL;
}

uint64_t dev_capacity(void)
{
    return capacity;
}

uint32_t dev_max_blocks(void)
{
    return max_blocks;
}

// ---- requests ----

static void count(uint32_t type, long result, uint64_t bytes)
{
    lock();
    if (result != NX_OK)
        stats.errors++;
    else if (type == VIRTIO_BLK_T_FLUSH)
        stats.flushes++;
    else if (type == VIRTIO_BLK_T_IN)
        stats.reads++;
    else
        stats.writes++;
    if (result == NX_OK)
        stats.bytes += bytes;
    unlock();
}

// Offer the chain to the device, waiting while the queue lacks descriptors for it.
static void submit(unsigned w, const struct virtq_buf *bufs, uint16_t n)
{
    lock();
    int head;
    while ((head = virtq_submit(&q, bufs, n)) < 0) {
        unlock();
        nx_yield();
        lock();
    }
    owner[head] = (uint8_t)w;
    if (virtq_in_flight(&q) > stats.max_in_flight)
        stats.max_in_flight = virtq_in_flight(&q);
    unlock();
    virtio_notify(&dev, 0);
}

long dev_request(unsigned w, uint32_t type, uint64_t sector, const struct blk_seg *segs,
                 size_t nsegs)
{
    if (type == VIRTIO_BLK_T_FLUSH && !can_flush)
        return NX_OK;  // no FLUSH feature: the device writes through (virtio 1.x, 5.2.6.2)
    uint8_t *rec = qmem + QPAGE_REQS * BLK_PAGE + w * REQ_STRIDE;
    uint64_t rec_pa = qpa[QPAGE_REQS] + w * REQ_STRIDE;
    struct virtio_blk_req hdr = { .type = type, .sector = sector };
    memcpy(rec, &hdr, sizeof hdr);
    volatile uint8_t *status = rec + STATUS_AT;
    *status = STATUS_UNSET;
    struct virtq_buf bufs[BLK_MAX_PAGES + 2];
    uint16_t n = 0;
    uint64_t bytes = 0;
    bufs[n++] = (struct virtq_buf){ rec_pa, sizeof hdr, false };
    for (size_t i = 0; i < nsegs; i++, n++) {
        bufs[n] = (struct virtq_buf){ segs[i].addr, segs[i].len, type == VIRTIO_BLK_T_IN };
        bytes += segs[i].len;
    }
    bufs[n++] = (struct virtq_buf){ rec_pa + STATUS_AT, 1, true };
    atomic_store(&waiters[w].done, false);
    submit(w, bufs, n);
    uint64_t bits;
    while (!atomic_load(&waiters[w].done))
        nx_notify_wait_bits(waiters[w].wake, NX_DEADLINE_NEVER, &bits);
    long result = *status == VIRTIO_BLK_S_OK ? NX_OK : NX_ERR_IO;
    count(type, result, bytes);
    return result;
}

// Wake the waiter of every chain the device finished.
static void finish_used(void)
{
    lock();
    uint32_t len;
    for (int head; (head = virtq_take(&q, &len)) != -1;) {
        if (head < 0)
            continue;  // a head the device made up: nobody waits for it
        atomic_store(&waiters[owner[head]].done, true);
        nx_notify_signal(waiters[owner[head]].wake, 1);
    }
    unlock();
}

void dev_interrupt_loop(void)
{
    while (virtio_wait(&dev, NX_DEADLINE_NEVER) == NX_OK) {
        finish_used();
        nx_irq_ack(dev.irq);
    }
}

void dev_stats(struct nx_blk_stats *out)
{
    lock();
    *out = stats;
    unlock();
}

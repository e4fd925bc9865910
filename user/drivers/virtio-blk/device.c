// The virtio-blk device (device.h): virtio 1.x over MMIO with one split virtqueue whose
// rings, request headers and status bytes live in one VMO the device reaches by DMA; request
// data goes straight to and from the clients' pages (segments from request.c).
#include "device.h"
#include <stdatomic.h>
#include <string.h>
#include <nx/nx.h>
#include "virtio.h"
#include "virtq.h"

// The queue VMO's pages: descriptor table, available ring, used ring, and one 32-byte record
// per waiter (request header, then the status byte the device writes).
enum { QPAGE_DESC, QPAGE_AVAIL, QPAGE_USED, QPAGE_REQS, QPAGES };
#define REQ_STRIDE 32
#define STATUS_AT 16
#define STATUS_UNSET 0xff  // not a status the device writes: a request it never finished

static volatile uint8_t *regs;   // the block device's slot
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

static uint32_t reg(uint32_t off)
{
    return *(volatile uint32_t *)(regs + off);
}

// Memory writes (rings, headers) must reach the device before the MMIO write that tells it.
static void set_reg(uint32_t off, uint32_t v)
{
    __asm__ volatile("fence iorw, iorw" ::: "memory");
    *(volatile uint32_t *)(regs + off) = v;
}

static void set_reg64(uint32_t low, uint64_t v)
{
    set_reg(low, (uint32_t)v);
    set_reg(low + 4, (uint32_t)(v >> 32));
}

// ---- start ----

static const char *probe(volatile uint8_t *slots, unsigned *slot)
{
    bool legacy = false;
    for (unsigned i = 0; i < VIRTIO_SLOTS; i++) {
        regs = slots + i * VIRTIO_SLOT_SIZE;
        if (reg(VIRTIO_MMIO_MAGIC) != VIRTIO_MAGIC || reg(VIRTIO_MMIO_DEVICE_ID) != VIRTIO_ID_BLOCK)
            continue;
        if (reg(VIRTIO_MMIO_VERSION) == 2) {
            *slot = i;
            return NULL;
        }
        legacy = true;
    }
    return legacy ? "only a legacy device (QEMU: -global virtio-mmio.force-legacy=false)"
                  : "no block device";
}

static uint64_t device_features(void)
{
    set_reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint64_t f = (uint64_t)reg(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    set_reg(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    return f | reg(VIRTIO_MMIO_DEVICE_FEATURES);
}

static uint32_t config32(uint32_t off)
{
    return reg(VIRTIO_MMIO_CONFIG + off);
}

// Capacity and limits from the configuration space, read until the generation is stable.
static void read_config(uint64_t features)
{
    uint32_t gen;
    do {
        gen = reg(VIRTIO_MMIO_CONFIG_GENERATION);
        capacity = config32(VIRTIO_BLK_CFG_CAPACITY) |
                   (uint64_t)config32(VIRTIO_BLK_CFG_CAPACITY + 4) << 32;
        max_blocks = BLK_MAX_BLOCKS;
        uint32_t seg_max = config32(VIRTIO_BLK_CFG_SEG_MAX);
        // A request of n data segments may need n pages of them, and an unaligned one more.
        if ((features & VIRTIO_BLK_F_SEG_MAX) && seg_max < BLK_MAX_PAGES)
            max_blocks = seg_max > 1 ? (seg_max - 1) * (BLK_PAGE / BLK_SECTOR) : 0;
    } while (gen != reg(VIRTIO_MMIO_CONFIG_GENERATION));
}

// Features: VERSION_1 (required), FLUSH and SEG_MAX when offered; nothing else.
static const char *negotiate(void)
{
    uint64_t offered = device_features();
    if (!(offered & VIRTIO_F_VERSION_1))
        return "the device does not offer VIRTIO_F_VERSION_1";
    uint64_t want = VIRTIO_F_VERSION_1 | (offered & (VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_SEG_MAX));
    set_reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    set_reg(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
    set_reg(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    set_reg(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
    set_reg(VIRTIO_MMIO_STATUS, reg(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FEATURES_OK);
    if (!(reg(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
        return "the device refused the features";
    can_flush = want & VIRTIO_BLK_F_FLUSH;
    read_config(want);
    return max_blocks ? NULL : "the device takes too few segments per request";
}

// The queue's memory: one VMO, mapped here, its pages pinned for the device (which writes
// the used ring and the status bytes).
static const char *make_queue_memory(void)
{
    long vmo = nx_vmo_create(QPAGES * BLK_PAGE);
    if (vmo < 0)
        return "no memory for the queue";
    long va = nx_vm_map(nx_self, vmo, 0, 0, QPAGES * BLK_PAGE, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0 || nx_vmo_dma(vmo, 0, QPAGES * BLK_PAGE, qpa, NX_DMA_DEVICE_WRITES) < 0)
        return "cannot map or pin the queue";
    qmem = (uint8_t *)va;
    return NULL;
}

static const char *setup_queue(void)
{
    set_reg(VIRTIO_MMIO_QUEUE_SEL, 0);
    uint32_t max = reg(VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max == 0 || reg(VIRTIO_MMIO_QUEUE_READY))
        return "queue 0 is not available";
    uint16_t size = VIRTQ_MAX_SIZE;
    while (size > max)
        size /= 2;
    // The longest request (header, a descriptor per page, status) must fit the queue.
    if (size < 4)
        return "queue 0 is too short";
    if (BLK_PAGE / BLK_SECTOR * (size - 3u) < max_blocks)
        max_blocks = BLK_PAGE / BLK_SECTOR * (size - 3u);
    const char *why = make_queue_memory();
    if (why)
        return why;
    virtq_init(&q, size, qmem + QPAGE_DESC * BLK_PAGE, qmem + QPAGE_AVAIL * BLK_PAGE,
               qmem + QPAGE_USED * BLK_PAGE);
    set_reg(VIRTIO_MMIO_QUEUE_NUM, size);
    set_reg64(VIRTIO_MMIO_QUEUE_DESC_LOW, qpa[QPAGE_DESC]);
    set_reg64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, qpa[QPAGE_AVAIL]);
    set_reg64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, qpa[QPAGE_USED]);
    set_reg(VIRTIO_MMIO_QUEUE_READY, 1);
    return NULL;
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

// Initialisation in the order of virtio 1.x, 3.1.1: reset, ACKNOWLEDGE, DRIVER, features,
// FEATURES_OK, queues, DRIVER_OK. A failure marks the device FAILED.
const char *dev_start(volatile uint8_t *slots, unsigned *slot)
{
    const char *why = probe(slots, slot);
    if (why)
        return why;
    set_reg(VIRTIO_MMIO_STATUS, 0);  // reset: also what a previous driver instance left
    while (reg(VIRTIO_MMIO_STATUS) != 0)
        nx_yield();
    set_reg(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    why = negotiate();
    if (!why)
        why = setup_queue();
    if (!why)
        why = make_waiters();
    if (why) {
        set_reg(VIRTIO_MMIO_STATUS, reg(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FAILED);
        return why;
    }
    set_reg(VIRTIO_MMIO_STATUS, reg(VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
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
    set_reg(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
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

void dev_interrupt_loop(nx_handle_t irq, nx_handle_t notif)
{
    uint64_t bits;
    while (nx_notify_wait_bits(notif, NX_DEADLINE_NEVER, &bits) == NX_OK) {
        // Ack the device first: a completion after the ring was read raises the line again.
        set_reg(VIRTIO_MMIO_INTERRUPT_ACK, reg(VIRTIO_MMIO_INTERRUPT_STATUS));
        finish_used();
        nx_irq_ack(irq);
    }
}

void dev_stats(struct nx_blk_stats *out)
{
    lock();
    *out = stats;
    unlock();
}

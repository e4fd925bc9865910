// The shared virtio-mmio transport (nx/virtio.h): what every virtio driver does the same way,
// from probing to queues; the device-specific requests stay in the drivers.
#include <nx/virtio.h>
#include <stdbool.h>
#include <stdio.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/startup.h>

// A device that does not finish its reset within this long is broken.
#define RESET_TIMEOUT_NS 1000000000ull

static uint32_t reg(const struct virtio_dev *dev, uint32_t off)
{
    return *(volatile uint32_t *)(dev->regs + off);
}

// Memory writes (rings, requests) must reach the device before the MMIO write that tells it.
static void set_reg(const struct virtio_dev *dev, uint32_t off, uint32_t v)
{
    __asm__ volatile("fence iorw, iorw" ::: "memory");
    *(volatile uint32_t *)(dev->regs + off) = v;
}

static void set_reg64(const struct virtio_dev *dev, uint32_t low, uint64_t v)
{
    set_reg(dev, low, (uint32_t)v);
    set_reg(dev, low + 4, (uint32_t)(v >> 32));
}

static void add_status(const struct virtio_dev *dev, uint32_t bits)
{
    set_reg(dev, VIRTIO_MMIO_STATUS, reg(dev, VIRTIO_MMIO_STATUS) | bits);
}

const char *virtio_probe(volatile uint8_t *regs, uint32_t device_id)
{
    const struct virtio_dev d = { .regs = regs };
    if (reg(&d, VIRTIO_MMIO_MAGIC) != VIRTIO_MAGIC || reg(&d, VIRTIO_MMIO_DEVICE_ID) != device_id)
        return "no device";
    return reg(&d, VIRTIO_MMIO_VERSION) == 2
               ? NULL
               : "only a legacy device (QEMU: -global virtio-mmio.force-legacy=false)";
}

nx_handle_t virtio_serve_handle(const char *grant, const char *what, int *status)
{
    nx_handle_t serve = nx_startup_handle("serve");
    *status = serve ? 0 : 1;
    if (!serve) {
        nx_log(NX_LOG_ERROR, "not granted serve");
        return 0;
    }
    if (!nx_startup_handle(grant)) {
        nx_log(NX_LOG_INFO, "no %s: no device", what);
        return 0;
    }
    return serve;
}

const char *virtio_take(const char *grant, uint32_t device_id, struct virtio_dev *dev)
{
    char irq[NX_STARTUP_NAME_MAX + 1], notif[NX_STARTUP_NAME_MAX + 1];
    snprintf(irq, sizeof irq, "%s:irq", grant);
    snprintf(notif, sizeof notif, "%s:notif", grant);
    nx_handle_t mmio = nx_startup_handle(grant);
    *dev = (struct virtio_dev){ NULL, nx_startup_handle(irq), nx_startup_handle(notif) };
    if (!mmio)
        return "no device";
    if (!dev->irq || !dev->notif)
        return "granted a slot without its interrupt line";
    long va = nx_vm_map(nx_self, mmio, 0, 0, VIRTIO_SLOT_SIZE, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0)
        return "cannot map the device's slot";
    dev->regs = (volatile uint8_t *)va;
    const char *why = virtio_probe(dev->regs, device_id);
    if (!why)
        nx_irq_ack(dev->irq);
    return why;
}

long virtio_wait(const struct virtio_dev *dev, uint64_t deadline)
{
    uint64_t bits;
    long err = nx_notify_wait_bits(dev->notif, deadline, &bits);
    if (err == NX_OK)
        virtio_ack_interrupts(dev);
    return err;
}

static uint64_t device_features(const struct virtio_dev *dev)
{
    set_reg(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    uint64_t f = (uint64_t)reg(dev, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
    set_reg(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    return f | reg(dev, VIRTIO_MMIO_DEVICE_FEATURES);
}

static const char *reset(const struct virtio_dev *dev)
{
    set_reg(dev, VIRTIO_MMIO_STATUS, 0);
    uint64_t deadline = (uint64_t)nx_clock_get() + RESET_TIMEOUT_NS;
    while (reg(dev, VIRTIO_MMIO_STATUS) != 0) {
        if ((uint64_t)nx_clock_get() > deadline)
            return "the device does not reset";
        nx_yield();
    }
    return NULL;
}

// The order of virtio 1.x, 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK.
const char *virtio_begin(const struct virtio_dev *dev, uint64_t optional, uint64_t *features)
{
    const char *why = reset(dev);
    if (why)
        return why;
    set_reg(dev, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
    uint64_t offered = device_features(dev);
    if (!(offered & VIRTIO_F_VERSION_1))
        return "the device does not offer VIRTIO_F_VERSION_1";
    uint64_t want = VIRTIO_F_VERSION_1 | (offered & optional);
    set_reg(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
    set_reg(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
    set_reg(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    set_reg(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
    add_status(dev, VIRTIO_STATUS_FEATURES_OK);
    if (!(reg(dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
        return "the device refused the features";
    *features = want;
    return NULL;
}

const char *virtio_queue(const struct virtio_dev *dev, unsigned index, uint16_t min_size,
                         struct virtq *q, uint8_t *mem, const uint64_t *pa)
{
    set_reg(dev, VIRTIO_MMIO_QUEUE_SEL, index);
    uint32_t max = reg(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max == 0 || reg(dev, VIRTIO_MMIO_QUEUE_READY))
        return "a queue is not available";
    uint16_t size = VIRTQ_MAX_SIZE;
    while (size > max)
        size /= 2;
    if (size < min_size)
        return "a queue is too short";
    virtq_init(q, size, mem, mem + VIRTIO_PAGE, mem + 2 * VIRTIO_PAGE);
    set_reg(dev, VIRTIO_MMIO_QUEUE_NUM, size);
    set_reg64(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, pa[0]);
    set_reg64(dev, VIRTIO_MMIO_QUEUE_DRIVER_LOW, pa[1]);
    set_reg64(dev, VIRTIO_MMIO_QUEUE_DEVICE_LOW, pa[2]);
    set_reg(dev, VIRTIO_MMIO_QUEUE_READY, 1);
    return NULL;
}

void virtio_ready(const struct virtio_dev *dev)
{
    add_status(dev, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_fail(const struct virtio_dev *dev)
{
    add_status(dev, VIRTIO_STATUS_FAILED);
}

void virtio_notify(const struct virtio_dev *dev, unsigned index)
{
    set_reg(dev, VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

uint32_t virtio_ack_interrupts(const struct virtio_dev *dev)
{
    uint32_t causes = reg(dev, VIRTIO_MMIO_INTERRUPT_STATUS);
    set_reg(dev, VIRTIO_MMIO_INTERRUPT_ACK, causes);
    return causes;
}

void virtio_config_read(const struct virtio_dev *dev, uint32_t off, uint32_t *out, size_t n)
{
    uint32_t gen;
    do {
        gen = reg(dev, VIRTIO_MMIO_CONFIG_GENERATION);
        for (size_t i = 0; i < n; i++)
            out[i] = reg(dev, VIRTIO_MMIO_CONFIG + off + 4 * (uint32_t)i);
    } while (gen != reg(dev, VIRTIO_MMIO_CONFIG_GENERATION));
}

void virtio_config_write(const struct virtio_dev *dev, uint32_t off, uint32_t v)
{
    set_reg(dev, VIRTIO_MMIO_CONFIG + off, v);
}

long virtio_dma_pages(nx_handle_t vmo, uint64_t first, size_t n, uint64_t flags, uint64_t *pa,
                      size_t *done)
{
    for (*done = 0; *done < n;) {
        size_t k = n - *done < NX_VMO_DMA_MAX ? n - *done : NX_VMO_DMA_MAX;
        long r = nx_vmo_dma(vmo, (long)((first + *done) * VIRTIO_PAGE), (long)(k * VIRTIO_PAGE),
                            pa + *done, (long)flags);
        if (r < 0)
            return r;
        *done += k;
    }
    return NX_OK;
}

const char *virtio_dma_alloc(size_t pages, void **va, uint64_t *pa, nx_handle_t *vmo)
{
    long h = nx_vmo_create(pages * VIRTIO_PAGE);
    if (h < 0)
        return "no memory for the device";
    long addr = nx_vm_map(nx_self, h, 0, 0, pages * VIRTIO_PAGE, NX_PROT_READ | NX_PROT_WRITE);
    size_t done;
    if (addr < 0 || virtio_dma_pages(h, 0, pages, NX_DMA_DEVICE_WRITES, pa, &done) < 0) {
        nx_handle_close(h);
        return "cannot map or pin memory for the device";
    }
    *va = (void *)addr;
    if (vmo)
        *vmo = (nx_handle_t)h;
    return NULL;
}

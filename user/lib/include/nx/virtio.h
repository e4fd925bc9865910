#pragma once
// The virtio transport every virtio driver shares: virtio over MMIO, version 2 ("modern",
// virtio 1.x spec 4.2.2): finding a device by its ID among QEMU virt's slots, the start-up
// sequence (3.1.1), feature negotiation, split virtqueues (nx/virtq.h) in pinned VMO pages, and
// the device's configuration space. Register offsets are in bytes from a slot's base; every
// register is 32 bits wide. The device-specific parts (requests, configuration fields) stay
// in each driver.
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/virtq.h>

#define VIRTIO_BASE 0x10001000u      // QEMU virt: slot i at VIRTIO_BASE + i * VIRTIO_SLOT_SIZE,
#define VIRTIO_SLOT_SIZE 0x1000u     // interrupting on line VIRTIO_FIRST_LINE + i
#define VIRTIO_SLOTS 8
#define VIRTIO_FIRST_LINE 1

#define VIRTIO_MMIO_MAGIC 0x000          // "virt"
#define VIRTIO_MMIO_VERSION 0x004        // 2: modern (1: legacy)
#define VIRTIO_MMIO_DEVICE_ID 0x008      // 0: empty slot
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100         // device-specific configuration

#define VIRTIO_MAGIC 0x74726976u
#define VIRTIO_ID_NET 1u
#define VIRTIO_ID_BLOCK 2u
#define VIRTIO_ID_ENTROPY 4u
#define VIRTIO_ID_GPU 16u
#define VIRTIO_ID_INPUT 18u

// Device status bits.
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

#define VIRTIO_INT_USED 1u               // InterruptStatus: a used buffer

#define VIRTIO_F_VERSION_1 (1ull << 32)  // the only feature every driver requires

// The three pages a queue's rings take (descriptors, available, used): VIRTQ_MAX_SIZE
// descriptors fit each.
#define VIRTIO_QUEUE_PAGES 3
#define VIRTIO_PAGE 4096u

// A device as init grants it with virtio:KIND (docs/userspace.md, "Manifest"): its one slot's
// registers, the IRQ object of its line and the notification that line signals (NX_IRQ_BIT).
struct virtio_dev {
    volatile uint8_t *regs;  // the device's slot, mapped
    nx_handle_t irq;
    nx_handle_t notif;
};

// Whether the slot mapped at regs holds a modern device of type device_id: NULL, or why not
// ("no device", or only a legacy one).
const char *virtio_probe(volatile uint8_t *regs, uint32_t device_id);
// The start every virtio driver serving an endpoint shares: the endpoint granted as "serve"
// and whether init granted a device under `grant`. Returns the endpoint, or 0 having logged
// why not, *status then the driver's exit status: 1 without the endpoint, 0 without the device
// ("no WHAT: no device": init found none, the driver has nothing to do).
nx_handle_t virtio_serve_handle(const char *grant, const char *what, int *status);
// Take the device of type device_id init granted under `grant` ("virtio:gpu"): map its slot,
// check the device, and ack its line (a killed previous driver may have left the line
// claimed). NULL, or why not ("no device" when nothing was granted: init found none).
const char *virtio_take(const char *grant, uint32_t device_id, struct virtio_dev *dev);
// Wait until the device interrupts or the deadline passes (NX_OK or NX_ERR_TIMED_OUT), then
// acknowledge the device's causes. The caller takes what the used rings hold, then calls
// nx_irq_ack(dev->irq): a completion after the rings were read raises the line again.
long virtio_wait(const struct virtio_dev *dev, uint64_t deadline);

// Reset the device (also undoing what a killed previous driver left), ACKNOWLEDGE and DRIVER,
// then negotiate: VIRTIO_F_VERSION_1 (required) and whatever of optional the device offers;
// *features = what was agreed. NULL, or why not (the caller then calls virtio_fail).
const char *virtio_begin(const struct virtio_dev *dev, uint64_t optional, uint64_t *features);
// Set queue index up with the largest power-of-2 size the device allows (at most
// VIRTQ_MAX_SIZE, at least min_size) over the VIRTIO_QUEUE_PAGES zeroed pages at mem whose
// physical addresses are pa[]. NULL, or why not.
const char *virtio_queue(const struct virtio_dev *dev, unsigned index, uint16_t min_size,
                         struct virtq *q, uint8_t *mem, const uint64_t *pa);
// Start-up done (DRIVER_OK), or given up (FAILED).
void virtio_ready(const struct virtio_dev *dev);
void virtio_fail(const struct virtio_dev *dev);
// Tell the device that queue index has new buffers.
void virtio_notify(const struct virtio_dev *dev, unsigned index);
// Acknowledge every pending interrupt cause; returns them (VIRTIO_INT_*).
uint32_t virtio_ack_interrupts(const struct virtio_dev *dev);
// Read n 32-bit words at byte offset off of the configuration space into out, again until the
// device's configuration generation is the same before and after (a consistent snapshot).
void virtio_config_read(const struct virtio_dev *dev, uint32_t off, uint32_t *out, size_t n);
// Write the 32-bit word v at byte offset off of the configuration space.
void virtio_config_write(const struct virtio_dev *dev, uint32_t off, uint32_t v);

// Memory a device reaches: a new VMO of pages pages, mapped read-write (*va) and pinned with
// NX_DMA_DEVICE_WRITES; pa[i] = page i's physical address. *vmo = its handle (may be NULL).
// NULL, or why not.
const char *virtio_dma_alloc(size_t pages, void **va, uint64_t *pa, nx_handle_t *vmo);
// nx_vmo_dma over the pages [first, first + n) of vmo, NX_VMO_DMA_MAX at a time, with flags;
// *done = pages handled (pa[0..*done) filled unless NX_DMA_RELEASE). NX_OK or the error.
long virtio_dma_pages(nx_handle_t vmo, uint64_t first, size_t n, uint64_t flags, uint64_t *pa,
                      size_t *done);

#pragma once
// virtio over MMIO, version 2 ("modern", virtio 1.x spec 4.2.2), and the block device's
// requests (5.2.6). Register offsets are in bytes from a slot's base; every register is 32
// bits wide.
#define VIRTIO_SLOT_SIZE 0x1000u     // QEMU virt: slot i at 0x10001000 + i * 0x1000, line i + 1
#define VIRTIO_SLOTS 8

#define VIRTIO_MMIO_MAGIC 0x000          // "virt"
#define VIRTIO_MMIO_VERSION 0x004        // 2: modern (1: legacy)
#define VIRTIO_MMIO_DEVICE_ID 0x008      // 0: empty slot, 2: block device
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
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100         // device-specific configuration

#define VIRTIO_MAGIC 0x74726976u
#define VIRTIO_ID_BLOCK 2u

// Device status bits.
#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER 2u
#define VIRTIO_STATUS_DRIVER_OK 4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED 128u

#define VIRTIO_INT_USED 1u               // InterruptStatus: a used buffer

// Feature bits (64 of them, read and written 32 at a time).
#define VIRTIO_BLK_F_SEG_MAX (1ull << 2)
#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)
#define VIRTIO_F_VERSION_1 (1ull << 32)

// virtio_blk_config fields (offsets from VIRTIO_MMIO_CONFIG).
#define VIRTIO_BLK_CFG_CAPACITY 0x00     // 64 bits: 512-byte sectors
#define VIRTIO_BLK_CFG_SEG_MAX 0x0c      // most data descriptors per request

// Request header (the first, device-readable buffer of each request) and status byte (the
// last, device-writable one).
struct virtio_blk_req {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
#define VIRTIO_BLK_T_IN 0u      // read from the disk
#define VIRTIO_BLK_T_OUT 1u     // write to the disk
#define VIRTIO_BLK_T_FLUSH 4u
#define VIRTIO_BLK_S_OK 0u      // also IOERR 1, UNSUPP 2: both are errors to us

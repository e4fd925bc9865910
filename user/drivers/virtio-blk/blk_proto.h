#pragma once
// The virtio block device's own parts (virtio 1.x, 5.2): features, configuration fields,
// requests. The transport is the shared one (nx/virtio.h).
#include <stdint.h>

// Feature bits.
#define VIRTIO_BLK_F_SEG_MAX (1ull << 2)
#define VIRTIO_BLK_F_RO (1ull << 5)
#define VIRTIO_BLK_F_FLUSH (1ull << 9)

// virtio_blk_config fields (byte offsets into the configuration space).
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

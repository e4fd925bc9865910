#pragma once
// The pure parts of a block request (host-tested): checking it against the disk and the VMO,
// and cutting its bytes into the physically contiguous pieces the device gets as
// descriptors.
#include <stddef.h>
#include <stdint.h>
#include <nx/blk.h>

#define BLK_SECTOR 512u            // virtio-blk addresses the disk in 512-byte sectors
#define BLK_PAGE 4096u
#define BLK_MAX_BLOCKS 256u        // 128 KiB per request
// Pages a request's bytes may touch (an offset inside a page spans one more).
#define BLK_MAX_PAGES (BLK_MAX_BLOCKS * BLK_SECTOR / BLK_PAGE + 1)

struct blk_seg {
    uint64_t addr;
    uint32_t len;
};

// NX_OK, or NX_ERR_INVALID for a request that is empty, longer than max_blocks, unaligned,
// outside a VMO of vmo_size bytes, or past the end of a disk of capacity blocks.
long blk_check_io(const struct nx_blk_io *io, uint32_t max_blocks, uint64_t capacity,
                  uint64_t vmo_size);
// The first page of the VMO a request touches, and how many.
void blk_io_pages(const struct nx_blk_io *io, uint64_t *first, size_t *n);
// Cut [offset, offset + len) of a VMO whose pages from offset's page on are at pages[] into
// out[] (room for BLK_MAX_PAGES), joining pages that are physically adjacent; returns how
// many pieces.
size_t blk_segments(uint64_t offset, uint32_t len, const uint64_t *pages, struct blk_seg *out);

// Block request checks and DMA pieces (request.h).
#include "request.h"
#include <nexus/errors.h>

long blk_check_io(const struct nx_blk_io *io, uint32_t max_blocks, uint64_t capacity,
                  uint64_t vmo_size)
{
    uint64_t len = (uint64_t)io->count * BLK_SECTOR;
    if (io->count == 0 || io->count > max_blocks || io->offset % BLK_SECTOR)
        return NX_ERR_INVALID;
    if (io->offset > vmo_size || len > vmo_size - io->offset)
        return NX_ERR_INVALID;
    if (io->block > capacity || io->count > capacity - io->block)
        return NX_ERR_INVALID;
    return NX_OK;
}

void blk_io_pages(const struct nx_blk_io *io, uint64_t *first, size_t *n)
{
    uint64_t end = io->offset + (uint64_t)io->count * BLK_SECTOR;
    *first = io->offset / BLK_PAGE;
    *n = (size_t)((end + BLK_PAGE - 1) / BLK_PAGE - *first);
}

size_t blk_segments(uint64_t offset, uint32_t len, const uint64_t *pages, struct blk_seg *out)
{
    size_t n = 0;
    uint32_t in = (uint32_t)(offset % BLK_PAGE);
    for (size_t i = 0; len; i++, in = 0) {
        uint32_t chunk = BLK_PAGE - in < len ? BLK_PAGE - in : len;
        uint64_t addr = pages[i] + in;
        if (n && out[n - 1].addr + out[n - 1].len == addr)
            out[n - 1].len += chunk;
        else
            out[n++] = (struct blk_seg){ addr, chunk };
        len -= chunk;
    }
    return n;
}

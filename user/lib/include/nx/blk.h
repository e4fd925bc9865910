#pragma once
// The block protocol (served by the virtio-blk driver, user/drivers/virtio-blk, as service
// "blk"): a disk of `blocks` blocks of `block_size` bytes, read and written by DMA straight
// into and out of VMOs the client attached once (no copy on the way). Over nx/rpc.h: label =
// operation, request struct in the bytes, status in reply word 0.
//
//   operation        request                       reply
//   NX_BLK_INFO      nothing                       struct nx_blk_info
//   NX_BLK_ATTACH    1 handle: a VMO (READ, DMA;   status = the VMO's id (>= 0) for READ
//                    WRITE too if the disk is to   and WRITE requests
//                    be read into it)
//   NX_BLK_DETACH    struct nx_blk_detach_req      the driver's handle is closed
//   NX_BLK_READ      struct nx_blk_io              blocks [block, block + count) of the disk
//                                                  into the VMO at offset
//   NX_BLK_WRITE     struct nx_blk_io              the VMO at offset to the disk's blocks
//   NX_BLK_FLUSH     nothing                       every write that completed before is on
//                                                  stable storage (fsync's barrier)
//   NX_BLK_STATS     nothing                       struct nx_blk_stats
//   NX_BLK_DISCONNECT  struct nx_badge_req         init only: that process ended, its VMOs
//                      (nx/services.h)             are detached (NX_ERR_ACCESS for others)
//
// A READ or WRITE returns only once the device completed it: NX_OK, or NX_ERR_IO when the
// device reported an error (the data in the VMO, or on the disk, is then undefined for that
// range). Requests from different callers are in flight together (the driver serves from
// several threads). A completed WRITE is not durable before a FLUSH that follows it.
//
// Errors: NX_ERR_INVALID (count 0 or over max_blocks, offset not a multiple of block_size,
// a range outside the VMO or past the end of the disk), NX_ERR_NOT_FOUND (no VMO attached under that id by this client),
// NX_ERR_ACCESS (the VMO handle lacks DMA, READ, or WRITE for a READ request),
// NX_ERR_NO_SPACE (attach: the driver's table is full), NX_ERR_IO (the device failed it).
// Attached VMOs belong to the badge that attached them: another client cannot name them.
// A restarted driver knows no attachment: NX_ERR_NOT_FOUND then means "attach again".
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>

enum {
    NX_BLK_INFO = 0x42000001,
    NX_BLK_ATTACH = 0x42000002,
    NX_BLK_DETACH = 0x42000003,
    NX_BLK_READ = 0x42000004,
    NX_BLK_WRITE = 0x42000005,
    NX_BLK_FLUSH = 0x42000006,
    NX_BLK_STATS = 0x42000007,
    NX_BLK_DISCONNECT = 0x42000008,
};

struct nx_blk_info {
    uint64_t blocks;      // capacity in blocks
    uint32_t block_size;  // bytes per block (512)
    uint32_t max_blocks;  // most blocks one READ or WRITE moves
};

struct nx_blk_io {
    uint32_t vmo;         // id from NX_BLK_ATTACH
    uint32_t count;       // blocks, 1 .. max_blocks
    uint64_t offset;      // byte offset in the VMO, a multiple of block_size
    uint64_t block;       // first block on the disk
};

struct nx_blk_stats {
    uint64_t reads, writes, flushes;  // requests the device completed with OK
    uint64_t errors;                  // requests the device failed (NX_ERR_IO)
    uint64_t bytes;                   // moved by DMA, both ways
    uint64_t bytes_copied;            // by the driver itself: 0 (DMA into the client's pages)
    uint32_t max_in_flight;           // most requests the device held at once
    uint32_t reserved;
};

struct nx_blk_detach_req {
    uint32_t vmo;         // id from NX_BLK_ATTACH
};

// Client helpers: each is one call with no deadline; the status as above.
long nx_blk_info(nx_handle_t blk, struct nx_blk_info *out);
// Attach a copy of vmo (the caller keeps its handle) with the rights given (e.g.
// NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_DMA); returns its id. vmo needs DUPLICATE and
// TRANSFER.
long nx_blk_attach(nx_handle_t blk, nx_handle_t vmo, uint32_t rights);
long nx_blk_detach(nx_handle_t blk, uint32_t id);
long nx_blk_read(nx_handle_t blk, uint32_t id, uint64_t offset, uint64_t block, uint32_t count);
long nx_blk_write(nx_handle_t blk, uint32_t id, uint64_t offset, uint64_t block, uint32_t count);
long nx_blk_flush(nx_handle_t blk);
long nx_blk_stats(nx_handle_t blk, struct nx_blk_stats *out);

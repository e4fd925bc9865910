// Client side of the block protocol (nx/blk.h).
#include <nx/blk.h>
#include <nx/rpc.h>
#include <nx/syscall.h>

long nx_blk_info(nx_handle_t blk, struct nx_blk_info *out)
{
    return nx_rpc_call(blk, NX_BLK_INFO, NULL, 0, out, sizeof *out, NX_DEADLINE_NEVER);
}

long nx_blk_attach(nx_handle_t blk, nx_handle_t vmo, uint32_t rights)
{
    struct nx_rpc_call c = {
        .op = NX_BLK_ATTACH,
        .send = { 1, { vmo }, { rights | NX_XFER_COPY } },
        .deadline = NX_DEADLINE_NEVER,
    };
    return nx_rpc(blk, &c);
}

long nx_blk_detach(nx_handle_t blk, uint32_t id)
{
    struct nx_blk_detach_req req = { id };
    return nx_rpc_call(blk, NX_BLK_DETACH, &req, sizeof req, NULL, 0, NX_DEADLINE_NEVER);
}

// READ and WRITE differ only in the operation.
static long io(nx_handle_t blk, uint32_t op, uint32_t id, uint64_t offset, uint64_t block,
               uint32_t count)
{
    struct nx_blk_io req = { .vmo = id, .count = count, .offset = offset, .block = block };
    return nx_rpc_call(blk, op, &req, sizeof req, NULL, 0, NX_DEADLINE_NEVER);
}

long nx_blk_read(nx_handle_t blk, uint32_t id, uint64_t offset, uint64_t block, uint32_t count)
{
    return io(blk, NX_BLK_READ, id, offset, block, count);
}

long nx_blk_write(nx_handle_t blk, uint32_t id, uint64_t offset, uint64_t block, uint32_t count)
{
    return io(blk, NX_BLK_WRITE, id, offset, block, count);
}

long nx_blk_flush(nx_handle_t blk)
{
    return nx_rpc_call(blk, NX_BLK_FLUSH, NULL, 0, NULL, 0, NX_DEADLINE_NEVER);
}

long nx_blk_stats(nx_handle_t blk, struct nx_blk_stats *out)
{
    return nx_rpc_call(blk, NX_BLK_STATS, NULL, 0, out, sizeof *out, NX_DEADLINE_NEVER);
}

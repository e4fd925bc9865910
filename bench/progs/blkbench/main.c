// make bench: read 16 MiB from the disk through the block driver into one attached VMO
// (128 KiB requests, one at a time), then one block 64 times, and report the instret the
// whole machine spent (client, kernel, driver: one hart) and the bytes copied on the way.
// Under -icount instret is virtual time, so the figures include the wait for QEMU's I/O
// thread; the one-block read is mostly the request path itself. Then power off.
#include <nx/blk.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define TOTAL (16u << 20)
#define BUF (1u << 20)
#define SMALL_READS 64

int main(void)
{
    nx_handle_t blk = nx_startup_handle("blk");
    struct nx_blk_info info;
    long vmo = nx_vmo_create(BUF);
    long id = vmo < 0 || nx_blk_info(blk, &info) ? -1 : nx_blk_attach(blk, vmo, NX_RIGHTS_SAME);
    if (id < 0 || info.blocks * info.block_size < TOTAL) {
        nx_printf("blkbench: no disk of 16 MiB (%ld)\n", id);
        return 1;
    }
    uint32_t per = info.max_blocks, bytes = per * info.block_size;
    for (uint32_t done = 0; done < BUF; done += bytes)  // commits the buffer: not measured
        nx_blk_read(blk, (uint32_t)id, done, 0, per);
    struct nx_blk_stats before, after;
    nx_blk_stats(blk, &before);
    long copied = nx_system_info(NX_INFO_BYTES_COPIED);
    uint64_t t0 = nx_rdinstret();
    long err = NX_OK;
    for (uint32_t done = 0; done < TOTAL && !err; done += bytes)
        err = nx_blk_read(blk, (uint32_t)id, done % BUF, done / info.block_size, per);
    uint64_t spent = nx_rdinstret() - t0;
    copied = nx_system_info(NX_INFO_BYTES_COPIED) - copied;
    nx_blk_stats(blk, &after);
    uint64_t t1 = nx_rdinstret();
    for (int i = 0; i < SMALL_READS && !err; i++)
        err = nx_blk_read(blk, (uint32_t)id, 0, 0, 1);
    uint64_t small = (nx_rdinstret() - t1) / SMALL_READS;
    if (err)
        nx_printf("blkbench: read failed: %ld\n", err);
    nx_printf("BENCH blk_read_instr_per_mib %lu\n", (unsigned long)(spent / (TOTAL >> 20)));
    nx_printf("BENCH blk_request_instr %lu\n", (unsigned long)small);
    nx_printf("BENCH blk_read_kernel_bytes_copied %ld\n", copied);
    nx_printf("BENCH blk_read_driver_bytes_copied %lu\n",
              (unsigned long)(after.bytes_copied - before.bytes_copied));
    return (int)nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                            NX_DEADLINE_NEVER);
}

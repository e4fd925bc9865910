// The block driver end to end (manifest tests/qemu/manifests/blk), booted twice on one disk
// image. The first boot (block 0 holds no header yet) writes a pattern through the driver,
// from several threads at once, flushes, reads it back and tries bad requests; the second
// boot, on the same image attached read-only, reads the pattern back, and its write attempt
// must come back as the device's error. The first boot also kills the driver: init restarts
// it, and the data is read again through the new one after attaching again. Each boot ends
// with a power-off through init.
#define TEST_NAME "blktest"
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <nx/blk.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/thread.h>
#include "expect.h"

#define MAGIC "NXBLKTST"
#define BUF_BYTES (512 * 1024)
#define DATA_BLOCK 8        // the pattern starts here on the disk...
#define DATA_BLOCKS 1024    // ...and is this long (512 KiB: the whole buffer)
#define THREADS 4
#define CHUNK 64            // blocks per request of the writer threads

struct header {
    char magic[8];
    uint64_t seed;
};

static nx_handle_t blk;
static nx_handle_t vmo;     // BUF_BYTES, mapped at buf, attached as id
static uint8_t *buf;
static uint32_t id;
static uint64_t seed;
static atomic_int writers_left;
static atomic_long writer_errors;

static uint8_t pattern(uint64_t s, uint64_t i)
{
    return (uint8_t)((i * 2654435761u + s) >> 7);
}

static void fill(uint64_t s)
{
    for (uint64_t i = 0; i < BUF_BYTES; i++)
        buf[i] = pattern(s, i);
}

// Bytes of the buffer that differ from the pattern.
static long differences(uint64_t s)
{
    long bad = 0;
    for (uint64_t i = 0; i < BUF_BYTES; i++)
        bad += buf[i] != pattern(s, i);
    return bad;
}

// Writer t writes every THREADS-th chunk of the pattern, one request at a time.
static void writer(void *arg)
{
    uintptr_t t = (uintptr_t)arg;
    for (uint32_t c = (uint32_t)t; c < DATA_BLOCKS / CHUNK; c += THREADS) {
        long r = nx_blk_write(blk, id, (uint64_t)c * CHUNK * 512, DATA_BLOCK + c * CHUNK, CHUNK);
        if (r)
            atomic_store(&writer_errors, r);
    }
    atomic_fetch_sub(&writers_left, 1);
}

static long read_pattern(void)
{
    memset(buf, 0, BUF_BYTES);
    uint32_t step = 256;
    for (uint32_t b = 0; b < DATA_BLOCKS; b += step) {
        long r = nx_blk_read(blk, id, (uint64_t)b * 512, DATA_BLOCK + b, step);
        if (r)
            return r;
    }
    return NX_OK;
}

static long io(uint32_t op, uint32_t vmo, uint64_t offset, uint64_t block, uint32_t count)
{
    return op == NX_BLK_READ ? nx_blk_read(blk, vmo, offset, block, count)
                             : nx_blk_write(blk, vmo, offset, block, count);
}

static void bad_requests(const struct nx_blk_info *info)
{
    expect("past the end of the disk", io(NX_BLK_READ, id, 0, info->blocks, 1), NX_ERR_INVALID);
    expect("across the end of the disk", io(NX_BLK_WRITE, id, 0, info->blocks - 1, 2),
           NX_ERR_INVALID);
    expect("no blocks", io(NX_BLK_READ, id, 0, 0, 0), NX_ERR_INVALID);
    expect("more than max_blocks", io(NX_BLK_READ, id, 0, 0, info->max_blocks + 1),
           NX_ERR_INVALID);
    expect("offset not a block multiple", io(NX_BLK_READ, id, 100, 0, 1), NX_ERR_INVALID);
    expect("past the end of the VMO", io(NX_BLK_READ, id, BUF_BYTES - 512, 0, 2), NX_ERR_INVALID);
    expect("unknown VMO id", io(NX_BLK_READ, id + 7, 0, 0, 1), NX_ERR_NOT_FOUND);
    expect("wrong request size", nx_rpc_call(blk, NX_BLK_READ, "x", 1, NULL, 0,
                                             NX_DEADLINE_NEVER), NX_ERR_INVALID);
    long small = nx_vmo_create(4096);
    expect("attach without DMA", nx_blk_attach(blk, (nx_handle_t)small,
                                               NX_RIGHT_READ | NX_RIGHT_WRITE), NX_ERR_ACCESS);
    long ro = nx_blk_attach(blk, (nx_handle_t)small, NX_RIGHT_READ | NX_RIGHT_DMA);
    expect("attach read-only", ro >= 0, 1);
    expect("read into a read-only VMO", io(NX_BLK_READ, (uint32_t)ro, 0, 0, 1), NX_ERR_ACCESS);
    expect("write out of it", io(NX_BLK_WRITE, (uint32_t)ro, 0, info->blocks - 1, 1), NX_OK);
    expect("detach", nx_blk_detach(blk, (uint32_t)ro), NX_OK);
    expect("use after detach", io(NX_BLK_WRITE, (uint32_t)ro, 0, 0, 1), NX_ERR_NOT_FOUND);
    expect("detach twice", nx_blk_detach(blk, (uint32_t)ro), NX_ERR_NOT_FOUND);
    long n = nx_notification_create();
    expect("attach a notification", nx_blk_attach(blk, (nx_handle_t)n, NX_RIGHTS_SAME),
           NX_ERR_WRONG_TYPE);
    struct nx_rpc_call c = { .op = NX_BLK_ATTACH, .deadline = NX_DEADLINE_NEVER };
    expect("attach nothing", nx_rpc(blk, &c), NX_ERR_INVALID);
    struct nx_badge_req me = { 1 };
    expect("disconnect (init only)", nx_rpc_call(blk, NX_BLK_DISCONNECT, &me, sizeof me, NULL, 0,
                                                 NX_DEADLINE_NEVER), NX_ERR_ACCESS);
    nx_handle_close((nx_handle_t)n);
    nx_handle_close((nx_handle_t)small);
}

// The pid of the service called name among those init started, or 0.
static uint32_t pid_of(nx_handle_t proc, const char *name)
{
    struct nx_proc_entry e[16];
    struct nx_proc_list_req req = { 0 };
    struct nx_rpc_call c = { .op = NX_PROC_LIST, .req = &req, .req_len = sizeof req,
                             .rep = e, .rep_cap = sizeof e, .deadline = NX_DEADLINE_NEVER };
    long n = nx_rpc(proc, &c);
    for (long i = 0; i < n; i++)
        if (!strcmp(e[i].name, name) && e[i].state == NX_PROC_ENTRY_RUNNING)
            return e[i].pid;
    return 0;
}

// Kill the driver: init restarts it on the same endpoint, which knows no attachment.
static void restart_driver(nx_handle_t proc)
{
    struct nx_proc_kill_req k = { pid_of(proc, "blk") };
    expect("kill the driver", nx_rpc_call(proc, NX_PROC_KILL, &k, sizeof k, NULL, 0,
                                          NX_DEADLINE_NEVER), NX_OK);
    struct nx_blk_info info;
    expect("the restarted driver answers", nx_blk_info(blk, &info), NX_OK);
    expect("under a new pid", pid_of(proc, "blk") != k.pid && pid_of(proc, "blk") != 0, 1);
    expect("an old id after the restart", nx_blk_read(blk, id, 0, DATA_BLOCK, 8),
           NX_ERR_NOT_FOUND);
    long r = nx_blk_attach(blk, vmo, NX_RIGHTS_SAME);
    expect("attach again", r >= 0, 1);
    id = (uint32_t)r;
    expect("read through the new driver", read_pattern(), NX_OK);
    expect("bytes that differ after the restart", differences(seed), 0);
}

static void first_boot(const struct nx_blk_info *info)
{
    seed = (uint64_t)nx_clock_get();
    fill(seed);
    struct nx_process_info self;
    nx_process_info(nx_self, &self);
    atomic_store(&writers_left, THREADS);
    for (uintptr_t t = 0; t < THREADS; t++)
        nx_thread_start(writer, (void *)t, self.priority, NX_THREAD_STACK_SIZE);
    while (atomic_load(&writers_left))
        nx_yield();
    expect("writes from 4 threads", atomic_load(&writer_errors), NX_OK);
    // An unaligned request whose pieces cross pages.
    expect("write at an offset inside a page", nx_blk_write(blk, id, 3584, DATA_BLOCK + 7, 9),
           NX_OK);
    expect("flush", nx_blk_flush(blk), NX_OK);
    expect("read back", read_pattern(), NX_OK);
    expect("bytes that differ", differences(seed), 0);
    struct header h = { .seed = seed };
    memcpy(h.magic, MAGIC, 8);
    memset(buf, 0, 512);
    memcpy(buf, &h, sizeof h);
    expect("write the header", nx_blk_write(blk, id, 0, 0, 1), NX_OK);
    expect("flush", nx_blk_flush(blk), NX_OK);
    bad_requests(info);
    expect("the driver still answers", nx_blk_info(blk, &(struct nx_blk_info){ 0 }), NX_OK);
    nx_printf("blktest: first boot wrote %u blocks\n", DATA_BLOCKS + 1);
}

static void second_boot(void)
{
    expect("read back after the reboot", read_pattern(), NX_OK);
    expect("bytes that differ from the first boot's", differences(seed), 0);
    // The image is attached read-only now: the device fails the write.
    expect("write to a read-only disk", nx_blk_write(blk, id, 0, DATA_BLOCK, 8), NX_ERR_IO);
    expect("a read after the failure", nx_blk_read(blk, id, 0, DATA_BLOCK, 8), NX_OK);
    nx_printf("blktest: second boot read what the first wrote\n");
}

static void report_stats(void)
{
    struct nx_blk_stats s;
    expect("stats", nx_blk_stats(blk, &s), NX_OK);
    nx_printf("blktest: %llu reads, %llu writes, %llu flushes, %llu errors, %llu bytes by DMA, "
              "%llu copied, at most %u in flight\n",
              (unsigned long long)s.reads, (unsigned long long)s.writes,
              (unsigned long long)s.flushes, (unsigned long long)s.errors,
              (unsigned long long)s.bytes, (unsigned long long)s.bytes_copied, s.max_in_flight);
}

int main(void)
{
    blk = nx_startup_handle("blk");
    struct nx_blk_info info;
    expect("info", nx_blk_info(blk, &info), NX_OK);
    expect("block size", info.block_size, 512);
    nx_printf("blktest: %llu blocks, %u per request\n", (unsigned long long)info.blocks,
              info.max_blocks);
    vmo = (nx_handle_t)nx_vmo_create(BUF_BYTES);
    buf = (uint8_t *)nx_vm_map(nx_self, vmo, 0, 0, BUF_BYTES, NX_PROT_READ | NX_PROT_WRITE);
    long r = nx_blk_attach(blk, vmo, NX_RIGHTS_SAME);
    expect("attach", r >= 0, 1);
    id = (uint32_t)r;
    expect("read block 0", nx_blk_read(blk, id, 0, 0, 1), NX_OK);
    struct header h;
    memcpy(&h, buf, sizeof h);
    bool first = memcmp(h.magic, MAGIC, 8) != 0;
    if (first) {
        first_boot(&info);
    } else {
        seed = h.seed;
        second_boot();
    }
    report_stats();
    if (first)
        restart_driver(nx_startup_handle("proc"));
    nx_printf("blktest: %d failures\n", failures);
    return (int)nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                            NX_DEADLINE_NEVER);
}

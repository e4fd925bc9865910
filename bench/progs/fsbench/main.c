// make bench, file figures (bench/run_bench.py, manifest tests/qemu/manifests/fsbench, a fresh
// 64 MiB ext3 disk): instructions counted with rdinstret across everything the hart runs
// (this program, the file system service, the block driver, the kernel), exact under
// `qemu -icount shift=0`. Under icount instret is virtual time, which runs on while the hart
// is halted in WFI waiting for QEMU's I/O thread, that is for the host: the figures leave
// that time out (NX_INFO_IDLE_INSTRET) and the write figures report it apart (*_wait_*).
// Prints "BENCH name value" lines, then powers off through proc.
//   seq_write: a 16 MiB file written with write() in 64 KiB pieces, fsync, close; per MiB
//   file_read_copy: that file (now in the page cache) read with read() into a 64 KiB buffer
//   file_read_mapped: the same file read through its mapping (a sum of every byte); the bytes
//     copied meanwhile: the kernel's counter over the read, plus the file system's and the
//     driver's counters over open..close
//   small_file_fsync: 1,000 files of 100 bytes, each create + write + fsync + close
// As "fsbench cold" (manifest fsbench.cold: a boot of its own, on a disk holding files made on
// the host, so the figures above run as they always did):
//   file_read_mapped_cold: /cold (16 MiB, less than the cache: nothing is evicted), its first
//     read since the boot, through its mapping; per MiB; the bytes copied over it and the
//     next read: the file system's and the driver's (file bytes: 0, they come by DMA) apart
//     from the kernel's (messages: the pager's requests)
//   cache_evict: then /cold2x (twice the cache) read the same way, the cache full soon after
//     it starts: its instructions less what the cold read's per-MiB cost accounts for, per
//     MiB the cache gave back. The bytes given back: the file's bytes brought in less what
//     the cache's free bytes (nx_fs_statfs) fell by over the read
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define MIB (1024 * 1024)
#define BIG_MIB 16
#define CHUNK (64 * 1024)
#define SMALL_FILES 1000
#define SMALL_BYTES 100

static uint8_t chunk[CHUNK];

static void report(const char *name, uint64_t value)
{
    nx_printf("BENCH %s %llu\n", name, (unsigned long long)value);
}

// A point in time: instret, and how much of it passed with the hart halted in WFI.
struct mark {
    uint64_t instret, idle;
};

static struct mark mark(void)
{
    struct mark m = { nx_rdinstret(), (uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET) };
    return m;
}

// The instructions the hart ran since m, divided by n; the halted time, divided by n, in *idle.
static uint64_t busy_since(struct mark m, uint64_t n, uint64_t *idle)
{
    struct mark e = mark();
    *idle = (e.idle - m.idle) / n;
    return (e.instret - m.instret - (e.idle - m.idle)) / n;
}

static uint64_t seq_write(uint64_t *wait)
{
    for (int i = 0; i < CHUNK; i++)
        chunk[i] = (uint8_t)i;
    struct mark t0 = mark();
    int fd = open("/bench/big", O_WRONLY | O_CREAT | O_TRUNC);
    for (int i = 0; fd >= 0 && i < BIG_MIB * MIB / CHUNK; i++)
        if (write(fd, chunk, CHUNK) != CHUNK)
            return 0;
    if (fd < 0 || nx_file_fsync(fd) || close(fd))
        return 0;
    return busy_since(t0, BIG_MIB, wait);
}

static uint64_t read_copy(uint64_t *sum)
{
    uint64_t wait;
    struct mark t0 = mark();
    int fd = open("/bench/big", O_RDONLY);
    ssize_t n;
    while (fd >= 0 && (n = read(fd, chunk, CHUNK)) > 0)
        *sum += chunk[n - 1];
    close(fd);
    return busy_since(t0, BIG_MIB, &wait);
}

// What a read of a file through its mapping cost: instructions (halted time left out), bytes
// copied by kernel, file system and driver, and the bytes the cache gave back meanwhile.
struct mapped_read {
    uint64_t instr, size;
    uint64_t kernel_copied;    // by the kernel: messages (the pager's requests, 24 bytes each)
    uint64_t service_copied;   // by the file system and the driver: file bytes
    int64_t evicted;
};

static struct mapped_read read_mapped(const char *path, uint64_t *sum)
{
    struct mapped_read r = { 0 };
    struct nx_fs_statfs a, b;
    const uint64_t *data;
    uint64_t size, wait;
    nx_fs_statfs(&a);
    struct mark t0 = mark();
    int fd = open(path, O_RDONLY);
    if (fd < 0 || nx_file_map(fd, (const void **)&data, &size))
        return r;
    long k0 = nx_system_info(NX_INFO_BYTES_COPIED);
    uint64_t acc = 0;   // in a register: the loop is a load and an add a word
    for (uint64_t i = 0; i < size / 8; i++)
        acc += data[i];
    *sum += acc;
    long k1 = nx_system_info(NX_INFO_BYTES_COPIED);
    close(fd);
    r.instr = busy_since(t0, 1, &wait);
    r.size = size;
    nx_fs_statfs(&b);
    r.kernel_copied = (uint64_t)(k1 - k0);
    r.service_copied = (b.fs_bytes_copied - a.fs_bytes_copied) +
                       (b.driver_bytes_copied - a.driver_bytes_copied);
    r.evicted = (int64_t)r.size - ((int64_t)a.cache_free_bytes - (int64_t)b.cache_free_bytes);
    return r;
}

// A cold read's cost per MiB, and the cost of eviction per MiB evicted in a read of a file
// larger than the cache (*evict_per_mib; 0 when nothing was evicted); *copied: both reads'.
static uint64_t read_cold(uint64_t *sum, struct mapped_read *copied, uint64_t *evict_per_mib)
{
    nx_fs_unlink("/bench/big");   // its pages leave the cache: /cold fits without evicting
    struct mapped_read cold = read_mapped("/cold", sum);
    struct mapped_read big = read_mapped("/cold2x", sum);
    if (!cold.size || !big.size)
        return 0;
    int64_t extra = (int64_t)big.instr - (int64_t)(cold.instr * big.size / cold.size);
    nx_printf("fsbench: cold reads: %llu bytes, %lld evicted; %llu bytes, %lld evicted\n",
              (unsigned long long)cold.size, (long long)cold.evicted,
              (unsigned long long)big.size, (long long)big.evicted);
    *evict_per_mib = big.evicted > 0 && extra > 0 ? (uint64_t)extra * MIB / big.evicted : 0;
    copied->kernel_copied = cold.kernel_copied + big.kernel_copied;
    copied->service_copied = cold.service_copied + big.service_copied;
    return cold.instr * MIB / cold.size;
}

static uint64_t small_files(uint64_t *wait)
{
    char path[32];
    struct mark t0 = mark();
    for (int i = 0; i < SMALL_FILES; i++) {
        snprintf(path, sizeof(path), "/bench/s%d", i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC);
        if (fd < 0 || write(fd, chunk, SMALL_BYTES) != SMALL_BYTES || nx_file_fsync(fd) ||
            close(fd))
            return 0;
    }
    return busy_since(t0, SMALL_FILES, wait);
}

static void cold_figures(uint64_t *sum)
{
    uint64_t evict = 0;
    struct mapped_read copied = { 0 };
    report("file_read_mapped_cold_instr_per_mib", read_cold(sum, &copied, &evict));
    report("file_read_mapped_cold_bytes_copied", copied.service_copied);
    report("file_read_mapped_cold_kernel_bytes_copied", copied.kernel_copied);
    report("cache_evict_instr_per_mib", evict);
}

static void figures(uint64_t *sum)
{
    uint64_t write_wait = 0, fsync_wait = 0;
    nx_fs_mkdir("/bench");
    report("seq_write_instr_per_mib", seq_write(&write_wait));
    report("seq_write_wait_per_mib", write_wait);
    report("file_read_copy_instr_per_mib", read_copy(sum));
    struct mapped_read cached = read_mapped("/bench/big", sum);
    report("file_read_mapped_instr_per_mib", cached.instr / BIG_MIB);
    report("file_read_mapped_bytes_copied", cached.kernel_copied + cached.service_copied);
    report("small_file_fsync_instr", small_files(&fsync_wait));
    report("small_file_fsync_wait", fsync_wait);
}

int main(int argc, char **argv)
{
    uint64_t sum = 0;
    if (argc > 1 && !strcmp(argv[1], "cold"))
        cold_figures(&sum);
    else
        figures(&sum);
    nx_printf("fsbench: done (checksum %llu)\n", (unsigned long long)sum);
    nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                (uint64_t)nx_clock_get() + 1000000000ull);
    return 0;
}

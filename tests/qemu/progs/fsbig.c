// QEMU tests of files larger than the file system's page cache (run_tests.py; issue 10), on
// ext3 disks made on the host. Every file's bytes are checked on the host too: this program
// prints a CRC-32 (zlib's) of what it wrote or read, and the harness compares it with the
// host's (debugfs) after the run.
//   fsbig many   write, fsync and close files of 0.5-2 MiB until ten times the cache is
//                written, then keep writing more while reading the first ones back.
//   fsbig share  two processes map /big (made on the host) and read it whole while this one
//                writes other files; the file system's pages stay within its budget.
//   fsbig kill   the file system (manifest: restart, a lower priority than this program) is
//                killed while one thread waits on a fault of /big's mapping and another in a
//                vmo_read of it: both fail cleanly; after the restart /big reads again.
// Prints "fsbig: <check> ok" or "WRONG", then "fsbig: N failures".
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/loader.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#define TEST_NAME "fsbig"
#include "expect.h"
#include "services.h"

#define MIB (1ull << 20)
#define BIG "/big"
#define MANY_MAX 128            // files `many` writes at most
#define MANY_MORE 8             // written (and read back) after the first ten caches' worth
#define WRITER_FILES 12         // `share`'s writer: files of WRITER_BYTES at most
#define WRITER_BYTES BUF_BYTES
#define CHUNK MIB               // the share reader's second checksum: per MiB
#define READER_PAGES 256        // budget of a reader process
#define BUF_BYTES (2 * MIB)

static uint8_t *buf;   // BUF_BYTES on the heap: nx_spawn copies data and bss, not the heap
static uint32_t crc_table[256];

static void crc_init(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

// zlib's crc32(crc, p, n).
static uint32_t crc32(uint32_t crc, const volatile uint8_t *p, uint64_t n)
{
    crc = ~crc;
    for (uint64_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

// buf[0..n) from seed; returns its CRC.
static uint32_t fill(uint64_t seed, uint64_t n)
{
    uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
    for (uint64_t i = 0; i < n; i += 8) {
        uint64_t v = xorshift(&s);
        memcpy(buf + i, &v, n - i < 8 ? n - i : 8);
    }
    return crc32(0, buf, n);
}

// Write buf[0..n) to path as a new file, fsync and close it; prints what failed.
static long put(const char *path, uint64_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC);
    long err = fd < 0 ? -1 : write(fd, buf, n) == (ssize_t)n ? nx_file_fsync(fd) : -2;
    if (fd >= 0 && close(fd) && !err)
        err = -3;
    if (err)
        nx_printf("fsbig: %s: error %ld (-1 open, -2 write, -3 close, else fsync's), errno %d\n",
                  path, err, errno);
    return err;
}

// Write a file of n bytes from seed and print "fsbig: wrote PATH SIZE CRC" once it is durable.
static long put_seeded(const char *path, uint64_t seed, uint64_t n, uint32_t *crc)
{
    *crc = fill(seed, n);
    long err = put(path, n);
    if (!err)
        nx_printf("fsbig: wrote %s %llu %08x\n", path, (unsigned long long)n, *crc);
    return err;
}

// The CRC of the file at path read through its mapping (*size: its size), or ~0 if it fails.
static uint32_t crc_of(const char *path, uint64_t *size)
{
    const void *data;
    int fd = open(path, O_RDONLY);
    uint32_t crc = fd >= 0 && nx_file_map(fd, &data, size) == NX_OK ? crc32(0, data, *size) : ~0u;
    if (fd >= 0)
        close(fd);
    return crc;
}

static uint64_t cache_bytes(void)
{
    struct nx_fs_statfs sf = { 0 };
    nx_fs_statfs(&sf);
    nx_printf("fsbig: the page cache: %llu KiB\n", (unsigned long long)sf.cache_bytes / 1024);
    return sf.cache_bytes;
}

// ---- many: ten times the cache in files, then more

static void many(void)
{
    static uint32_t crcs[MANY_MAX];
    static uint64_t sizes[MANY_MAX];
    char path[32];
    uint64_t goal = 10 * cache_bytes(), total = 0, seed = 7;
    long errors = 0;
    uint32_t n = 0;
    nx_fs_mkdir("/many");
    for (; total < goal && n < MANY_MAX - MANY_MORE; n++) {
        sizes[n] = MIB / 2 + xorshift(&seed) % (3 * MIB / 2);
        snprintf(path, sizeof(path), "/many/f%u", n);
        errors += put_seeded(path, n, sizes[n], &crcs[n]) != NX_OK;
        total += sizes[n];
    }
    expect("ten times the cache written, fsynced and closed", total >= goal && !errors, 1);
    nx_printf("fsbig: %u files, %llu KiB\n", n, (unsigned long long)total / 1024);
    long wrong = 0;
    for (uint32_t k = 0; k < MANY_MORE; k++, n++) {
        snprintf(path, sizeof(path), "/many/f%u", n);
        errors += put_seeded(path, n, MIB + 4097 * k, &crcs[n]) != NX_OK;
        snprintf(path, sizeof(path), "/many/f%u", k);
        uint64_t size = 0;
        wrong += crc_of(path, &size) != crcs[k] || size != sizes[k];
    }
    expect("more files written after that", errors, 0);
    expect("the first files read back with their bytes", wrong, 0);
}

// ---- share: two readers of one mapped file, a writer of others

static nx_handle_t shared(int fd, uint64_t *size)
{
    nx_handle_t vmo = NX_HANDLE_INVALID;
    return nx_file_share(fd, &vmo, size) == NX_OK ? vmo : NX_HANDLE_INVALID;
}

static uint64_t big_size;   // set before the readers are spawned (they get a copy)

static const volatile uint8_t *map_big(nx_handle_t vmo)
{
    long va = nx_vm_map(nx_self, vmo, 0, 0, (big_size + 4095) & ~4095ull, NX_PROT_READ);
    return va > 0 ? (const volatile uint8_t *)va : NULL;
}

// The whole file in order.
static void reader_in_order(nx_handle_t vmo)
{
    const volatile uint8_t *p = map_big(vmo);
    if (p)
        nx_printf("fsbig: reader 1: crc %08x\n", crc32(0, p, big_size));
    nx_exit(p ? 0 : 1);
}

// Each MiB's CRC, the MiBs visited in a scattered order (stride 37), then the CRC of those
// CRCs (little-endian, in file order).
static void reader_scattered(nx_handle_t vmo)
{
    static uint32_t crcs[256];
    const volatile uint8_t *p = map_big(vmo);
    uint64_t chunks = (big_size + CHUNK - 1) / CHUNK;
    if (!p || chunks > 256)
        nx_exit(1);
    for (uint64_t k = 0, c = 0; k < chunks; k++, c = (c + 37) % chunks) {
        uint64_t n = big_size - c * CHUNK < CHUNK ? big_size - c * CHUNK : CHUNK;
        crcs[c] = crc32(0, p + c * CHUNK, n);
    }
    nx_printf("fsbig: reader 2: crc of the MiBs' crcs %08x\n",
              crc32(0, (const uint8_t *)crcs, chunks * 4));
    nx_exit(0);
}

// The file system's pages used now, the most seen (*most) and its budget.
static void sample_fs(nx_handle_t proc, uint64_t *most, uint64_t *budget)
{
    struct nx_proc_entry e;
    if (find(proc, "fs", &e) == NX_OK) {
        *most = e.used_pages > *most ? e.used_pages : *most;
        *budget = e.budget_pages;
    }
}

static bool ended(nx_handle_t proc, long *status)
{
    return nx_process_wait(proc, 0, status) == NX_OK;
}

static void share(void)
{
    nx_handle_t proc = nx_startup_handle("proc");
    uint64_t cache = cache_bytes(), most = 0, budget = 0;
    int fd = open(BIG, O_RDONLY);
    nx_handle_t a = shared(fd, &big_size), b = shared(fd, &big_size);
    expect("the file is larger than the cache", big_size > cache, 1);
    long r1 = nx_spawn("reader1", READER_PAGES, reader_in_order, a);
    long r2 = nx_spawn("reader2", READER_PAGES, reader_scattered, b);
    expect("two readers started", r1 > 0 && r2 > 0, 1);
    long s1 = -1, s2 = -1, errors = 0;
    char path[32];
    nx_fs_mkdir("/w");
    bool done1 = false, done2 = false;
    for (uint32_t k = 0; !(done1 && done2); k++) {
        sample_fs(proc, &most, &budget);
        if (k < WRITER_FILES) {
            uint32_t crc;
            snprintf(path, sizeof(path), "/w/f%u", k);
            errors += put_seeded(path, 100 + k, WRITER_BYTES - 4096 * k - k, &crc) != NX_OK;
        } else {
            nap(20);
        }
        done1 = done1 || ended((nx_handle_t)r1, &s1);
        done2 = done2 || ended((nx_handle_t)r2, &s2);
    }
    expect("the readers read it whole", s1 == 0 && s2 == 0, 1);
    expect("the writer's files written meanwhile", errors, 0);
    nx_printf("fsbig: the file system used at most %llu of its %llu pages\n",
              (unsigned long long)most, (unsigned long long)budget);
    expect("the cache stayed within its budget", most > 0 && most <= budget, 1);
    close(fd);
}

// ---- kill: the pager dies under a waiting fault

static void toucher(nx_handle_t vmo)
{
    const volatile uint8_t *p = map_big(vmo);
    if (p)
        (void)p[40 * MIB];   // cold: nobody read it since the boot
    nx_printf("fsbig: toucher STILL ALIVE\n");
    nx_exit(1);
}

// Exits with vmo_read's answer.
static void vmo_reader(nx_handle_t vmo)
{
    static uint8_t page[4096];
    nx_exit(nx_vmo_read(vmo, 48 * MIB, page, sizeof(page)));
}

// Busy (never blocked) for ms: the file system, at a lower priority, does not run meanwhile,
// while threads of this one's priority get their turns.
static void spin(uint64_t ms)
{
    uint64_t end = (uint64_t)nx_clock_get() + ms * MS;
    while ((uint64_t)nx_clock_get() < end)
        ;
}

static void kill_fs(void)
{
    nx_handle_t proc = nx_startup_handle("proc");
    int fd = open(BIG, O_RDONLY);
    nx_handle_t a = shared(fd, &big_size), b = shared(fd, &big_size);
    expect("the file is larger than 48 MiB", big_size > 48 * MIB, 1);
    long t = nx_spawn("toucher", READER_PAGES, toucher, a);
    long v = nx_spawn("vmoreader", READER_PAGES, vmo_reader, b);
    expect("two processes started", t > 0 && v > 0, 1);
    // Both run, fault and block; the file system cannot answer before it is killed.
    spin(300);
    kill_and_watch_restart(proc, "fs");
    long ts = 0, vs = 0;
    uint64_t deadline = (uint64_t)nx_clock_get() + 3000 * MS;   // before the pager's 5 s
    expect("the faulting process ends", nx_process_wait((nx_handle_t)t, deadline, &ts), NX_OK);
    expect("killed", ts, NX_EXIT_KILLED);
    expect("the vmo_read returns", nx_process_wait((nx_handle_t)v, deadline, &vs), NX_OK);
    expect("with the pager's end", vs, NX_ERR_PEER_CLOSED);
    close(fd);
    uint64_t size = 0;
    uint32_t crc = crc_of(BIG, &size);
    expect("the file reads again", size, (long)big_size);
    nx_printf("fsbig: after the restart: crc %08x\n", crc);
}

int main(int argc, char **argv)
{
    crc_init();
    buf = malloc(BUF_BYTES);
    const char *mode = argc > 1 ? argv[1] : "";
    if (!strcmp(mode, "many"))
        many();
    else if (!strcmp(mode, "share"))
        share();
    else if (!strcmp(mode, "kill"))
        kill_fs();
    else
        expect("a known mode", 0, 1);
    nx_printf("fsbig: %d failures\n", failures);
    return failures;
}

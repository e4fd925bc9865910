// The power-cut test's workload (tests/qemu/powercut.py): empty /data/cut, then write and
// fsync files there until the harness kills QEMU. "cutload: synced NAME SIZE SEED" is printed
// only after the fsync returned, so every file named in such a line must survive the cut
// with exactly the bytes cut_byte(SEED, i) for i < SIZE (the harness checks it on the host).
// As "cutload big" every other file is 5-8 MiB, larger than the file system's cache in the
// powercutbig manifest (4 MiB), so cuts fall in evictions and write-backs too; it stops
// writing once BIG_TOTAL bytes are synced (the disk has room for them).
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>

#define DIR "/data/cut"
#define MAX_SIZE (24 * 1024)
#define MIB (1u << 20)
#define BIG_MIN (5 * MIB)
#define BIG_SPAN (3 * MIB)
#define BIG_TOTAL (48ull * MIB)

static uint8_t buf[MAX_SIZE];

// Same formula in powercut.py.
static uint8_t cut_byte(uint32_t seed, uint32_t i)
{
    return (uint8_t)(seed * 31 + i * 7 + i / 509);
}

// Remove what the previous boot left (its files may be half written: nothing promised them).
static void clear(void)
{
    uint8_t ents[NX_MSG_BYTES_MAX];
    char path[NX_FS_PATH_MAX];
    long n;
    while ((n = nx_fs_readdir(DIR, 0, ents, sizeof(ents))) > 2) {
        long removed = 0;
        for (const uint8_t *p = ents; n-- > 0; p += ((const struct nx_fs_dirent *)p)->reclen) {
            const char *name = ((const struct nx_fs_dirent *)p)->name;
            snprintf(path, sizeof(path), DIR "/%s", name);
            removed += strcmp(name, ".") && strcmp(name, "..") && !nx_fs_unlink(path);
        }
        if (!removed)
            break;
    }
}

// Write the file of size bytes from seed, MAX_SIZE bytes a write, and fsync it.
static long put(const char *path, uint32_t seed, uint32_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0)
        return -1;
    long err = NX_OK;
    for (uint32_t at = 0; !err && at < size; at += MAX_SIZE) {
        uint32_t n = size - at < MAX_SIZE ? size - at : MAX_SIZE;
        for (uint32_t i = 0; i < n; i++)
            buf[i] = cut_byte(seed, at + i);
        err = write(fd, buf, n) == (ssize_t)n ? NX_OK : -2;
    }
    if (!err)
        err = nx_file_fsync(fd);
    return close(fd) ? -3 : err;
}

int main(int argc, char **argv)
{
    bool big = argc > 1 && !strcmp(argv[1], "big");
    uint32_t seed = (uint32_t)nx_clock_get();
    uint64_t total = 0;
    nx_fs_mkdir(DIR);
    clear();
    nx_printf("cutload: cleared\n");
    for (uint32_t k = 0; !big || total < BIG_TOTAL; k++) {
        char path[64];
        uint32_t s = seed + k * 2654435761u;
        uint32_t size = big && k % 2 ? BIG_MIN + s % BIG_SPAN : 1 + s % MAX_SIZE;
        snprintf(path, sizeof(path), DIR "/f%u", k);
        long err = put(path, s, size);
        if (err) {
            nx_printf("cutload: %s: error %ld\n", path, err);
            return 1;
        }
        nx_printf("cutload: synced f%u %u %u\n", k, size, s);
        total += size;
    }
    nx_printf("cutload: %llu bytes synced: waiting for the cut\n", (unsigned long long)total);
    long idle = nx_notification_create();
    uint64_t bits;
    for (;;)
        nx_notify_wait_bits((nx_handle_t)idle, NX_DEADLINE_NEVER, &bits);
}

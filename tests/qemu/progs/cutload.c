// The power-cut test's workload (tests/qemu/powercut.py): empty /data/cut, then write and
// fsync files there until the harness kills QEMU. "cutload: synced NAME SIZE SEED" is printed
// only after the fsync returned, so every file named in such a line must survive the cut
// with exactly the bytes cut_byte(SEED, i) for i < SIZE (the harness checks it on the host).
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>

#define DIR "/data/cut"
#define MAX_SIZE (24 * 1024)

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

static long put(const char *path, uint32_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0)
        return -1;
    long err = write(fd, buf, size) == (ssize_t)size ? nx_file_fsync(fd) : -2;
    return close(fd) ? -3 : err;
}

int main(void)
{
    uint32_t seed = (uint32_t)nx_clock_get();
    nx_fs_mkdir(DIR);
    clear();
    nx_printf("cutload: cleared\n");
    for (uint32_t k = 0;; k++) {
        char path[64];
        uint32_t s = seed + k * 2654435761u, size = 1 + s % MAX_SIZE;
        for (uint32_t i = 0; i < size; i++)
            buf[i] = cut_byte(s, i);
        snprintf(path, sizeof(path), DIR "/f%u", k);
        long err = put(path, size);
        if (err) {
            nx_printf("cutload: %s: error %ld\n", path, err);
            return 1;
        }
        nx_printf("cutload: synced f%u %u %u\n", k, size, s);
    }
}

// QEMU test of the file system service (docs/storage.md). Granted the whole tree ("fs"): a
// boot-archive file read through its mapping copies 0 bytes; fopen/fread give the same
// bytes; stat, readdir, read-only refusals. Run as "fstest jail", granted only dir:/boot:
// nothing outside /boot can be named, neither by path nor by '..' or an absolute path sent
// raw to the service.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <nx/file.h>
#include <nx/rpc.h>
#include <nx/startup.h>
#define TEST_NAME "fstest"
#include "expect.h"
#include "fsraw.h"

// The kernel's copy counter is the whole system's: with several harts another process (fsjail,
// the file system mounting) may copy a few bytes during the read. A read that copied would
// copy every time, so the least of a few tries, each through a fresh mapping (the page
// faulted in again), is what the mapped read itself costs.
#define COPY_TRIES 5

static long copies_of_a_mapped_read(uint64_t *size)
{
    int fd = open("/boot/manifest", 0);
    const void *data;
    if (fd < 0 || nx_file_map(fd, &data, size) != NX_OK)
        return -1;
    long before = nx_system_info(NX_INFO_BYTES_COPIED);
    uint32_t sum = 0;
    for (uint64_t i = 0; i < *size; i++)
        sum += ((const uint8_t *)data)[i];
    long after = nx_system_info(NX_INFO_BYTES_COPIED);
    (void)sum;
    close(fd);
    return after - before;
}

static void mapped_read_copies_nothing(void)
{
    uint64_t size = 0;
    long copied = -1;
    for (int i = 0; i < COPY_TRIES && copied != 0; i++) {
        long c = copies_of_a_mapped_read(&size);
        if (c >= 0 && (copied < 0 || c < copied))
            copied = c;
    }
    nx_printf("fstest: mapped read of %llu bytes, %ld bytes copied\n", (unsigned long long)size,
              copied);
    expect("mapped read copies 0 bytes", copied, 0);
    int fd = open("/boot/manifest", 0);
    const void *data;
    expect("open /boot/manifest", fd >= 0, 1);
    expect("map it", nx_file_map(fd, &data, &size), NX_OK);
    expect("it is the test manifest", size > 12 && !memcmp(data, "# QEMU test:", 12), 1);
    FILE *f = fopen("/boot/manifest", "r");
    char buf[64];
    size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    expect("fopen + fread", n == sizeof(buf) && !memcmp(buf, data, n), 1);
    expect("fclose", f ? fclose(f) : -1, 0);
    expect("close", close(fd), 0);
}

static void tree_and_refusals(void)
{
    struct nx_fs_stat st;
    char buf[NX_MSG_BYTES_MAX];
    expect("stat /boot/hello", nx_fs_stat("/boot/hello", &st), NX_OK);
    expect("it is a regular file", (st.mode & NX_FS_S_IFMT) == NX_FS_S_IFREG && st.size > 0, 1);
    expect("stat /boot", nx_fs_stat("/boot", &st), NX_OK);
    expect("it is a directory", (st.mode & NX_FS_S_IFMT) == NX_FS_S_IFDIR, 1);
    expect("stat of a missing file", nx_fs_stat("/boot/nothing", &st), NX_ERR_NOT_FOUND);
    expect("readdir / lists boot", nx_fs_readdir("/", 0, buf, sizeof(buf)) >= 1 &&
           !strcmp(((struct nx_fs_dirent *)buf)->name, "boot"), 1);
    expect("readdir /boot", nx_fs_readdir("/boot", 0, buf, sizeof(buf)) > 3, 1);
    expect("open for writing in /boot refused", open("/boot/hello", 2), -1);
    expect("unlink in /boot refused", nx_fs_unlink("/boot/hello"), NX_ERR_ACCESS);
    expect("open of a directory refused", open("/boot", 0), -1);
}

static void jail(void)
{
    nx_handle_t dir = nx_startup_handle("dir:/boot");
    struct nx_fs_stat st;
    expect("granted dir:/boot only", dir != NX_HANDLE_INVALID &&
           nx_startup_handle("fs") == NX_HANDLE_INVALID, 1);
    expect("stat /boot/hello", nx_fs_stat("/boot/hello", &st), NX_OK);
    expect("stat / refused", nx_fs_stat("/", &st), NX_ERR_ACCESS);
    expect("stat /boot/../boot/hello", nx_fs_stat("/boot/../boot/hello", &st), NX_OK);
    expect("open /data/app/x refused", open("/data/app/x", 0), -1);
    expect("raw hello", raw_stat(dir, "hello"), NX_OK);
    expect("raw .. refused", raw_stat(dir, ".."), NX_ERR_ACCESS);
    expect("raw ../boot/hello refused", raw_stat(dir, "../boot/hello"), NX_ERR_ACCESS);
    expect("raw x/../../boot refused", raw_stat(dir, "x/../../boot"), NX_ERR_ACCESS);
    expect("raw absolute /boot/hello refused", raw_stat(dir, "/boot/hello"), NX_ERR_ACCESS);
    int fd = open("/boot/hello", 0);
    expect("open /boot/hello", fd >= 0, 1);
    expect("close", close(fd), 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "jail"))
        jail();
    else {
        mapped_read_copies_nothing();
        tree_and_refusals();
    }
    nx_printf("fstest: %s%d failures\n", argc > 1 ? "jail: " : "", failures);
    return 0;
}

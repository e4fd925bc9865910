// QEMU test of the disk through the file system service, over two boots of one image
// (run_tests.py: files_persist_across_boots). First boot (no /data/persist yet): write
// files, fsync them, make and rename a directory, remove a file, then read a disk file
// through its mapping: 0 bytes copied. Second boot: everything the first wrote is back.
// As "fsdisk jail", granted only dir:/data/app: nothing outside it can be named.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#define TEST_NAME "fsdisk"
#include "expect.h"
#include "fsraw.h"

// Written by one write(): more than one NX_FILE_WRITE_CHUNK (libnx grows the file twice), and
// past the direct and single-indirect blocks (1 KiB blocks): double-indirect ones too.
#define BIG_BYTES (NX_FILE_WRITE_CHUNK + 300 * 1024)

static const char text[] = "written before the power-off\n";

// The byte at i of the big file: a pattern no two neighbouring blocks share.
static uint8_t big_byte(uint64_t i)
{
    return (uint8_t)(i * 7 + i / 4096);
}

static long put(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0)
        return -1;
    long err = write(fd, data, len) == (ssize_t)len ? nx_file_fsync(fd) : -2;
    return close(fd) ? -3 : err;
}

// Deleting a file revokes the handle every open of it got: open one raw (libnx keeps its
// handles to itself), map it, unlink it.
static void unlink_revokes(void)
{
    char req[sizeof(struct nx_fs_open) + 32];
    struct nx_fs_open q = { NX_FS_RDONLY, 0 };
    struct nx_fs_open_rep rep;
    memcpy(req, &q, sizeof(q));
    strcpy(req + sizeof(q), "data/persist/gone");
    struct nx_rpc_call c = { .op = NX_FS_OPEN, .req = req,
                             .req_len = sizeof(q) + strlen("data/persist/gone") + 1,
                             .rep = &rep, .rep_cap = sizeof(rep),
                             .deadline = (uint64_t)nx_clock_get() + 5000000000ull };
    expect("raw open", nx_rpc(nx_startup_handle("fs"), &c), NX_OK);
    nx_handle_t vmo = c.recv.h[0];
    expect("the filebuffer handle has no WRITE",
           nx_handle_info_rights(nx_handle_info(vmo)) & NX_RIGHT_WRITE, 0);
    long va = nx_vm_map(nx_self, vmo, 0, 0, 4096, NX_PROT_READ);
    expect("map it", va > 0, 1);
    expect("a writable mapping refused", nx_vm_map(nx_self, vmo, 0, 0, 4096,
                                                   NX_PROT_READ | NX_PROT_WRITE), NX_ERR_ACCESS);
    expect("remove it", nx_fs_unlink("/data/persist/gone"), NX_OK);
    expect("its handle is revoked", nx_handle_info(vmo), NX_ERR_BAD_HANDLE);
    expect("the mapping made before stays", *(volatile const char *)va, 'x');
    nx_vm_unmap(nx_self, va, 4096);
}

static void first_boot(void)
{
    static uint8_t big[BIG_BYTES];
    for (uint64_t i = 0; i < BIG_BYTES; i++)
        big[i] = big_byte(i);
    expect("mkdir /data/persist", nx_fs_mkdir("/data/persist"), NX_OK);
    expect("mkdir again", nx_fs_mkdir("/data/persist"), NX_ERR_BAD_STATE);
    expect("write /data/persist/a", put("/data/persist/a", text, sizeof(text) - 1), NX_OK);
    expect("write a big file", put("/data/persist/big", big, sizeof(big)), NX_OK);
    expect("write a file to remove", put("/data/persist/gone", "x", 1), NX_OK);
    unlink_revokes();
    expect("mkdir /data/old", nx_fs_mkdir("/data/old"), NX_OK);
    expect("write /data/old/f", put("/data/old/f", "moved\n", 6), NX_OK);
    expect("rename /data/old to /data/persist/new", nx_fs_rename("/data/old", "/data/persist/new"),
           NX_OK);
    FILE *f = fopen("/data/persist/stdio", "w");
    expect("fopen for writing", f != NULL, 1);
    expect("fprintf", f ? fprintf(f, "line %d\n", 42) : -1, 8);
    expect("fclose", f ? fclose(f) : -1, 0);
    int fd = open("/data/persist/huge", O_WRONLY | O_CREAT);
    expect("growing past the service's budget: pages come when touched",
           nx_file_truncate(fd, 10 << 20), NX_OK);
    expect("growing past the disk's free space refused",
           nx_file_truncate(fd, 64 << 20), NX_ERR_NO_SPACE);
    expect("growing past the largest file refused",
           nx_file_truncate(fd, 1ull << 40), NX_ERR_TOO_BIG);
    expect("close it", close(fd), 0);
    expect("remove it", nx_fs_unlink("/data/persist/huge"), NX_OK);
    expect("sync", nx_fs_sync(), NX_OK);
    nx_printf("fsdisk: first boot done\n");
}

// Power off with a file open and written but never fsynced: init has the file system write
// it back first. The pause lets fsapp finish.
static void power_off_holding_a_file(void)
{
    static const char held[] = "held open at the power-off\n";
    int fd = open("/data/persist/held", O_WRONLY | O_CREAT);
    expect("write a file and keep it open", write(fd, held, sizeof(held) - 1),
           (long)sizeof(held) - 1);
    uint64_t bits;
    nx_notify_wait_bits((nx_handle_t)nx_notification_create(),
                        (uint64_t)nx_clock_get() + 300000000ull, &bits);
    nx_printf("fsdisk: powering off\n");
    nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                (uint64_t)nx_clock_get() + 5000000000ull);
}

// Open a file, map it and count what reading it through the mapping copies.
static void mapped_read(void)
{
    const void *data;
    uint64_t size;
    int fd = open("/data/persist/big", O_RDONLY);
    expect("open the big file", fd >= 0, 1);
    expect("map it", nx_file_map(fd, &data, &size), NX_OK);
    long before = nx_system_info(NX_INFO_BYTES_COPIED);
    uint64_t wrong = 0;
    for (uint64_t i = 0; i < size; i++)
        wrong += ((const uint8_t *)data)[i] != big_byte(i);
    long copied = nx_system_info(NX_INFO_BYTES_COPIED) - before;
    struct nx_fs_statfs sf;
    nx_fs_statfs(&sf);
    nx_printf("fsdisk: mapped read of %llu bytes: %ld copied by the kernel, %llu by the file "
              "system, %llu by the driver\n", (unsigned long long)size, copied,
              (unsigned long long)sf.fs_bytes_copied, (unsigned long long)sf.driver_bytes_copied);
    expect("big file size", (long)size, BIG_BYTES);
    expect("big file bytes", (long)wrong, 0);
    // The pages come in on first touch: the kernel copies the block requests' few bytes of
    // message each (the file system asking the driver), never a byte of the file.
    expect("mapped read copies no file byte", copied < (long)(size / 64), 1);
    expect("file data copied by the file system", (long)sf.fs_bytes_copied, 0);
    expect("copied by the driver", (long)sf.driver_bytes_copied, 0);
    close(fd);
}

static void second_boot(void)
{
    char buf[64] = "";
    struct nx_fs_stat st;
    FILE *f = fopen("/data/persist/a", "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    expect("read back /data/persist/a", n == sizeof(text) - 1 && !memcmp(buf, text, n), 1);
    if (f)
        fclose(f);
    expect("the removed file stays removed", nx_fs_stat("/data/persist/gone", &st),
           NX_ERR_NOT_FOUND);
    expect("the renamed directory", nx_fs_stat("/data/persist/new/f", &st), NX_OK);
    expect("the old name is gone", nx_fs_stat("/data/old", &st), NX_ERR_NOT_FOUND);
    f = fopen("/data/persist/stdio", "r");
    memset(buf, 0, sizeof(buf));
    n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    expect("stdio file", !strcmp(buf, "line 42\n"), 1);
    if (f)
        fclose(f);
    f = fopen("/data/persist/held", "r");
    memset(buf, 0, sizeof(buf));
    n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    expect("the file held open at the power-off", !strcmp(buf, "held open at the power-off\n"), 1);
    if (f)
        fclose(f);
    f = fopen("/data/persist/stdio", "a");
    expect("fopen to append", f && fputs("more\n", f) >= 0 && !fclose(f), 1);
    f = fopen("/data/persist/stdio", "r");
    memset(buf, 0, sizeof(buf));
    n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    expect("appended", !strcmp(buf, "line 42\nmore\n"), 1);
    if (f)
        fclose(f);
    mapped_read();
    nx_printf("fsdisk: second boot read what the first wrote\n");
}

static void jail(void)
{
    nx_handle_t dir = nx_startup_handle("dir:/data/app");
    struct nx_fs_stat st;
    char buf[64] = "";
    expect("granted dir:/data/app only", dir != NX_HANDLE_INVALID &&
           nx_startup_handle("fs") == NX_HANDLE_INVALID, 1);
    FILE *f = fopen("/data/app/hello.txt", "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
    expect("read /data/app/hello.txt", n > 0 && !strncmp(buf, "hello from the app", 18), 1);
    if (f)
        fclose(f);
    expect("open /data/secret.txt refused", open("/data/secret.txt", O_RDONLY), -1);
    expect("stat /boot/hello refused", nx_fs_stat("/boot/hello", &st), NX_ERR_ACCESS);
    expect("/data/app/../secret.txt refused", nx_fs_stat("/data/app/../secret.txt", &st),
           NX_ERR_ACCESS);
    expect("raw ../secret.txt refused", raw_stat(dir, "../secret.txt"), NX_ERR_ACCESS);
    expect("raw x/../../secret.txt refused", raw_stat(dir, "x/../../secret.txt"), NX_ERR_ACCESS);
    expect("raw absolute /data/secret.txt refused", raw_stat(dir, "/data/secret.txt"),
           NX_ERR_ACCESS);
    expect("raw hello.txt", raw_stat(dir, "hello.txt"), NX_OK);
    expect("write inside it", put("/data/app/mine", "ok", 2), NX_OK);
    nx_printf("fsdisk: jail: %d failures\n", failures);
}

int main(int argc, char **argv)
{
    struct nx_fs_stat st;
    if (argc > 1 && !strcmp(argv[1], "jail")) {
        jail();
        return 0;
    }
    bool first = nx_fs_stat("/data/persist/a", &st) == NX_ERR_NOT_FOUND;
    if (first)
        first_boot();
    else
        second_boot();
    nx_printf("fsdisk: %d failures\n", failures);
    if (first)
        power_off_holding_a_file();
    return 0;
}

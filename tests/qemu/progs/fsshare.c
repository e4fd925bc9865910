// QEMU test (run_tests.py: a_read_only_file_passes_to_a_child): a file opened read-only is
// handed to a child. The parent writes /data/shared.bin, opens it read-only, takes a handle
// for another process (nx_file_share; an open for writing has none to give), and starts
// itself again from the boot archive as "fsshare child SIZE" with that handle named "file".
// The child maps it and reads the file's bytes, and cannot write them (no WRITE right, no
// writable mapping, no duplicate that adds WRITE). Then the parent removes the file: the
// child's handle is revoked with the parent's (it derives from it), while the mapping the
// child made before keeps the bytes it read. Prints "fsshare: <check> ok" or "WRONG".
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/startup.h>
#define TEST_NAME "fsshare"
#include "expect.h"
#include "filechild.h"

#define PATH "/data/shared.bin"
#define SIZE (40 * 1024 + 123)        // eleven pages, the last one partly
#define DEADLINE_NS 10000000000ull

static uint8_t byte_at(uint64_t i)
{
    return (uint8_t)(i * 13 + i / 1000);
}

static uint64_t deadline(void)
{
    return (uint64_t)nx_clock_get() + DEADLINE_NS;
}

static uint64_t pages_of(uint64_t size)
{
    return (size + 4095) / 4096 * 4096;
}

static long rights(nx_handle_t h)
{
    return (nx_handle_info(h) >> 8) & 0xffffffff;
}

static void child(uint64_t size)
{
    nx_handle_t vmo = nx_startup_handle("file");
    long va = nx_vm_map(nx_self, vmo, 0, 0, (long)pages_of(size), NX_PROT_READ);
    expect("child: map the file", va > 0, 1);
    const volatile uint8_t *p = (const volatile uint8_t *)va;
    uint64_t same = 0;
    for (uint64_t i = 0; va > 0 && i < size; i++)
        same += p[i] == byte_at(i);
    expect("child: read the file's bytes", (long)same, SIZE);
    expect("child: the handle has no WRITE", rights(vmo) & NX_RIGHT_WRITE, 0);
    expect("child: a writable mapping refused",
           nx_vm_map(nx_self, vmo, 0, 0, (long)pages_of(size), NX_PROT_READ | NX_PROT_WRITE),
           NX_ERR_ACCESS);
    expect("child: a duplicate with WRITE refused",
           nx_handle_duplicate(vmo, NX_RIGHT_READ | NX_RIGHT_WRITE), NX_ERR_ACCESS);
    nx_notify_signal(nx_startup_handle("ready"), 1);
    uint64_t bits = 0;
    expect("child: told the file is gone",
           nx_notify_wait_bits(nx_startup_handle("go"), deadline(), &bits), NX_OK);
    expect("child: its handle is revoked by the unlink", nx_handle_info(vmo), NX_ERR_BAD_HANDLE);
    expect("child: the mapping made before still reads", va > 0 && p[size - 1] == byte_at(size - 1),
           1);
    nx_printf("fsshare: child: %d failures\n", failures);
    nx_exit(failures);
}

static long put_file(void)
{
    static uint8_t data[SIZE];
    for (uint64_t i = 0; i < SIZE; i++)
        data[i] = byte_at(i);
    int fd = open(PATH, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0)
        return -1;
    long err = write(fd, data, SIZE) == SIZE ? nx_file_fsync(fd) : -2;
    return close(fd) ? -3 : err;
}

static void parent(void)
{
    expect("write " PATH, put_file(), NX_OK);
    int wfd = open(PATH, O_RDWR);
    nx_handle_t vmo = NX_HANDLE_INVALID;
    uint64_t size = 0;
    expect("an open for writing has no handle to share", nx_file_share(wfd, &vmo, &size),
           NX_ERR_ACCESS);
    close(wfd);
    int fd = open(PATH, O_RDONLY);
    expect("open it read-only", fd >= 0, 1);
    expect("share it", nx_file_share(fd, &vmo, &size), NX_OK);
    expect("its size", (long)size, SIZE);
    expect("the shared handle: READ, MAP, TRANSFER only", rights(vmo),
           NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_TRANSFER);
    long ready = nx_notification_create(), go = nx_notification_create();
    nx_handle_t proc = NX_HANDLE_INVALID;
    char arg[24];
    snprintf(arg, sizeof(arg), "%lu", (unsigned long)size);
    const char *argv[] = { "fsshare", "child", arg };
    expect("start the child with it",
           start_file_child("fsshare", argv, 3, vmo, (nx_handle_t)ready, (nx_handle_t)go, &proc),
           NX_OK);
    uint64_t bits = 0;
    expect("the child read it",
           nx_notify_wait_bits((nx_handle_t)ready, deadline(), &bits), NX_OK);
    expect("remove it", nx_fs_unlink(PATH), NX_OK);
    nx_notify_signal((nx_handle_t)go, 1);
    long status = -1;
    expect("the child ends", nx_process_wait(proc, deadline(), &status), NX_OK);
    expect("the child's checks passed", status, 0);
    close(fd);
    nx_printf("fsshare: %d failures\n", failures);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "child") == 0)
        child(strtoull(argv[2], NULL, 10));
    else
        parent();
    return 0;
}

// QEMU test (run_tests.py: a_file_truncated_under_a_mapping): pages past the end of a file
// fault with a clear error, and a page cache the service lets go of fails its pages at once.
// The parent writes /data/trunc.bin (four pages), keeps it open for writing, opens it
// read-only and hands the filebuffer to a child ("fstrunc cut"), which maps it and reads it.
// The parent truncates the file to a page and a bit: the child finds the pages before the end
// right (the rest of the last page zeros), then touches the third page and is killed ("past
// the end of the file"). The file grows again: the pages past the old end read as zeros.
// Then a second child ("fstrunc gone") maps the file and the parent removes it: the child's
// touch of a page not in memory fails at once (the pager gave it up), not at the kernel's
// 5 s deadline. Last, appends grow a file past the page cache. Prints "fstrunc: <check> ok"
// or "WRONG".
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/startup.h>
#define TEST_NAME "fstrunc"
#include "expect.h"
#include "filechild.h"

#define PATH "/data/trunc.bin"
#define FILLER "/data/filler.bin"
#define PAGE 4096
#define SIZE (4 * PAGE)
#define CUT (PAGE + 1000)   // the end after the truncation: in the second page
#define DEADLINE_NS 10000000000ull

static uint8_t byte_at(uint64_t i)
{
    return (uint8_t)(i * 7 + i / PAGE + 1);   // never 0
}

static uint64_t deadline(void)
{
    return (uint64_t)nx_clock_get() + DEADLINE_NS;
}

// How many of bytes [from, to) of p are not the file's (or, zeros: not 0).
static long wrong_bytes(const volatile uint8_t *p, uint64_t from, uint64_t to, bool zeros)
{
    long wrong = 0;
    for (uint64_t i = from; i < to; i++)
        wrong += p[i] != (zeros ? 0 : byte_at(i));
    return wrong;
}

static void wait_for(nx_handle_t notif)
{
    uint64_t bits = 0;
    nx_notify_wait_bits(notif, deadline(), &bits);
}

// A child: map the file, check what the parent says it holds, then touch `touch`: it must die.
static void child(const char *mode)
{
    bool cut = !strcmp(mode, "cut");
    long va = nx_vm_map(nx_self, nx_startup_handle("file"), 0, 0, SIZE, NX_PROT_READ);
    expect("child: map the file", va > 0, 1);
    const volatile uint8_t *p = (const volatile uint8_t *)va;
    expect("child: read it", va > 0 ? wrong_bytes(p, 0, cut ? SIZE : PAGE, false) : -1, 0);
    nx_notify_signal(nx_startup_handle("ready"), 1);
    wait_for(nx_startup_handle("go"));
    if (cut) {
        expect("child: the pages before the end read right", wrong_bytes(p, 0, CUT, false), 0);
        expect("child: the rest of the last page reads zeros", wrong_bytes(p, CUT, 2 * PAGE, true),
               0);
    }
    nx_printf("fstrunc: child: touching page %d\n", cut ? 2 : 3);
    uint8_t b = p[(cut ? 2 : 3) * PAGE];
    nx_printf("fstrunc: child: survived the touch (read %u) WRONG\n", b);
    nx_exit(1);
}

static long put_file(int fd)
{
    static uint8_t data[SIZE];
    for (uint64_t i = 0; i < SIZE; i++)
        data[i] = byte_at(i);
    return write(fd, data, SIZE) == SIZE ? nx_file_fsync(fd) : -1;
}

// Start a child on a share of fd, let it read, do `between`, let it touch: it must be killed.
// Returns the virtual time from the go to its end, in ms.
static long child_dies(const char *mode, int fd, const char *what, long (*between)(void))
{
    nx_handle_t vmo = NX_HANDLE_INVALID, proc = NX_HANDLE_INVALID;
    uint64_t size;
    long ready = nx_notification_create(), go = nx_notification_create(), status = 0;
    expect("share the file", nx_file_share(fd, &vmo, &size), NX_OK);
    const char *argv[] = { "fstrunc", mode };
    expect("start a child on it", start_file_child("fstrunc", argv, 2, vmo, (nx_handle_t)ready,
                                                   (nx_handle_t)go, &proc), NX_OK);
    wait_for((nx_handle_t)ready);
    expect(what, between(), NX_OK);
    long t0 = nx_clock_get();
    nx_notify_signal((nx_handle_t)go, 1);
    expect("the child ends", nx_process_wait(proc, deadline(), &status), NX_OK);
    expect("the child was killed", status, NX_EXIT_KILLED);
    nx_handle_close(proc);
    nx_handle_close((nx_handle_t)ready);
    nx_handle_close((nx_handle_t)go);
    return (nx_clock_get() - t0) / 1000000;
}

static int wfd, rfd;

static long cut(void)
{
    return nx_file_truncate(wfd, CUT);
}

static long gone(void)
{
    long err = close(wfd) || close(rfd);
    return err ? err : nx_fs_unlink(PATH);
}

// Appends of 1 MiB, each in an open of its own, grow a file past the page cache.
#define APPENDED "/data/appended.bin"
#define CHUNK (1u << 20)
#define CHUNKS 12

static void append_past_the_cache(void)
{
    static uint8_t chunk[CHUNK];
    struct nx_fs_statfs sf;
    expect("statfs", nx_fs_statfs(&sf), NX_OK);
    expect("the appends are more than the cache", sf.cache_bytes < CHUNKS * CHUNK, 1);
    long appended = 0;
    for (uint64_t i = 0; i < CHUNKS; i++) {
        for (uint64_t j = 0; j < CHUNK; j++)
            chunk[j] = byte_at(i * CHUNK + j);
        int fd = open(APPENDED, O_WRONLY | O_CREAT | O_APPEND);
        appended += fd >= 0 && write(fd, chunk, CHUNK) == CHUNK;
        appended -= fd < 0 || close(fd) != 0;
    }
    expect("append 12 MiB, 1 MiB an open", appended, CHUNKS);
    int fd = open(APPENDED, O_RDONLY);
    const void *data = NULL;
    uint64_t size = 0;
    expect("map it", fd >= 0 ? nx_file_map(fd, &data, &size) : -1, NX_OK);
    expect("its size", (long)size, CHUNKS * CHUNK);
    expect("its bytes", data ? wrong_bytes(data, 0, size, false) : -1, 0);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc == 2)
        child(argv[1]);
    int filler = open(FILLER, O_WRONLY | O_CREAT | O_TRUNC);
    static const uint8_t some[64 * 1024];
    expect("write a filler", filler >= 0 && write(filler, some, sizeof(some)) == sizeof(some) &&
                             close(filler) == 0, 1);
    wfd = open(PATH, O_RDWR | O_CREAT | O_TRUNC);
    expect("write " PATH, wfd >= 0 ? put_file(wfd) : -1, NX_OK);
    rfd = open(PATH, O_RDONLY);
    expect("open it read-only", rfd >= 0, 1);
    child_dies("cut", rfd, "truncate it to a page and a bit", cut);
    expect("grow it again", nx_file_truncate(wfd, SIZE), NX_OK);
    // The disk's free space grows past what the first writer's page cache was sized for: a
    // second writer shares that cache all the same.
    expect("remove the filler", nx_fs_unlink(FILLER), NX_OK);
    int second = open(PATH, O_RDWR);
    expect("a second writer opens it", second >= 0, 1);
    expect("and closes it", second >= 0 ? close(second) : -1, 0);
    const void *data;
    uint64_t size;
    expect("map it", nx_file_map(rfd, &data, &size), NX_OK);
    expect("the pages past the old end read as zeros",
           wrong_bytes(data, CUT, 3 * PAGE, true), 0);
    expect("the pages before it read right", wrong_bytes(data, 0, CUT, false), 0);
    long ms = child_dies("gone", rfd, "remove it", gone);
    nx_printf("fstrunc: the touch of a page let go of failed in %ld ms\n", ms);
    expect("at once, not at the pager's 5 s deadline", ms < 2000, 1);
    append_past_the_cache();
    nx_printf("fstrunc: %d failures\n", failures);
    return 0;
}

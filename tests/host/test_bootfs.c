// The boot archive's finds (user/lib/bootfs.c) against the cpio reader's cpio_find: on the
// real archive of tests/host/cpio.mk, whole and with each entry's header broken in turn, a
// random sequence of finds (names present, absent, with "./" and "/", empty) gives what
// cpio_find gives, the error included; and a file read past once is found again without
// reading the archive (its headers broken afterwards: the archive is sealed in the system).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nx/bootfs.h>
#include <nx/nx.h>
#include "lib/cpio.h"

#define ARCHIVE "build/test-data/test.cpio"

nx_handle_t nx_self = 1, nx_boot_archive = 2, nx_start_handle;
struct nx_ipc_buffer *nx_ipc_buffer;

static unsigned char *arc;  // the archive nx_vm_map "maps"
static size_t arc_len;

// The syscalls nx_bootfs_open and _close make: the archive VMO's size, its mapping.
long nx_syscall0(long n)
{
    (void)n;
    return NX_ERR_BAD_SYSCALL;
}

long nx_syscall7_out(long n, long x0, long x1, long x2, long x3, long x4, long x5, long x6,
                     uint64_t out[6])
{
    (void)x0, (void)x1, (void)x2, (void)x3, (void)x4, (void)x5, (void)x6, (void)out;
    if (n == NX_SYS_vmo_size)
        return (long)arc_len;
    if (n == NX_SYS_vm_map)
        return (long)(uintptr_t)arc;
    assert_int_equal(n, NX_SYS_vm_unmap);
    return NX_OK;
}

static const char *const paths[] = {
    "a", "ab", "abc", "abcd", "bin/init", "empty", "hello", "link", "bin", ".", "missing",
    "./hello", "/bin/init", "//abc", "", "/", "./", "hell", "helloo",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static void load_archive(void)
{
    FILE *f = fopen(ARCHIVE, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    arc_len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    arc = malloc(arc_len);
    assert_non_null(arc);
    assert_int_equal(fread(arc, 1, arc_len, f), arc_len);
    fclose(f);
}

// nx_bootfs_find's answer for path must be cpio_find's.
static void same_as_cpio_find(const struct nx_bootfs *fs, const char *path)
{
    struct cpio_entry e;
    int want = cpio_find(arc, arc_len, path, &e);
    const void *data = NULL;
    size_t size = 0;
    long got = nx_bootfs_find(fs, path, &data, &size);
    assert_int_equal(got, want == CPIO_OK ? NX_OK : want == CPIO_END ? NX_ERR_NOT_FOUND
                                                                      : NX_ERR_INVALID);
    if (want == CPIO_OK) {
        assert_ptr_equal(data, e.data);
        assert_int_equal(size, e.size);
    }
}

static void random_finds(unsigned seed)
{
    struct nx_bootfs fs;
    assert_int_equal(nx_bootfs_open(nx_boot_archive, &fs), NX_OK);
    srand(seed);
    for (int i = 0; i < 200; i++)
        same_as_cpio_find(&fs, paths[(size_t)rand() % NPATHS]);
    nx_bootfs_close(&fs);
}

static void finds_match_cpio_find_whole_and_broken_at_each_entry(void **state)
{
    (void)state;
    load_archive();
    random_finds(1);
    struct cpio_entry e;
    size_t pos = 0, at = 0;
    for (int k = 0;; k++) {  // each entry's magic broken in turn: finds past it fail
        at = pos;
        int r = cpio_next(arc, arc_len, &pos, &e);
        unsigned char saved = arc[at];
        arc[at] = 'x';
        random_finds((unsigned)k + 2);
        arc[at] = saved;
        if (r != CPIO_OK)
            break;
    }
    free(arc);
}

static void a_file_read_past_is_found_without_reading_again(void **state)
{
    (void)state;
    load_archive();
    struct nx_bootfs fs;
    assert_int_equal(nx_bootfs_open(nx_boot_archive, &fs), NX_OK);
    const void *data, *again;
    size_t size, size_again;
    assert_int_equal(nx_bootfs_find(&fs, "hello", &data, &size), NX_OK);
    arc[0] = 'x';  // the first header broken: a read from the start fails now
    struct cpio_entry e;
    assert_int_equal(cpio_find(arc, arc_len, "hello", &e), CPIO_E_BADMAGIC);
    assert_int_equal(nx_bootfs_find(&fs, "./hello", &again, &size_again), NX_OK);
    assert_ptr_equal(again, data);
    assert_int_equal(size_again, size);
    assert_int_equal(nx_bootfs_find(&fs, "abc", &again, &size_again), NX_OK);  // before it
    assert_int_equal(size_again, 3);
    nx_bootfs_close(&fs);
    free(arc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_match_cpio_find_whole_and_broken_at_each_entry),
        cmocka_unit_test(a_file_read_past_is_found_without_reading_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

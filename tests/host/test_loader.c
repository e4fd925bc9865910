// Host unit tests for the loader's pure parts: how segments become VMOs (loader_plan.c) and
// the startup protocol (startup.c): packing on the parent's side, the child's acceptance of
// every message, well-formed or not.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nexus/syscall.h>
#include <nx/startup.h>
#include "loader_plan.h"

#define HELLO "build/test-data/elf/hello.elf"
#define PAGE ELF_PAGE_SIZE

// ---- segment plans ----

static void test_plan_rounds_to_pages(void **state)
{
    (void)state;
    struct elf_image img = {
        .entry = 0x10100, .nsegs = 2,
        .seg = {
            { .vaddr = 0x10100, .memsz = 0x2000, .offset = 0x100, .filesz = 0x1f00,
              .flags = NX_PROT_READ | NX_PROT_EXEC },
            { .vaddr = 0x13ff8, .memsz = 0x10, .offset = 0x3ff8, .filesz = 0x4,
              .flags = NX_PROT_READ | NX_PROT_WRITE },
        },
    };
    struct nx_seg_plan plan[ELF_MAX_SEGMENTS];
    assert_int_equal(nx_loader_plan(&img, plan), 2);
    assert_int_equal(plan[0].va, 0x10000);
    assert_int_equal(plan[0].size, 0x3000);  // 0x10100 + 0x2000 ends inside the third page
    assert_int_equal(plan[0].copy_off, 0x100);
    assert_int_equal(plan[0].file_off, 0x100);
    assert_int_equal(plan[0].file_len, 0x1f00);
    assert_int_equal(plan[0].prot, NX_PROT_READ | NX_PROT_EXEC);
    // A segment that straddles a page boundary by 8 bytes needs two pages.
    assert_int_equal(plan[1].va, 0x13000);
    assert_int_equal(plan[1].size, 0x2000);
    assert_int_equal(plan[1].copy_off, 0xff8);
    assert_int_equal(plan[1].prot, NX_PROT_READ | NX_PROT_WRITE);
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    unsigned char *p = malloc(*len);
    assert_int_equal(fread(p, 1, *len, f), *len);
    fclose(f);
    return p;
}

// A real executable: every plan is page-aligned, holds its file bytes inside the VMO and
// covers the whole segment, and no two plans share a page.
static void test_plan_of_a_real_executable(void **state)
{
    (void)state;
    size_t len;
    unsigned char *file = read_file(HELLO, &len);
    struct elf_image img;
    assert_int_equal(elf_parse(file, len, &img), ELF_OK);
    struct nx_seg_plan plan[ELF_MAX_SEGMENTS];
    uint32_t n = nx_loader_plan(&img, plan);
    assert_true(n >= 2);
    for (uint32_t i = 0; i < n; i++) {
        const struct nx_seg_plan *p = &plan[i];
        assert_int_equal(p->va % PAGE, 0);
        assert_int_equal(p->size % PAGE, 0);
        assert_true(p->copy_off + p->file_len <= p->size);
        assert_true(p->va + p->copy_off == img.seg[i].vaddr);
        assert_true(p->va + p->size >= img.seg[i].vaddr + img.seg[i].memsz);
        assert_true(p->file_off + p->file_len <= len);
        for (uint32_t j = 0; j < i; j++)
            assert_true(p->va >= plan[j].va + plan[j].size || plan[j].va >= p->va + p->size);
    }
    free(file);
}

// ---- the parent's packing ----

static void test_pack(void **state)
{
    (void)state;
    const char *strs[] = { "prog", "", "arg two" };
    char buf[16];
    size_t used;
    assert_int_equal(nx_startup_pack(buf, sizeof(buf), strs, 3, &used), 3);
    assert_int_equal(used, 5 + 1 + 8);
    assert_memory_equal(buf, "prog\0\0arg two\0", used);
    // Only whole strings: the third does not fit in 10 bytes.
    assert_int_equal(nx_startup_pack(buf, 10, strs, 3, &used), 2);
    assert_int_equal(used, 6);
    // A string longer than the whole buffer packs nothing.
    assert_int_equal(nx_startup_pack(buf, 4, strs, 3, &used), 0);
    assert_int_equal(used, 0);
}

// ---- the child's state machine ----

static struct nx_startup_state st;

static int setup(void **state)
{
    (void)state;
    nx_startup_init(&st);
    return 0;
}

static long accept_bytes(uint32_t label, const char *bytes, size_t n)
{
    return nx_startup_accept(&st, label, bytes, n, NULL, 0);
}

static void test_args_append(void **state)
{
    (void)state;
    assert_int_equal(accept_bytes(NX_STARTUP_ARGS, "prog\0-v\0", 8), NX_OK);
    assert_int_equal(accept_bytes(NX_STARTUP_ARGS, "file\0", 5), NX_OK);
    assert_int_equal(st.argc, 3);
    assert_string_equal(st.argv[0], "prog");
    assert_string_equal(st.argv[1], "-v");
    assert_string_equal(st.argv[2], "file");
    assert_null(st.argv[3]);
    assert_int_equal(accept_bytes(NX_STARTUP_DONE, NULL, 0), NX_OK);
    assert_true(st.done);
    assert_int_equal(accept_bytes(NX_STARTUP_ARGS, "late\0", 5), NX_ERR_BAD_STATE);
}

static void test_malformed_args(void **state)
{
    (void)state;
    nx_handle_t h = 5;
    assert_int_equal(accept_bytes(NX_STARTUP_ARGS, "no nul", 6), NX_ERR_INVALID);
    assert_int_equal(accept_bytes(NX_STARTUP_ARGS, "", 0), NX_ERR_INVALID);
    assert_int_equal(nx_startup_accept(&st, NX_STARTUP_ARGS, "a\0", 2, &h, 1), NX_ERR_INVALID);
    assert_int_equal(accept_bytes(0x1234, "a\0", 2), NX_ERR_INVALID);
    assert_int_equal(accept_bytes(NX_STARTUP_DONE, "a\0", 2), NX_ERR_INVALID);
    assert_int_equal(nx_startup_accept(&st, NX_STARTUP_ARGS, "a\0", NX_MSG_BYTES_MAX + 1, NULL, 0),
                     NX_ERR_TOO_BIG);
    assert_int_equal(st.argc, 0);  // nothing was taken
    assert_int_equal(st.args_len, 0);
}

static void test_args_limits(void **state)
{
    (void)state;
    static char many[NX_MSG_BYTES_MAX];
    memset(many, 0, sizeof(many));  // 1024 empty strings: more than NX_STARTUP_ARGS_MAX
    assert_int_equal(accept_bytes(NX_STARTUP_ARGS, many, sizeof(many)), NX_ERR_TOO_BIG);
    memset(many, 'x', sizeof(many));
    many[sizeof(many) - 1] = '\0';  // one 1023-byte string: two fit, the third does not
    assert_int_equal(accept_bytes(NX_STARTUP_ARGS, many, sizeof(many)), NX_OK);
    assert_int_equal(accept_bytes(NX_STARTUP_ARGS, many, sizeof(many)), NX_OK);
    assert_int_equal(accept_bytes(NX_STARTUP_ARGS, many, sizeof(many)), NX_ERR_TOO_BIG);
    assert_int_equal(st.argc, 2);
}

static void test_env(void **state)
{
    (void)state;
    assert_int_equal(accept_bytes(NX_STARTUP_ENV, "PWD=/data\0A=\0", 13), NX_OK);
    assert_int_equal(accept_bytes(NX_STARTUP_ENV, "B=x=y\0", 6), NX_OK);
    assert_int_equal(st.envc, 3);
    assert_string_equal(st.envp[0], "PWD=/data");
    assert_string_equal(st.envp[1], "A=");
    assert_string_equal(st.envp[2], "B=x=y");
    assert_null(st.envp[3]);
    assert_int_equal(st.argc, 0);  // apart from the arguments
    // Malformed: no '=', an empty name, '=' only in the next string, no NUL; nothing taken.
    assert_int_equal(accept_bytes(NX_STARTUP_ENV, "PWD\0", 4), NX_ERR_INVALID);
    assert_int_equal(accept_bytes(NX_STARTUP_ENV, "=x\0", 3), NX_ERR_INVALID);
    assert_int_equal(accept_bytes(NX_STARTUP_ENV, "A\0=b\0", 5), NX_ERR_INVALID);
    assert_int_equal(accept_bytes(NX_STARTUP_ENV, "A=b", 3), NX_ERR_INVALID);
    assert_int_equal(accept_bytes(NX_STARTUP_ENV, "", 0), NX_ERR_INVALID);
    assert_int_equal(st.envc, 3);
    static char big[NX_STARTUP_ENV_BYTES_MAX];
    memset(big, 'x', sizeof(big));
    big[1] = '=';
    big[NX_MSG_BYTES_MAX - 1] = '\0';  // fits a message, not what is left of the room
    assert_int_equal(accept_bytes(NX_STARTUP_ENV, big, NX_MSG_BYTES_MAX), NX_ERR_TOO_BIG);
    assert_int_equal(st.envc, 3);
}

static long accept_handles(const char *names, size_t n, size_t nhandles)
{
    nx_handle_t hs[NX_MSG_HANDLES_MAX] = { 11, 12, 13, 14 };
    return nx_startup_accept(&st, NX_STARTUP_HANDLES, names, n, hs, nhandles);
}

static void test_named_handles(void **state)
{
    (void)state;
    assert_int_equal(accept_handles("log\0console\0", 12, 2), NX_OK);
    assert_int_equal(accept_handles("svc\0", 4, 1), NX_OK);
    assert_int_equal(st.nhandles, 3);
    assert_string_equal(st.names[1], "console");
    assert_int_equal(st.handles[1], 12);
    assert_string_equal(st.names[2], "svc");
    assert_int_equal(st.handles[2], 11);
}

static void test_malformed_handles(void **state)
{
    (void)state;
    assert_int_equal(accept_handles("a\0b\0", 4, 1), NX_ERR_INVALID);    // 2 names, 1 handle
    assert_int_equal(accept_handles("a\0", 2, 2), NX_ERR_INVALID);       // 1 name, 2 handles
    assert_int_equal(accept_handles("", 0, 0), NX_ERR_INVALID);          // nothing at all
    assert_int_equal(accept_handles("\0", 1, 1), NX_ERR_INVALID);        // empty name
    assert_int_equal(accept_handles("a\0a\0", 4, 2), NX_ERR_INVALID);    // repeated
    assert_int_equal(accept_handles("a", 1, 1), NX_ERR_INVALID);         // no NUL
    char longname[NX_STARTUP_NAME_MAX + 2];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(accept_handles(longname, sizeof(longname), 1), NX_ERR_TOO_BIG);
    assert_int_equal(st.nhandles, 0);
    assert_int_equal(accept_handles("a\0", 2, 1), NX_OK);
    assert_int_equal(accept_handles("a\0", 2, 1), NX_ERR_INVALID);       // taken before
}

static void test_handle_limit(void **state)
{
    (void)state;
    char names[NX_STARTUP_HANDLES_MAX][16];
    for (int i = 0; i < NX_STARTUP_HANDLES_MAX; i++) {
        snprintf(names[i], sizeof(names[i]), "h%d", i);
        assert_int_equal(accept_handles(names[i], strlen(names[i]) + 1, 1), NX_OK);
    }
    assert_int_equal(accept_handles("one\0", 4, 1), NX_ERR_TOO_BIG);
}

// Random messages never break the state: every string stays inside args, every count inside
// its array (ASan watches the accesses).
static void test_random_messages(void **state)
{
    (void)state;
    srand(4);
    static char bytes[NX_MSG_BYTES_MAX];
    static const uint32_t labels[] = { NX_STARTUP_ARGS, NX_STARTUP_HANDLES, 0 };
    for (int round = 0; round < 20000; round++) {
        if (round % 50 == 0)
            nx_startup_init(&st);
        size_t n = (size_t)rand() % 24;
        for (size_t i = 0; i < n; i++)
            bytes[i] = "ab\0"[rand() % 3];
        nx_handle_t hs[NX_MSG_HANDLES_MAX] = { 1, 2, 3, 4 };
        nx_startup_accept(&st, labels[rand() % 3], bytes, n, hs, (size_t)rand() % 5);
        assert_true(st.argc <= NX_STARTUP_ARGS_MAX);
        assert_true(st.nhandles <= NX_STARTUP_HANDLES_MAX);
        for (int i = 0; i < st.argc; i++)
            assert_true(st.argv[i] >= st.args && st.argv[i] < st.args + st.args_len);
        assert_null(st.argv[st.argc]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_rounds_to_pages),
        cmocka_unit_test(test_plan_of_a_real_executable),
        cmocka_unit_test(test_pack),
        cmocka_unit_test_setup(test_args_append, setup),
        cmocka_unit_test_setup(test_malformed_args, setup),
        cmocka_unit_test_setup(test_args_limits, setup),
        cmocka_unit_test_setup(test_named_handles, setup),
        cmocka_unit_test_setup(test_malformed_handles, setup),
        cmocka_unit_test_setup(test_handle_limit, setup),
        cmocka_unit_test_setup(test_env, setup),
        cmocka_unit_test_setup(test_random_messages, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

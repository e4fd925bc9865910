// Host unit tests for the kernel's memcpy and memset (kernel/lib/string.c, lib/memcpy.c: libnx's memcpy too). The files are built
// into this test with its functions renamed, so the host libc's stay what cmocka and ASan use;
// ASan catches any access outside the buffers given (a word read past the source's end).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#define memcpy kernel_memcpy
#define memmove kernel_memmove
#define memset kernel_memset
#define memcmp kernel_memcmp
#define strlen kernel_strlen
#define strnlen kernel_strnlen
#define strcmp kernel_strcmp
#define strncmp kernel_strncmp
#include "lib/string.c"
#include "lib/memcpy.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp

#define MAX_LEN 540  // past two 256-byte blocks, with words and bytes after
#define SPAN (MAX_LEN + 16)  // memset: room for every offset, and bytes after

// A copy of n bytes from offset so of a buffer to offset dof of another, both buffers
// ending where the copy ends (malloc'd to size): the bytes arrive, the ones before stay.
static void copy_to_buffer_ends(size_t so, size_t dof, size_t n)
{
    unsigned char *from = malloc(so + n + 1) + 1, *to = malloc(dof + n + 1) + 1;
    for (size_t i = 0; i < so + n; i++)
        from[i] = (unsigned char)(i * 7 + 1);
    memset(to, 0xaa, dof + n);
    assert_ptr_equal(kernel_memcpy(to + dof, from + so, n), to + dof);
    for (size_t i = 0; i < dof; i++)
        assert_int_equal(to[i], 0xaa);
    assert_memory_equal(to + dof, from + so, n);
    free(from - 1);
    free(to - 1);
}

// Every source and destination offset modulo 8 (same skew, 4-byte skew, odd skew) and every
// length: ASan sees any access past either buffer (a word read beyond the source's end).
static void memcpy_every_alignment_and_length(void **state)
{
    (void)state;
    for (size_t so = 0; so < 8; so++)
        for (size_t dof = 0; dof < 8; dof++)
            for (size_t n = 0; n <= MAX_LEN; n++)
                copy_to_buffer_ends(so, dof, n);
}

static void memset_every_alignment_and_length(void **state)
{
    (void)state;
    unsigned char area[SPAN], model[SPAN];
    for (size_t dof = 0; dof < 8; dof++)
        for (size_t n = 0; n <= MAX_LEN; n++) {
            memset(area, 0x55, SPAN);
            memset(model, 0x55, SPAN);
            for (size_t i = 0; i < n; i++)
                model[dof + i] = 0xc3;
            assert_ptr_equal(kernel_memset(area + dof, 0xc3, n), area + dof);
            assert_memory_equal(area, model, SPAN);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memcpy_every_alignment_and_length),
        cmocka_unit_test(memset_every_alignment_and_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

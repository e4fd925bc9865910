// libFuzzer target for kernel/lib/cpio.c: iterating and looking up must never
// read outside the input (ASan) or hit undefined behaviour (UBSan), must
// terminate, and every entry returned must lie inside the archive.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cpio.h"

static void check_entry(const uint8_t *data, size_t size, size_t before, size_t after,
                        const struct cpio_entry *e)
{
    const char *base = (const char *)data;
    if (after <= before || after > size || after % 4 != 0)
        abort();
    if (e->name < base + before || e->name >= base + after || e->namelen == 0 ||
        e->namelen >= (size_t)(base + after - e->name) || strlen(e->name) != e->namelen)
        abort();
    const char *d = e->data;
    if (d <= e->name || d > base + after || e->size > (size_t)(base + after - d))
        abort();
    if (e->size > 0) { // let ASan confirm the bytes really are in the input
        volatile char sink = d[0] ^ d[e->size - 1];
        (void)sink;
    }
}

static void check_find(const uint8_t *data, size_t size, const char *path)
{
    struct cpio_entry e;
    int r = cpio_find(data, size, path, &e);
    if (r < CPIO_E_BADNAME || r > CPIO_END)
        abort();
    if (r == CPIO_OK && ((e.mode & CPIO_S_IFMT) != CPIO_S_IFREG || strlen(e.name) != e.namelen))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos = 0;
    struct cpio_entry e;
    char first[64] = "hello";
    int r, n = 0;
    for (;;) {
        size_t before = pos;
        r = cpio_next(data, size, &pos, &e);
        if (r != CPIO_OK) {
            if (pos != before)
                abort();
            break;
        }
        check_entry(data, size, before, pos, &e);
        if (n++ == 0 && e.namelen < sizeof(first)) // look this one up again below
            memcpy(first, e.name, e.namelen + 1);
    }
    if (r < CPIO_E_BADNAME || r > CPIO_END)
        abort();
    check_find(data, size, first);
    check_find(data, size, "./bin/init");
    return 0;
}

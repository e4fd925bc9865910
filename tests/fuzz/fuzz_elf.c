// libFuzzer target for kernel/lib/elf.c: elf_parse() must never read outside
// its input (ASan), never hit undefined behaviour (UBSan), and whenever it
// says ELF_OK the image must satisfy everything the loader relies on.
#include <stdint.h>
#include <stdlib.h>

#include "lib/elf.h"

#define PAGE ELF_PAGE_SIZE

static uint64_t page_down(uint64_t a) { return a & ~(PAGE - 1); }

static void check_segment(const uint8_t *data, size_t size, const struct elf_segment *s)
{
    if (s->memsz == 0 || s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset)
        abort();
    if (s->vaddr < USER_VA_MIN || s->vaddr >= USER_VA_LIMIT || s->memsz > USER_VA_LIMIT - s->vaddr)
        abort();
    if (s->vaddr % PAGE != s->offset % PAGE || (s->flags & ~7u) != 0)
        abort();
    if ((s->flags & NX_PROT_WRITE) && (s->flags & NX_PROT_EXEC))
        abort();
    if (s->filesz > 0) { // let ASan confirm the bytes really are in the input
        volatile uint8_t sink = data[s->offset] ^ data[s->offset + s->filesz - 1];
        (void)sink;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct elf_image img;
    int r = elf_parse(data, size, &img);
    if (r > ELF_OK || r < ELF_E_NOSEG)
        abort();
    if (r != ELF_OK) {
        const unsigned char *p = (const unsigned char *)&img;
        for (size_t i = 0; i < sizeof(img); i++)
            if (p[i] != 0)
                abort(); // errors must leave a zeroed image
        return 0;
    }
    if (img.nsegs < 1 || img.nsegs > ELF_MAX_SEGMENTS || img.entry % 2 != 0)
        abort();
    int entry_ok = 0;
    for (uint32_t i = 0; i < img.nsegs; i++) {
        const struct elf_segment *s = &img.seg[i];
        check_segment(data, size, s);
        for (uint32_t j = 0; j < i; j++) { // page-rounded ranges must be disjoint
            const struct elf_segment *o = &img.seg[j];
            if (page_down(s->vaddr) < o->vaddr + o->memsz && page_down(o->vaddr) < s->vaddr + s->memsz)
                abort();
        }
        if ((s->flags & NX_PROT_EXEC) && img.entry >= s->vaddr && img.entry - s->vaddr < s->memsz)
            entry_ok = 1;
    }
    if (!entry_ok)
        abort();
    return 0;
}

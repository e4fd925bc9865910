// From PT_LOAD segments to page-aligned VMOs (see loader_plan.h). elf_parse has proved that
// segments lie in user space, are page-congruent with their file offsets and share no page,
// so rounding each out to whole pages can neither overflow nor collide.
#include <nexus/syscall.h>
#include "loader_plan.h"

static uint32_t prot_of(uint32_t flags)
{
    return ((flags & ELF_SEG_R) ? NX_PROT_READ : 0) | ((flags & ELF_SEG_W) ? NX_PROT_WRITE : 0) |
           ((flags & ELF_SEG_X) ? NX_PROT_EXEC : 0);
}

uint32_t nx_loader_plan(const struct elf_image *img, struct nx_seg_plan plan[ELF_MAX_SEGMENTS])
{
    for (uint32_t i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];
        uint64_t va = s->vaddr & ~(ELF_PAGE_SIZE - 1);
        uint64_t end = (s->vaddr + s->memsz + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
        plan[i] = (struct nx_seg_plan){
            .va = va, .size = end - va, .file_off = s->offset, .file_len = s->filesz,
            .copy_off = s->vaddr - va, .prot = prot_of(s->flags),
        };
    }
    return img->nsegs;
}

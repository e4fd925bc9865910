// From PT_LOAD segments to page-aligned VMOs (see loader_plan.h). elf_parse has proved that
// segments lie in user space, are page-congruent with their file offsets and share no page,
// so rounding each out to whole pages can neither overflow nor collide.
#include <nexus/syscall.h>
#include "loader_plan.h"

uint32_t nx_loader_plan(const struct elf_image *img, struct nx_seg_plan plan[ELF_MAX_SEGMENTS])
{
    for (uint32_t i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];
        uint64_t va = s->vaddr & ~(ELF_PAGE_SIZE - 1);
        uint64_t end = (s->vaddr + s->memsz + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
        plan[i] = (struct nx_seg_plan){
            .va = va, .size = end - va, .file_off = s->offset, .file_len = s->filesz,
            .copy_off = s->vaddr - va, .prot = s->flags,
        };
    }
    return img->nsegs;
}

#pragma once
// The ELF loader's pure part (loader_plan.c): from a validated image to the VMOs to make.
// No system calls, so the host tests run it as it is.
#include <stdint.h>
#include "lib/elf.h"

// One VMO of `size` bytes mapped at `va` with `prot` (NX_PROT_*), holding file bytes
// [file_off, file_off + file_len) at VMO offset copy_off and zeros everywhere else.
struct nx_seg_plan {
    uint64_t va, size;
    uint64_t file_off, file_len, copy_off;
    uint32_t prot;
};

// Plan every segment of img (which elf_parse accepted); returns how many (img->nsegs).
uint32_t nx_loader_plan(const struct elf_image *img, struct nx_seg_plan plan[ELF_MAX_SEGMENTS]);

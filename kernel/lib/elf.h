#pragma once
// ELF64 RISC-V executable validator. Freestanding: used by the kernel to load
// user programs and built unchanged on the host for unit tests and fuzzing.
//
// elf_parse() never trusts the file: every offset, size and address is checked
// (overflow-safe) before it is reported, so a caller that receives ELF_OK may
// copy seg[i].filesz bytes from file + seg[i].offset and map
// [seg[i].vaddr, seg[i].vaddr + seg[i].memsz) without further checks.
#include <stddef.h>
#include <stdint.h>
#include <nexus/syscall.h>

#define ELF_MAX_SEGMENTS 8
#define USER_VA_MIN   0x10000ULL      // nothing may be mapped below (null-pointer guard)
#define USER_VA_LIMIT 0x3f00000000ULL // user space is [USER_VA_MIN, USER_VA_LIMIT) (Sv39 lower half, top reserved)
#define ELF_PAGE_SIZE 4096ULL         // granularity of the overlap and alignment rules

// One PT_LOAD segment: map memsz bytes at vaddr, the first filesz of them
// copied from the file at offset, the rest zero. flags = NX_PROT_READ/WRITE/EXEC.
struct elf_segment {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags;
};

struct elf_image {
    uint64_t entry;
    uint32_t nsegs;
    struct elf_segment seg[ELF_MAX_SEGMENTS]; // in program-header order
};

enum {
    ELF_OK = 0,
    ELF_E_TRUNCATED = -1, // a header or segment reaches past the end of the file
    ELF_E_BADMAGIC = -2,  // not an ELF file
    ELF_E_BADCLASS = -3,  // not ELFCLASS64 / little-endian / EV_CURRENT
    ELF_E_BADMACHINE = -4,// not EM_RISCV
    ELF_E_BADTYPE = -5,   // not ET_EXEC, or needs a dynamic linker (PT_INTERP/PT_DYNAMIC)
    ELF_E_BADPHDR = -6,   // malformed program header (size, offsets, memsz < filesz)
    ELF_E_TOOMANY = -7,   // more than ELF_MAX_SEGMENTS PT_LOAD segments
    ELF_E_RANGE = -8,     // segment outside [USER_VA_MIN, USER_VA_LIMIT)
    ELF_E_OVERLAP = -9,   // two segments share a page
    ELF_E_WX = -10,       // segment both writable and executable
    ELF_E_ENTRY = -11,    // entry point not inside an executable segment
    ELF_E_ALIGN = -12,    // p_vaddr and p_offset differ modulo the page size
    ELF_E_NOSEG = -13,    // no PT_LOAD segment at all
};

// Validate the ELF image file[0..len) and describe it in *out.
// Returns ELF_OK or a negative ELF_E_*; on failure *out is zeroed.
// file need not be aligned.
int elf_parse(const void *file, size_t len, struct elf_image *out);

// Static, human-readable description of an ELF_OK / ELF_E_* code.
const char *elf_strerror(int err);

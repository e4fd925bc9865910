#pragma once
// Sv39 page-table entries (RISC-V privileged spec §4.4): explicit shifts and masks, no bitfields.
// The constants are shared with the assembly (entry.S's boot page table).
#include "arch/riscv/memlayout.h"

#define PTE_V (UL(1) << 0)
#define PTE_R (UL(1) << 1)
#define PTE_W (UL(1) << 2)
#define PTE_X (UL(1) << 3)
#define PTE_U (UL(1) << 4)
#define PTE_G (UL(1) << 5)
#define PTE_A (UL(1) << 6)
#define PTE_D (UL(1) << 7)
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK ((UL(1) << 44) - 1)

#define PT_ENTRIES 512
#define PT_LEVELS 3

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <nexus/syscall.h>

typedef uint64_t pte_t;

static inline pte_t pte_make(paddr_t pa, uint64_t flags)
{
    return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | flags | PTE_V;
}

// The flags of a user page with protection prot (NX_PROT_READ/WRITE/EXEC, also what elf_parse
// reports for a segment): the one place user protections become page-table bits.
static inline uint64_t pte_user_flags(uint32_t prot)
{
    return PTE_U | (prot & NX_PROT_READ ? PTE_R : 0) | (prot & NX_PROT_WRITE ? PTE_W : 0) |
           (prot & NX_PROT_EXEC ? PTE_X : 0);
}

static inline paddr_t pte_pa(pte_t pte)
{
    return ((pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK) << PAGE_SHIFT;
}

static inline int pte_is_leaf(pte_t pte)
{
    return (pte & PTE_V) && (pte & PTE_RWX);
}

// Index of va in the table of the given level (2 = root, 0 = last).
static inline unsigned pt_index(uint64_t va, int level)
{
    return (va >> (PAGE_SHIFT + 9 * level)) & (PT_ENTRIES - 1);
}

// Size of the region one entry at this level maps: 4 KiB, 2 MiB, 1 GiB.
static inline uint64_t pt_level_size(int level)
{
    return 1UL << (PAGE_SHIFT + 9 * level);
}
#endif  // !__ASSEMBLER__

#pragma once
// Sv39 page tables: build, change and query mappings. Table pages come from the pmm.
#include <stdbool.h>
#include <stddef.h>
#include "arch/riscv/pte.h"

// A new, empty root table (0 when out of memory).
paddr_t pt_create(void);
// Map [va, va+size) to [pa, pa+size) with `flags` (PTE_R/W/X/U/G) using pages of `level`
// (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB). Addresses and size must be aligned to that page size.
// Returns 0, or -1 when a table page cannot be allocated or a page is already mapped; on
// failure the pages mapped by this call are unmapped again.
int pt_map(paddr_t root, uint64_t va, paddr_t pa, uint64_t size, uint64_t flags, int level);
// The entry for va at `level` (0 = a 4 KiB page's), with the tables above it created when
// alloc is set, for callers that manage a region's tables themselves (vm.c's kernel stacks).
// NULL if a table is missing (or cannot be allocated) or a larger page maps va.
pte_t *pt_entry(paddr_t root, uint64_t va, int level, bool alloc);
// The leaf entry a page of pa with flags gets. A and D preset: we do not track accessed/dirty
// (pager.h says why), and hardware that faults on clear A/D bits (Svade) would otherwise trap
// on first touch.
static inline pte_t pt_leaf(paddr_t pa, uint64_t flags)
{
    return pte_make(pa, flags | PTE_A | PTE_D);
}
// The 4 KiB entries of va's last-level table from va's on: *n of them (to the table's end, the
// next 2 MiB boundary), the tables above created when alloc is set, for a caller that fills
// a run of pages with one walk (aspace.c's faults). NULL when a table is missing (or cannot
// be allocated) or a larger page maps va.
pte_t *pt_leaf_run(paddr_t root, uint64_t va, bool alloc, size_t *n);
// Unmap the 4 KiB pages of [va, va+size); returns how many were mapped. With free_pages, the
// physical pages are returned to the pmm. Costs what is mapped in the range, not its size;
// table pages left empty are freed.
size_t pt_unmap(paddr_t root, uint64_t va, uint64_t size, bool free_pages);
// No leaf of any size maps a page of [va, va+size).
bool pt_range_empty(paddr_t root, uint64_t va, uint64_t size);
// The leaf entry mapping va, or 0.
pte_t pt_lookup(paddr_t root, uint64_t va);
// Physical address of va if it is mapped with every flag in `need` (e.g. PTE_U|PTE_R), else 0.
paddr_t pt_translate(paddr_t root, uint64_t va, uint64_t need);
// Free every table and every leaf page of the user half (root entries < first_kernel_index),
// then the root itself. Kernel-half entries are shared and left alone.
void pt_destroy(paddr_t root, unsigned first_kernel_index);

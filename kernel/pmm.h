#pragma once
// Physical page allocator: one bit per page of the managed range, plus counters.
#include <stddef.h>
#include <stdint.h>
#include "arch/riscv/memlayout.h"

struct pmm_stats {
    size_t total_pages;  // pages in the managed range
    size_t free_pages;
};

// Manage [base, base + npages pages); every page starts out reserved. `bitmap` must hold
// (npages + 63) / 64 words and lives outside the range's free pages.
void pmm_init(paddr_t base, size_t npages, uint64_t *bitmap);
// Mark the pages fully inside [start, end) free (clipped to the managed range).
void pmm_release_range(paddr_t start, paddr_t end);
// Mark the pages touching [start, end) used (clipped to the managed range).
void pmm_reserve_range(paddr_t start, paddr_t end);
// A zeroed page, or 0 when none is left.
paddr_t pmm_alloc(void);
// The same page, its contents left as they were (see pmm_alloc_contig_unzeroed).
paddr_t pmm_alloc_unzeroed(void);
// `npages` zeroed contiguous pages whose address is a multiple of align_pages pages, or 0.
paddr_t pmm_alloc_contig(size_t npages, size_t align_pages);
// The same run, its contents left as they were: for kernel memory that its user fills before
// anything reads it (a process's handle table), so that it is not written twice (~780
// instructions a page).
paddr_t pmm_alloc_contig_unzeroed(size_t npages, size_t align_pages);
void pmm_free(paddr_t pa);
void pmm_free_contig(paddr_t pa, size_t npages);
struct pmm_stats pmm_stats(void);

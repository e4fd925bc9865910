#pragma once
// Page budgets: every page a process causes the kernel to allocate (its objects, its memory,
// its page tables) is charged to one budget, given by the process's creator. Going over it
// fails that allocation with NX_ERR_NO_MEMORY and affects nothing else.
#include <stdbool.h>
#include <stddef.h>
#include "arch/riscv/memlayout.h"
#include "slab.h"

// Invariant kept by this module: used <= limit.
struct page_budget {
    size_t limit, used;
    struct slab_lists slabs;  // slab.c: the pages of used holding small objects with room left
};

// Whether n more pages fit.
bool budget_room(const struct page_budget *b, size_t n);
// NX_OK, or NX_ERR_NO_MEMORY if n more pages do not fit.
int budget_charge(struct page_budget *b, size_t n);
// Give back n charged pages (panics on underflow: that is a kernel accounting bug).
void budget_uncharge(struct page_budget *b, size_t n);
// n contiguous zeroed pages charged to b, or 0 (nothing charged) when b or the pmm is short.
paddr_t budget_alloc(struct page_budget *b, size_t n);
// The same, at an address that is a multiple of align pages.
paddr_t budget_alloc_aligned(struct page_budget *b, size_t n, size_t align);
// budget_alloc_aligned's pages, their contents left as they were: for kernel memory its
// user fills before anything reads it (a slab page: each object is zeroed as it is handed
// out; a thread's kernel stack: only the thread struct on it is), ~780 instructions a page.
paddr_t budget_alloc_unzeroed(struct page_budget *b, size_t n, size_t align);
// Free pages from budget_alloc and uncharge them.
void budget_free(struct page_budget *b, paddr_t pa, size_t n);

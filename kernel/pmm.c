// Physical page allocator. A bitmap (1 = used) rather than a free list so that contiguous
// runs (2 MiB VMOs, DMA buffers) can be found, with a search hint that makes the common
// single-page allocation O(1) amortised.
#include "pmm.h"
#include <stdbool.h>
#include "lib/string.h"
#include "panic.h"
#include "spinlock.h"

// Changed under the exclusive big lock, except for frees: paths holding it shared free
// emptied page-table pages when they unmap (docs/smp.md), under `lock`.
static struct spinlock lock;
static struct {
    paddr_t base;
    size_t npages;
    size_t nfree;
    size_t hint;  // lowest page index that may be free
    uint64_t *bitmap;
} pmm;

static int page_used(size_t i) { return (pmm.bitmap[i / 64] >> (i % 64)) & 1; }

void pmm_init(paddr_t base, size_t npages, uint64_t *bitmap)
{
    pmm.base = base;
    pmm.npages = npages;
    pmm.bitmap = bitmap;
    pmm.nfree = 0;
    pmm.hint = npages;
    memset(bitmap, 0xff, (npages + 63) / 64 * sizeof(uint64_t));
}

// Clip [start, end) to the managed range and turn it into page indexes [*first, *last).
static void clip(paddr_t start, paddr_t end, size_t *first, size_t *last)
{
    paddr_t top = pmm.base + pmm.npages * PAGE_SIZE;
    start = start < pmm.base ? pmm.base : start;
    end = end > top ? top : end;
    *first = start >= end ? 0 : (start - pmm.base) / PAGE_SIZE;
    *last = start >= end ? 0 : (end - pmm.base) / PAGE_SIZE;
}

// Set (used) or clear (free) the bits of pages [first, last) a word at a time: boot hands
// the whole of RAM over in one call, and per-page updates would cost ~10 instructions a page.
static void mark_range(size_t first, size_t last, int used)
{
    for (size_t i = first; i < last;) {
        size_t bit = i % 64, n = last - i < 64 - bit ? last - i : 64 - bit;
        uint64_t mask = (n == 64 ? ~0UL : ((1UL << n) - 1)) << bit;
        uint64_t *w = &pmm.bitmap[i / 64];
        size_t changed = (size_t)__builtin_popcountl(used ? ~*w & mask : *w & mask);
        *w = used ? *w | mask : *w & ~mask;
        pmm.nfree = used ? pmm.nfree - changed : pmm.nfree + changed;
        i += n;
    }
    if (!used && first < last && first < pmm.hint)
        pmm.hint = first;
}

void pmm_release_range(paddr_t start, paddr_t end)
{
    size_t first, last;
    clip(PAGE_ROUND_UP(start), PAGE_ROUND_DOWN(end), &first, &last);
    mark_range(first, last, 0);
}

void pmm_reserve_range(paddr_t start, paddr_t end)
{
    size_t first, last;
    clip(PAGE_ROUND_DOWN(start), PAGE_ROUND_UP(end), &first, &last);
    mark_range(first, last, 1);
}

static paddr_t take(size_t first, size_t n, bool zero)
{
    mark_range(first, first + n, 1);
    paddr_t pa = pmm.base + first * PAGE_SIZE;
    if (zero)
        memset(pa_to_kva(pa), 0, n * PAGE_SIZE);
    return pa;
}

static paddr_t alloc_one(bool zero)
{
    for (size_t i = pmm.hint; i < pmm.npages; i++) {
        if (pmm.bitmap[i / 64] == ~0UL) {
            i |= 63;  // whole word used: skip it
            continue;
        }
        if (!page_used(i)) {
            pmm.hint = i + 1;
            return take(i, 1, zero);
        }
    }
    pmm.hint = pmm.npages;
    return 0;
}

paddr_t pmm_alloc(void)
{
    return alloc_one(true);
}

paddr_t pmm_alloc_unzeroed(void)
{
    return alloc_one(false);
}

// The first index at or after i that is start modulo align: where a run may begin.
static size_t aligned_from(size_t i, size_t start, size_t align)
{
    return i <= start ? start : start + (i - start + align - 1) / align * align;
}

// The lowest aligned free run. It begins no lower than the hint (every page below it is
// used), and after a try the next begins past the used page that ended it (past its whole
// bitmap word when that is full): the search costs what is free, not what is in use (a
// process's handle table, at every process_create, no longer scans the used pages below it).
static paddr_t alloc_contig(size_t npages, size_t align_pages, bool zero)
{
    if (npages == 0 || align_pages == 0 || npages > pmm.nfree)
        return 0;
    size_t skew = (pmm.base / PAGE_SIZE) % align_pages;  // so the address, not the index, aligns
    size_t start = (align_pages - skew) % align_pages;
    for (size_t i = aligned_from(pmm.hint, start, align_pages); i + npages <= pmm.npages;) {
        size_t run = 0;
        while (run < npages && !page_used(i + run))
            run++;
        if (run == npages)
            return take(i, npages, zero);
        size_t used = i + run;
        i = aligned_from(pmm.bitmap[used / 64] == ~0UL ? (used | 63) + 1 : used + 1, start,
                         align_pages);
    }
    return 0;
}

paddr_t pmm_alloc_contig(size_t npages, size_t align_pages)
{
    return alloc_contig(npages, align_pages, true);
}

paddr_t pmm_alloc_contig_unzeroed(size_t npages, size_t align_pages)
{
    return alloc_contig(npages, align_pages, false);
}

void pmm_free_contig(paddr_t pa, size_t npages)
{
    if (pa < pmm.base || (pa - pmm.base) % PAGE_SIZE)
        panic("pmm: freeing bad address %lx", pa);
    size_t first = (pa - pmm.base) / PAGE_SIZE;
    if (first + npages > pmm.npages)
        panic("pmm: freeing past the end %lx", pa);
    spin_lock(&lock);
    for (size_t i = first; i < first + npages; i++) {
        if (!page_used(i))
            panic("pmm: double free of %lx", pmm.base + i * PAGE_SIZE);
    }
    mark_range(first, first + npages, 0);
    spin_unlock(&lock);
}

void pmm_free(paddr_t pa)
{
    pmm_free_contig(pa, 1);
}

struct pmm_stats pmm_stats(void)
{
    return (struct pmm_stats){ .total_pages = pmm.npages, .free_pages = pmm.nfree };
}

// Sv39 page-table manipulation (RISC-V privileged spec §4.4). Tables are reached through the
// direct map, so the same code serves the kernel's table and every process's.
#include "arch/riscv/pagetable.h"
#include "pmm.h"

static pte_t *table(paddr_t pa) { return pa_to_kva(pa); }

paddr_t pt_create(void)
{
    return pmm_alloc();
}

// The entry for va at `level`, creating intermediate tables when `alloc` is set.
// NULL when a table is missing (and not allocated) or a larger leaf is in the way.
static pte_t *walk(paddr_t root, uint64_t va, int level, bool alloc)
{
    pte_t *pt = table(root);
    for (int l = PT_LEVELS - 1; l > level; l--) {
        pte_t *e = &pt[pt_index(va, l)];
        if (pte_is_leaf(*e))
            return NULL;
        if (!(*e & PTE_V)) {
            paddr_t next = alloc ? pmm_alloc() : 0;
            if (!next)
                return NULL;
            *e = pte_make(next, 0);
        }
        pt = table(pte_pa(*e));
    }
    return &pt[pt_index(va, level)];
}

pte_t *pt_entry(paddr_t root, uint64_t va, int level, bool alloc)
{
    return walk(root, va, level, alloc);
}

int pt_map(paddr_t root, uint64_t va, paddr_t pa, uint64_t size, uint64_t flags, int level)
{
    uint64_t step = pt_level_size(level);
    for (uint64_t off = 0; off < size; off += step) {
        pte_t *e = walk(root, va + off, level, true);
        if (!e || (*e & PTE_V)) {
            for (uint64_t undo = 0; undo < off; undo += step)
                *walk(root, va + undo, level, false) = 0;
            return -1;
        }
        *e = pt_leaf(pa + off, flags);
    }
    return 0;
}

pte_t *pt_leaf_run(paddr_t root, uint64_t va, bool alloc, size_t *n)
{
    *n = PT_ENTRIES - pt_index(va, 0);
    return walk(root, va, 0, alloc);
}

// End of the region that the level-`level` entry holding va covers, clipped to end.
static uint64_t entry_end(uint64_t va, int level, uint64_t end)
{
    uint64_t next = (va | (pt_level_size(level) - 1)) + 1;
    return next < end && next != 0 ? next : end;
}

static bool table_empty(paddr_t pa)
{
    const pte_t *pt = table(pa);
    for (unsigned i = 0; i < PT_ENTRIES; i++)
        if (pt[i] & PTE_V)
            return false;
    return true;
}

// Clear the 4 KiB leaves of [va, end) under the level-`level` table pa. Absent subtrees are
// skipped whole, so the cost follows what is mapped, not the size of the range; a subtable
// this call empties is freed (only then is it scanned), so unmapping gives its tables back.
static size_t unmap_level(paddr_t pa, int level, uint64_t va, uint64_t end, bool free_pages)
{
    pte_t *pt = table(pa);
    size_t n = 0;
    for (uint64_t next; va < end; va = next) {
        next = entry_end(va, level, end);
        pte_t *e = &pt[pt_index(va, level)];
        if (!(*e & PTE_V) || (pte_is_leaf(*e) && level > 0))
            continue;  // nothing there, or a large leaf: only 4 KiB leaves are unmapped
        if (level == 0) {
            if (free_pages)
                pmm_free(pte_pa(*e));
            *e = 0;
            n++;
            continue;
        }
        size_t cleared = unmap_level(pte_pa(*e), level - 1, va, next, free_pages);
        if (cleared && table_empty(pte_pa(*e))) {
            pmm_free(pte_pa(*e));
            *e = 0;
        }
        n += cleared;
    }
    return n;
}

size_t pt_unmap(paddr_t root, uint64_t va, uint64_t size, bool free_pages)
{
    return unmap_level(root, PT_LEVELS - 1, va, va + size, free_pages);
}

static bool any_leaf(paddr_t pa, int level, uint64_t va, uint64_t end)
{
    const pte_t *pt = table(pa);
    for (uint64_t next; va < end; va = next) {
        next = entry_end(va, level, end);
        pte_t e = pt[pt_index(va, level)];
        if (pte_is_leaf(e) || ((e & PTE_V) && level > 0 && any_leaf(pte_pa(e), level - 1, va, next)))
            return true;
    }
    return false;
}

bool pt_range_empty(paddr_t root, uint64_t va, uint64_t size)
{
    return !any_leaf(root, PT_LEVELS - 1, va, va + size);
}

// The leaf entry mapping va and its level, or NULL.
static pte_t *find_leaf(paddr_t root, uint64_t va, int *level)
{
    pte_t *pt = table(root);
    for (int l = PT_LEVELS - 1; l >= 0; l--) {
        pte_t *e = &pt[pt_index(va, l)];
        if (!(*e & PTE_V))
            return NULL;
        if (pte_is_leaf(*e)) {
            *level = l;
            return e;
        }
        pt = table(pte_pa(*e));
    }
    return NULL;  // a non-leaf entry at level 0 is malformed: treat as unmapped
}

pte_t pt_lookup(paddr_t root, uint64_t va)
{
    int level;
    pte_t *e = find_leaf(root, va, &level);
    return e ? *e : 0;
}

paddr_t pt_translate(paddr_t root, uint64_t va, uint64_t need)
{
    int level;
    pte_t *e = find_leaf(root, va, &level);
    if (!e || (*e & need) != need)
        return 0;
    return pte_pa(*e) + (va & (pt_level_size(level) - 1));
}

static void destroy_level(paddr_t pa, int level, unsigned limit)
{
    pte_t *pt = table(pa);
    for (unsigned i = 0; i < limit; i++) {
        pte_t e = pt[i];
        if (!(e & PTE_V))
            continue;
        if (pte_is_leaf(e)) {
            if (level == 0)
                pmm_free(pte_pa(e));
            else
                pmm_free_contig(pte_pa(e), pt_level_size(level) / PAGE_SIZE);
        } else {
            destroy_level(pte_pa(e), level - 1, PT_ENTRIES);
        }
        pt[i] = 0;
    }
    pmm_free(pa);
}

void pt_destroy(paddr_t root, unsigned first_kernel_index)
{
    destroy_level(root, PT_LEVELS - 1, first_kernel_index);
}

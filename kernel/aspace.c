// Address spaces: VMO mappings, entered into the page table lazily (see aspace.h).
#include "aspace.h"
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "lib/string.h"
#include "object.h"
#include "pager.h"
#include "process.h"
#include "vmo.h"
#include "arch/riscv/pagetable.h"
#include "arch/riscv/vm.h"

static uint64_t map_end(const struct mapping *m) { return m->va + m->size; }

// Page-aligned, non-empty, inside the user mapping range (never the stack or IPC buffers).
static bool range_ok(uint64_t va, uint64_t size)
{
    return va % PAGE_SIZE == 0 && size % PAGE_SIZE == 0 && size > 0 && va >= USER_VA_MIN &&
           size <= USER_VA_LIMIT && va <= USER_VA_LIMIT - size;
}

static bool prot_ok(uint32_t prot)
{
    bool w = prot & NX_PROT_WRITE;
    return !(prot & ~(NX_PROT_READ | NX_PROT_WRITE | NX_PROT_EXEC)) &&
           !(w && (prot & NX_PROT_EXEC)) && !(w && !(prot & NX_PROT_READ));
}

// Index of the first mapping that ends above va (as->count if none).
static uint32_t first_above(const struct aspace *as, uint64_t va)
{
    uint32_t lo = 0, hi = as ? as->count : 0;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (map_end(&as->maps[mid]) <= va)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct mapping *aspace_find(struct aspace *as, uint64_t va)
{
    uint32_t i = first_above(as, va);
    return as && i < as->count && as->maps[i].va <= va ? &as->maps[i] : NULL;
}

static bool overlaps(const struct aspace *as, uint64_t va, uint64_t size)
{
    uint32_t i = first_above(as, va);
    return as && i < as->count && as->maps[i].va < va + size;
}

int aspace_pick(const struct aspace *as, paddr_t root, uint64_t size, uint64_t *va)
{
    uint64_t top = USER_VA_LIMIT;
    for (uint32_t i = as ? as->count : 0;; i--) {
        uint64_t bottom = i ? map_end(&as->maps[i - 1]) : USER_VA_MIN;
        if (top - bottom >= size && pt_range_empty(root, top - size, size)) {
            *va = top - size;
            return NX_OK;
        }
        if (i == 0)
            return NX_ERR_NO_SPACE;
        top = as->maps[i - 1].va;
    }
}

// Does a mapping strictly contain va (so that cutting there needs a slot)?
static bool inside(const struct aspace *as, uint64_t va)
{
    uint32_t i = first_above(as, va);
    return i < as->count && as->maps[i].va < va;
}

// Make room at index i (the table has a free slot): entries from i on move up one. (Often
// none: aspace_pick places a new mapping in the highest free range.)
static struct mapping *open_slot(struct aspace *as, uint32_t i)
{
    if (i < as->count)
        memmove(&as->maps[i + 1], &as->maps[i], (as->count - i) * sizeof(as->maps[0]));
    as->count++;
    return &as->maps[i];
}

// Remove entries [lo, hi): the entries after them move down.
static void close_slots(struct aspace *as, uint32_t lo, uint32_t hi)
{
    if (hi < as->count)
        memmove(&as->maps[lo], &as->maps[hi], (as->count - hi) * sizeof(as->maps[0]));
    as->count -= hi - lo;
}

static void split_at(struct aspace *as, uint64_t va)
{
    if (!inside(as, va))
        return;
    struct mapping *m = open_slot(as, first_above(as, va));  // m[1] is a copy of m now
    uint64_t head = va - m->va;
    m->size = head;
    m[1].va = va;
    m[1].size -= head;
    m[1].offset += head;
    vmo_mapping_add(m[1].vmo, m[1].prot);
}

int aspace_cut(struct aspace *as, uint64_t va, uint64_t size)
{
    uint32_t need = inside(as, va) + inside(as, va + size);
    if (need > ASPACE_MAX_MAPPINGS - as->count)
        return NX_ERR_NO_SPACE;
    split_at(as, va);
    split_at(as, va + size);
    return NX_OK;
}

// May a mapping of v whose handle allowed max_prot get prot? Never beyond the handle's
// rights, never writable once sealed.
static bool prot_allowed(const struct vmo *v, uint32_t prot, uint32_t max_prot)
{
    return !(prot & ~max_prot) && !((prot & NX_PROT_WRITE) && vmo_check_write(v));
}

// Checks of aspace_map that need no table: prot, rights, seal, the VMO range.
static int map_args_ok(const struct vmo *v, uint64_t offset, uint64_t size, uint32_t prot,
                       uint32_t max_prot)
{
    if (!prot_ok(prot) || offset % PAGE_SIZE || size % PAGE_SIZE || size == 0 ||
        !vmo_range_ok(v, offset, size))
        return NX_ERR_INVALID;
    return prot_allowed(v, prot, max_prot) ? NX_OK : NX_ERR_ACCESS;
}

// Where a new mapping of size bytes goes: va checked, or a free range picked.
static int place(const struct process *p, uint64_t va, uint64_t size, uint64_t *out)
{
    if (va == 0)
        return aspace_pick(p->aspace, p->root, size, out);
    if (!range_ok(va, size))
        return NX_ERR_INVALID;
    if (overlaps(p->aspace, va, size) || !pt_range_empty(p->root, va, size))
        return NX_ERR_BAD_STATE;
    *out = va;
    return NX_OK;
}

int aspace_map(struct process *p, struct vmo *v, uint64_t va, uint64_t offset, uint64_t size,
               uint32_t prot, uint32_t max_prot, uint64_t *out)
{
    int err = map_args_ok(v, offset, size, prot, max_prot);
    if (!err)
        err = place(p, va, size, &va);
    if (err)
        return err;
    if (p->aspace && p->aspace->count == ASPACE_MAX_MAPPINGS)
        return NX_ERR_NO_SPACE;
    if (!p->aspace && !(p->aspace = process_alloc_object(p, sizeof(struct aspace))))
        return NX_ERR_NO_MEMORY;
    if (v->paged && (err = pager_mapper_add(v, p)))
        return err;  // the table page stays: it is freed with the process, like an emptied one
    struct mapping *m = open_slot(p->aspace, first_above(p->aspace, va));
    *m = (struct mapping){ .va = va, .size = size, .offset = offset, .vmo = v, .prot = prot,
                           .max_prot = max_prot };
    vmo_mapping_add(v, prot);
    *out = va;
    return NX_OK;
}

// Clear the page-table entries of [va, va + size) (the pages stay with their VMO).
static void clear_pages(struct process *p, uint64_t va, uint64_t size)
{
    if (pt_unmap(p->root, va, size, false))
        process_flush_tlb(p);
}

// The mappings inside [va, va + size), which aspace_cut made boundaries: [*lo, *hi).
static void covered(const struct aspace *as, uint64_t va, uint64_t size, uint32_t *lo,
                    uint32_t *hi)
{
    *lo = first_above(as, va);
    for (*hi = *lo; *hi < as->count && as->maps[*hi].va < va + size; ++*hi)
        ;
}

// Pages mapped in [va, end) outside every mapping are pages the kernel loaded a boot
// program's image into (process_load_elf): they belong to the page table and are charged to
// p, so they go back to the pmm and the budget.
static void free_loaded_pages(struct process *p, uint64_t va, uint64_t end)
{
    size_t n = va < end ? pt_unmap(p->root, va, end - va, true) : 0;
    if (n) {
        process_flush_tlb(p);
        budget_uncharge(&p->budget, n);
    }
}

// Does a mapping of as outside [lo, hi) show v?
static bool maps_elsewhere(const struct aspace *as, const struct vmo *v, uint32_t lo, uint32_t hi)
{
    for (uint32_t i = 0; i < as->count; i++)
        if ((i < lo || i >= hi) && as->maps[i].vmo == v)
            return true;
    return false;
}

// m, one of p's mappings [lo, hi) that go, shows a paged VMO: if p maps it nowhere else, the
// VMO forgets p. (Only paged VMOs keep their mappers: the others pay nothing for it.)
static void forget_mapper(struct process *p, const struct mapping *m, uint32_t lo, uint32_t hi)
{
    if (!maps_elsewhere(p->aspace, m->vmo, lo, hi))
        pager_mapper_remove(m->vmo, p);
}

// m, one of p's mappings [lo, hi), goes: its page-table entries (the pages stay with the
// VMO) and its reference, dropped onto *zombies (the VMO is destroyed once the table is
// consistent again, so the mappings after m still see it).
static inline void drop_mapping(struct process *p, const struct mapping *m, uint32_t lo,
                                uint32_t hi, struct kobject **zombies)
{
    if (m->vmo->paged)
        forget_mapper(p, m, lo, hi);
    clear_pages(p, m->va, m->size);
    vmo_mapping_drop(m->vmo, m->prot, zombies);
}

// Unmap everything in [va, va + size), whose mappings aspace_cut made boundaries: the
// mappings' pages stay with their VMOs, the holes between them are looked at for loaded ones.
static void remove_range(struct process *p, uint64_t va, uint64_t size,
                         struct kobject **zombies)
{
    struct aspace *as = p->aspace;
    uint32_t lo = 0, hi = 0;
    if (as)
        covered(as, va, size, &lo, &hi);
    uint64_t next = va;  // start of the part not looked at yet
    for (uint32_t i = lo; i < hi; i++) {
        free_loaded_pages(p, next, as->maps[i].va);
        next = map_end(&as->maps[i]);
        drop_mapping(p, &as->maps[i], lo, hi, zombies);
    }
    free_loaded_pages(p, next, va + size);
    if (as)
        close_slots(as, lo, hi);
}

static int unmap(struct process *p, uint64_t va, uint64_t size, struct kobject **zombies)
{
    if (!range_ok(va, size))
        return NX_ERR_INVALID;
    int err = p->aspace ? aspace_cut(p->aspace, va, size) : NX_OK;
    if (err)
        return err;
    remove_range(p, va, size, zombies);
    return NX_OK;
}

int aspace_unmap(struct process *p, uint64_t va, uint64_t size)
{
    struct kobject *zombies = NULL;
    int err = unmap(p, va, size, &zombies);
    kobject_reap(&zombies);
    return err;
}

// ---- with the big lock held shared (aspace.h) ----

bool aspace_map_shared(struct process *p, struct vmo *v, uint64_t va, uint64_t offset,
                       uint64_t size, uint32_t prot, uint32_t max_prot, long *result)
{
    struct aspace *as = p->aspace;  // made and freed only under the exclusive lock
    if (!as || v->paged)
        return false;
    uint64_t out;
    spin_lock(&as->lock);
    int err = aspace_map(p, v, va, offset, size, prot, max_prot, &out);
    spin_unlock(&as->lock);
    *result = err ? err : (long)out;
    return true;
}

// Does a mapping meeting [va, va + size) show a paged VMO?
static bool maps_paged(const struct aspace *as, uint64_t va, uint64_t size)
{
    for (uint32_t i = first_above(as, va); i < as->count && as->maps[i].va < va + size; i++)
        if (as->maps[i].vmo->paged)
            return true;
    return false;
}

bool aspace_unmap_shared(struct process *p, uint64_t va, uint64_t size, long *result,
                         struct kobject **zombies)
{
    struct aspace *as = p->aspace;
    if (!as)
        return false;
    spin_lock(&as->lock);
    bool here = !range_ok(va, size) || !maps_paged(as, va, size);
    if (here)
        *result = unmap(p, va, size, zombies);
    spin_unlock(&as->lock);
    return here;
}

// aspace_protect's checks: every page of the range is mapped, by mappings that allow prot.
static int protect_ok(const struct aspace *as, uint64_t va, uint64_t size, uint32_t prot)
{
    uint64_t next = va;  // first page not yet known to be mapped
    for (uint32_t i = first_above(as, va); next < va + size; i++) {
        const struct mapping *m = as && i < as->count ? &as->maps[i] : NULL;
        if (!m || m->va > next)
            return NX_ERR_NOT_FOUND;
        if (!prot_allowed(m->vmo, prot, m->max_prot))
            return NX_ERR_ACCESS;
        next = map_end(m);
    }
    return NX_OK;
}

int aspace_protect(struct process *p, uint64_t va, uint64_t size, uint32_t prot)
{
    if (!range_ok(va, size) || !prot_ok(prot))
        return NX_ERR_INVALID;
    int err = protect_ok(p->aspace, va, size, prot);
    if (!err)
        err = aspace_cut(p->aspace, va, size);
    if (err)
        return err;
    struct aspace *as = p->aspace;
    uint32_t lo, hi;
    covered(as, va, size, &lo, &hi);
    for (uint32_t i = lo; i < hi; i++) {
        struct mapping *m = &as->maps[i];
        vmo_mapping_protect(m->vmo, m->prot, prot);
        m->prot = prot;
    }
    // Touched pages fault back in with the new protection: simpler than rewriting entries.
    clear_pages(p, va, size);
    return NX_OK;
}

// The page-table bits of a page of m's VMO: a paged VMO's page stays read-only until it is
// dirty, so that the first write is seen (pager.h).
static uint64_t page_flags(const struct mapping *m, bool dirty)
{
    uint64_t flags = pte_user_flags(m->prot);
    return m->vmo->paged && !dirty ? flags & ~PTE_W : flags;
}

// After a fault at va (page index of m's VMO, entry e[0] of the n to its table's end), map
// the pages that follow it in m, to the end of va's page-table page (a 2 MiB boundary), that
// are there already (committed; for a paged VMO, ready), until one is not or is mapped
// already: a reader walking a file, or any filled VMO, takes one fault per 2 MiB instead of
// one per page (a fault costs ~1,500 instructions, a page mapped here ~20: no table walk, a
// run of pages of one paging state looked up at once). Nothing is committed or requested for
// them, and a paged VMO's page only if it is marked touched already (pager_peek_run): its
// first touch since the pager asked still faults, so mapping ahead changes nothing
// pager_accessed and pager_dirty report.
static void map_ahead(const struct mapping *m, pte_t *e, size_t n, uint64_t va, size_t index)
{
    size_t left = (map_end(m) - va) / PAGE_SIZE;
    if (left < n)
        n = left;
    uint64_t clean = page_flags(m, false), dirty = page_flags(m, true);
    for (size_t k = 1, run; k < n; k += run) {
        bool written = false;
        run = m->vmo->paged ? pager_peek_run(m->vmo, index + k, n - k, &written) : n - k;
        if (!run)
            return;
        uint64_t flags = written ? dirty : clean;
        for (size_t i = k; i < k + run; i++) {
            paddr_t pa = e[i] ? 0 : vmo_peek_page(m->vmo, index + i);
            if (!pa)
                return;
            e[i] = pt_leaf(pa, flags);
        }
    }
}

int aspace_fault(struct process *p, uint64_t va, uint32_t access)
{
    struct mapping *m;
    size_t index;
    bool dirty = false;
    for (;;) {  // again after waiting for a pager: the mapping may have changed meanwhile
        m = aspace_find(p->aspace, va);
        if (!m || (m->prot & access) != access)
            return NX_ERR_BAD_ADDRESS;
        index = (m->offset + (PAGE_ROUND_DOWN(va) - m->va)) / PAGE_SIZE;
        int r = m->vmo->paged ? pager_await(m->vmo, index, access & NX_PROT_WRITE, &dirty)
                              : NX_OK;
        if (r == NX_OK)
            break;
        if (r != PAGER_RETRY)
            return r;
    }
    va = PAGE_ROUND_DOWN(va);
    // Only pages that cannot change under the mapping enter the page table: the VMO's own,
    // or a sealed VMO's borrowed ones. Anything else is committed now (for a clone: copied),
    // so a later commit by another mapping or by vmo_write never leaves a stale entry.
    bool commit = (access & NX_PROT_WRITE) || !vmo_sealed(m->vmo);
    paddr_t pa;
    int err = vmo_get_page(m->vmo, index, commit, &pa);
    if (err)
        return err == NX_ERR_NO_MEMORY ? err : NX_ERR_BAD_ADDRESS;
    size_t n;
    pte_t *e = pt_leaf_run(p->root, va, true, &n);
    if (!e)
        return NX_ERR_NO_MEMORY;
    // The page may be in the table already (a fault on a stale translation, or, with several
    // harts, another thread faulting first): replace the entry rather than fail. Only a
    // replaced entry can be cached by other harts; new entries need this hart's fence only.
    bool replaced = *e & PTE_V;
    *e = pt_leaf(pa, page_flags(m, dirty));
    map_ahead(m, e, n, va, index);
    if (replaced)
        process_flush_tlb(p);
    else
        vm_flush_space(p->satp, 0);
    return NX_OK;
}

void aspace_invalidate(struct process *p, const struct vmo *v, size_t first, size_t n)
{
    bool cleared = false;
    for (uint32_t i = 0; p->aspace && i < p->aspace->count; i++) {
        const struct mapping *m = &p->aspace->maps[i];
        uint64_t lo = m->offset / PAGE_SIZE, hi = lo + m->size / PAGE_SIZE;
        uint64_t from = first > lo ? first : lo, to = first + n < hi ? first + n : hi;
        if (m->vmo == v && from < to)
            cleared |= pt_unmap(p->root, m->va + (from - lo) * PAGE_SIZE,
                                (to - from) * PAGE_SIZE, false) != 0;
    }
    if (cleared)
        process_flush_tlb(p);
}

void aspace_destroy(struct process *p)
{
    struct aspace *as = p->aspace;
    if (!as)
        return;
    struct kobject *zombies = NULL;
    for (uint32_t i = 0; i < as->count; i++)
        drop_mapping(p, &as->maps[i], 0, as->count, &zombies);
    p->aspace = NULL;
    process_free_object(p, as, sizeof(*as));
    kobject_reap(&zombies);
}

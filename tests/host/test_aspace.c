// Address-space logic (kernel/aspace.c) over the real page tables, VMOs and pmm, which
// manage a host buffer (pa_to_kva is the identity).
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "aspace.h"
#include "slab.h"
#include "pmm.h"
#include "process.h"
#include "vmo.h"
#include "arch/riscv/pagetable.h"
#include "arch/riscv/vm.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define NPAGES 2048
#define R NX_PROT_READ
#define W NX_PROT_WRITE
#define X NX_PROT_EXEC
#define RW (R | W)
#define RWX (R | W | X)
#define VA 0x20000000UL

static char *ram;
static uint64_t bitmap[(NPAGES + 63) / 64];
static size_t start_free;
static struct process proc;
static struct page_budget vmo_budget;
static unsigned flushes;

// Kernel services aspace.c uses, as the kernel provides them.
void *process_alloc_object(struct process *p, size_t size)
{
    return slab_alloc(&p->budget, size);
}

void process_free_object(struct process *p, void *obj, size_t size)
{
    slab_free(&p->budget, obj, size);
}

// The shootdown a changed page table asks for (on one hart: a local fence).
void process_flush_tlb(struct process *p) { (void)p; flushes++; }
void vm_flush_space(uint64_t satp, uint64_t harts) { (void)satp; (void)harts; }

static int setup(void **state)
{
    ram = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
    pmm_init((paddr_t)ram, NPAGES, bitmap);
    pmm_release_range((paddr_t)ram, (paddr_t)ram + NPAGES * PAGE_SIZE);
    start_free = pmm_stats().free_pages;
    proc = (struct process){ .root = pt_create(), .budget = { .limit = 10 } };
    vmo_budget = (struct page_budget){ .limit = 1000 };
    flushes = 0;
    return ram ? 0 : -1;
}

// Everything goes back: mappings, the table page, page tables, VMO pages.
static int teardown(void **state)
{
    aspace_destroy(&proc);
    assert_int_equal(proc.budget.used, 0);
    pt_destroy(proc.root, PT_ENTRIES / 2);
    assert_int_equal(vmo_budget.used, 0);
    assert_int_equal(pmm_stats().free_pages, start_free);
    free(ram);
    return 0;
}

static struct vmo *new_vmo(size_t pages)
{
    struct vmo *v;
    assert_int_equal(vmo_create(pages * PAGE_SIZE, &vmo_budget, &v), 0);
    return v;
}

static uint64_t map(struct vmo *v, uint64_t va, uint64_t off, uint64_t size, uint32_t prot)
{
    uint64_t out = 0;
    assert_int_equal(aspace_map(&proc, v, va, off, size, prot, RWX, &out), 0);
    return out;
}

static char *user(uint64_t va, uint64_t need)
{
    paddr_t pa = pt_translate(proc.root, va, PTE_U | need);
    return pa ? pa_to_kva(pa) : NULL;
}

static void mapping_is_lazy_and_a_fault_commits_one_page(void **state)
{
    struct vmo *v = new_vmo(512);  // 2 MiB
    size_t before = pmm_stats().free_pages;
    assert_int_equal(map(v, VA, 0, 512 * PAGE_SIZE, RW), VA);
    assert_int_equal(pmm_stats().free_pages, before - 1);  // only the mapping table page
    assert_int_equal(proc.budget.used, 1);
    assert_true(pt_range_empty(proc.root, VA, 512 * PAGE_SIZE));
    assert_int_equal(v->obj.refcount, 2);  // the creator's and the mapping's

    assert_int_equal(aspace_fault(&proc, VA + 5 * PAGE_SIZE + 12, R), 0);
    assert_int_equal(vmo_committed_pages(v), 1);
    char *p = user(VA + 5 * PAGE_SIZE, PTE_W);
    assert_non_null(p);
    p[12] = 'x';
    char got;
    assert_int_equal(vmo_read(v, 5 * PAGE_SIZE + 12, &got, 1), 0);
    assert_int_equal(got, 'x');  // the mapping shows the VMO's own page
    assert_int_equal(aspace_fault(&proc, VA + 512 * PAGE_SIZE, R), NX_ERR_BAD_ADDRESS);
    assert_int_equal(aspace_fault(&proc, VA - 1, R), NX_ERR_BAD_ADDRESS);
    assert_int_equal(aspace_fault(&proc, VA, X), NX_ERR_BAD_ADDRESS);  // not executable

    // Unmapping clears the entry but the page stays with the VMO.
    assert_int_equal(aspace_unmap(&proc, VA, 512 * PAGE_SIZE), 0);
    assert_null(user(VA + 5 * PAGE_SIZE, 0));
    assert_int_equal(vmo_committed_pages(v), 1);
    assert_int_equal(v->obj.refcount, 1);
    assert_int_equal(aspace_fault(&proc, VA, R), NX_ERR_BAD_ADDRESS);
    kobject_unref(&v->obj);
}

static void arguments_are_checked_before_anything_changes(void **state)
{
    struct vmo *v = new_vmo(4);
    uint64_t out = 0, sz = 4 * PAGE_SIZE;
    struct { uint64_t va, off, size; uint32_t prot, max; int err; } bad[] = {
        { VA + 1, 0, sz, R, RWX, NX_ERR_INVALID },             // unaligned address
        { VA, 1, PAGE_SIZE, R, RWX, NX_ERR_INVALID },          // unaligned offset
        { VA, 0, 100, R, RWX, NX_ERR_INVALID },                // unaligned size
        { VA, 0, 0, R, RWX, NX_ERR_INVALID },                  // empty
        { VA, 0, 5 * PAGE_SIZE, R, RWX, NX_ERR_INVALID },      // past the VMO
        { VA, PAGE_SIZE, sz, R, RWX, NX_ERR_INVALID },         // past the VMO
        { VA, -PAGE_SIZE, 2 * PAGE_SIZE, R, RWX, NX_ERR_INVALID },  // offset wraps
        { 0x1000, 0, PAGE_SIZE, R, RWX, NX_ERR_INVALID },      // below USER_VA_MIN
        { USER_VA_LIMIT - PAGE_SIZE, 0, sz, R, RWX, NX_ERR_INVALID },  // into the stack area
        { -PAGE_SIZE, 0, sz, R, RWX, NX_ERR_INVALID },         // wraps
        { VA, 0, sz, 8, RWX, NX_ERR_INVALID },                 // unknown prot bit
        { VA, 0, sz, W | X | R, RWX, NX_ERR_INVALID },         // W+X
        { VA, 0, sz, W, RWX, NX_ERR_INVALID },                 // W without R
        { VA, 0, sz, RW, R | X, NX_ERR_ACCESS },               // beyond the handle's rights
        { VA, 0, sz, R | X, RW, NX_ERR_ACCESS },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(aspace_map(&proc, v, bad[i].va, bad[i].off, bad[i].size, bad[i].prot,
                                    bad[i].max, &out), bad[i].err);
    assert_null(proc.aspace);  // nothing allocated yet
    assert_int_equal(v->obj.refcount, 1);

    // Overlaps: with a mapping, or with pages the kernel mapped itself.
    map(v, VA, 0, sz, R);
    assert_int_equal(aspace_map(&proc, v, VA + sz - PAGE_SIZE, 0, sz, R, RWX, &out),
                     NX_ERR_BAD_STATE);
    assert_int_equal(aspace_map(&proc, v, VA - PAGE_SIZE, 0, 2 * PAGE_SIZE, R, RWX, &out),
                     NX_ERR_BAD_STATE);
    paddr_t image = budget_alloc(&proc.budget, 1);  // as process_load_elf does
    assert_int_equal(pt_map(proc.root, 0x10000, image, PAGE_SIZE, PTE_U | PTE_R, 0), 0);
    assert_int_equal(aspace_map(&proc, v, 0x10000, 0, PAGE_SIZE, R, RWX, &out), NX_ERR_BAD_STATE);
    assert_int_equal(aspace_protect(&proc, 0x10000, PAGE_SIZE, R), NX_ERR_NOT_FOUND);
    size_t used = proc.budget.used;
    assert_int_equal(aspace_unmap(&proc, 0x10000, PAGE_SIZE), 0);  // gone, and paid back
    assert_int_equal(pt_translate(proc.root, 0x10000, 0), 0);
    assert_int_equal(proc.budget.used, used - 1);

    // Sealed VMOs never map writable.
    assert_int_equal(vmo_seal(v), 0);
    assert_int_equal(aspace_map(&proc, v, 0, 0, sz, RW, RWX, &out), NX_ERR_ACCESS);
    assert_int_equal(aspace_unmap(&proc, VA, 3), NX_ERR_INVALID);
    assert_int_equal(aspace_unmap(&proc, USER_VA_LIMIT, PAGE_SIZE), NX_ERR_INVALID);
    kobject_unref(&v->obj);
}

static void kernel_picks_free_ranges_top_down(void **state)
{
    struct vmo *v = new_vmo(16);
    uint64_t a = map(v, 0, 0, 16 * PAGE_SIZE, R);
    assert_int_equal(a, USER_VA_LIMIT - 16 * PAGE_SIZE);
    uint64_t b = map(v, 0, 0, 4 * PAGE_SIZE, R);
    assert_int_equal(b, a - 4 * PAGE_SIZE);
    // A hole too small is skipped, a big enough one is used.
    assert_int_equal(aspace_unmap(&proc, a + 2 * PAGE_SIZE, 3 * PAGE_SIZE), 0);
    assert_int_equal(map(v, 0, 0, 4 * PAGE_SIZE, R), b - 4 * PAGE_SIZE);
    assert_int_equal(map(v, 0, 0, 3 * PAGE_SIZE, R), a + 2 * PAGE_SIZE);
    uint64_t out;
    assert_int_equal(aspace_map(&proc, v, 0, 0, USER_VA_LIMIT, R, RWX, &out), NX_ERR_INVALID);
    struct vmo *huge;
    assert_int_equal(vmo_create(256UL << 20, &vmo_budget, &huge), 0);
    // The user range is 252 GiB: fill it with 256 MiB mappings until none fits.
    int err;
    unsigned n = 0;
    while ((err = aspace_map(&proc, huge, 0, 0, 256UL << 20, R, R, &out)) == 0)
        n++;
    assert_int_equal(err, NX_ERR_NO_SPACE);
    assert_int_equal(n + 5, ASPACE_MAX_MAPPINGS);  // the table filled up first
    kobject_unref(&v->obj);
    kobject_unref(&huge->obj);
}

static void unmapping_the_middle_splits_a_mapping(void **state)
{
    struct vmo *v = new_vmo(8);
    map(v, VA, 0, 8 * PAGE_SIZE, RW);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(aspace_fault(&proc, VA + i * PAGE_SIZE, W), 0);
        *user(VA + i * PAGE_SIZE, PTE_W) = (char)('a' + i);
    }
    assert_int_equal(v->writable_maps, 1);
    assert_int_equal(aspace_unmap(&proc, VA + 2 * PAGE_SIZE, 3 * PAGE_SIZE), 0);
    assert_int_equal(proc.aspace->count, 2);
    assert_int_equal(v->writable_maps, 2);
    assert_int_equal(v->obj.refcount, 3);
    struct mapping *tail = aspace_find(proc.aspace, VA + 5 * PAGE_SIZE);
    assert_non_null(tail);
    assert_int_equal(tail->va, VA + 5 * PAGE_SIZE);
    assert_int_equal(tail->offset, 5 * PAGE_SIZE);
    assert_int_equal(tail->size, 3 * PAGE_SIZE);
    assert_null(aspace_find(proc.aspace, VA + 4 * PAGE_SIZE));
    assert_null(user(VA + 3 * PAGE_SIZE, 0));
    assert_int_equal(*user(VA + 5 * PAGE_SIZE, PTE_R), 'f');
    assert_int_equal(*user(VA + 1 * PAGE_SIZE, PTE_R), 'b');
    assert_int_equal(vmo_committed_pages(v), 8);
    // The tail refaults to the same page after an unmap and a fresh map.
    assert_int_equal(aspace_unmap(&proc, VA, 16 * PAGE_SIZE), 0);
    assert_int_equal(proc.aspace->count, 0);
    assert_int_equal(v->writable_maps, 0);
    map(v, VA + 100 * PAGE_SIZE, 6 * PAGE_SIZE, PAGE_SIZE, R);
    assert_int_equal(aspace_fault(&proc, VA + 100 * PAGE_SIZE, R), 0);
    assert_int_equal(*user(VA + 100 * PAGE_SIZE, PTE_R), 'g');
    kobject_unref(&v->obj);
}

// With the big lock held shared: the first map (no table yet) and a paged VMO in the range go
// to the exclusive path untouched; otherwise the same results as aspace_map/_unmap, and the
// last reference an unmap drops is left to the caller (the VMO is not destroyed here).
static void shared_map_and_unmap_leave_allocation_and_destruction_out(void **state)
{
    struct vmo *v = new_vmo(4);
    long r = 0;
    struct kobject *zombies = NULL;
    assert_false(aspace_map_shared(&proc, v, VA, 0, PAGE_SIZE, RW, RWX, &r));
    assert_null(proc.aspace);
    assert_false(aspace_unmap_shared(&proc, VA, PAGE_SIZE, &r, &zombies));
    map(v, VA, 0, PAGE_SIZE, R);  // makes the table
    assert_true(aspace_map_shared(&proc, v, VA + 8 * PAGE_SIZE, 0, 4 * PAGE_SIZE, RW, RWX, &r));
    assert_int_equal(r, VA + 8 * PAGE_SIZE);
    assert_int_equal(proc.aspace->count, 2);
    assert_int_equal(v->writable_maps, 1);
    assert_true(aspace_map_shared(&proc, v, VA + 9 * PAGE_SIZE, 0, PAGE_SIZE, R, RWX, &r));
    assert_int_equal(r, NX_ERR_BAD_STATE);  // errors come back as the general path's
    assert_true(aspace_map_shared(&proc, v, VA, 0, PAGE_SIZE, RW, R, &r));
    assert_int_equal(r, NX_ERR_ACCESS);
    assert_int_equal(aspace_fault(&proc, VA + 9 * PAGE_SIZE, W), 0);
    // Unmapping the middle splits, as the general path does; bad ranges are refused here.
    assert_true(aspace_unmap_shared(&proc, VA + 9 * PAGE_SIZE, PAGE_SIZE, &r, &zombies));
    assert_int_equal(r, NX_OK);
    assert_null(user(VA + 9 * PAGE_SIZE, 0));
    assert_int_equal(proc.aspace->count, 3);
    assert_true(aspace_unmap_shared(&proc, VA + 1, PAGE_SIZE, &r, &zombies));
    assert_int_equal(r, NX_ERR_INVALID);
    assert_null(zombies);
    // Everything else goes; the handle's reference (ours) is dropped first, so the unmap
    // drops the last one: the VMO waits on the list, alive, for the exclusive lock.
    kobject_unref(&v->obj);
    assert_true(aspace_unmap_shared(&proc, VA, 16 * PAGE_SIZE, &r, &zombies));
    assert_int_equal(r, NX_OK);
    assert_int_equal(proc.aspace->count, 0);
    assert_ptr_equal(zombies, &v->obj);
    assert_int_equal(v->obj.refcount, 0);
    kobject_reap(&zombies);
    assert_int_equal(vmo_budget.used, 0);
}

static void protect_changes_part_of_a_mapping(void **state)
{
    struct vmo *v = new_vmo(4);
    uint64_t out;
    assert_int_equal(aspace_map(&proc, v, VA, 0, 4 * PAGE_SIZE, RW, RW, &out), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(aspace_fault(&proc, VA + i * PAGE_SIZE, W), 0);
    unsigned f = flushes;
    assert_int_equal(aspace_protect(&proc, VA + PAGE_SIZE, PAGE_SIZE, R), 0);
    assert_true(flushes > f);
    assert_int_equal(proc.aspace->count, 3);
    assert_int_equal(v->writable_maps, 2);
    assert_null(user(VA + PAGE_SIZE, 0));  // refaults with the new protection
    assert_int_equal(aspace_fault(&proc, VA + PAGE_SIZE, W), NX_ERR_BAD_ADDRESS);
    assert_int_equal(aspace_fault(&proc, VA + PAGE_SIZE, R), 0);
    assert_null(user(VA + PAGE_SIZE, PTE_W));
    assert_non_null(user(VA + 2 * PAGE_SIZE, PTE_W));

    assert_int_equal(aspace_protect(&proc, VA, 4 * PAGE_SIZE, R | X), NX_ERR_ACCESS);
    assert_int_equal(aspace_protect(&proc, VA, 5 * PAGE_SIZE, R), NX_ERR_NOT_FOUND);
    assert_int_equal(aspace_protect(&proc, VA - PAGE_SIZE, 2 * PAGE_SIZE, R), NX_ERR_NOT_FOUND);
    assert_int_equal(aspace_protect(&proc, VA, 4 * PAGE_SIZE, W), NX_ERR_INVALID);
    assert_int_equal(proc.aspace->count, 3);  // failed calls split nothing
    assert_int_equal(aspace_protect(&proc, VA, 4 * PAGE_SIZE, 0), 0);  // no access at all
    assert_int_equal(v->writable_maps, 0);
    assert_int_equal(aspace_fault(&proc, VA, R), NX_ERR_BAD_ADDRESS);
    assert_int_equal(vmo_seal(v), 0);
    assert_int_equal(aspace_protect(&proc, VA, PAGE_SIZE, RW), NX_ERR_ACCESS);
    assert_int_equal(aspace_protect(&proc, VA, 4 * PAGE_SIZE, R), 0);
    assert_int_equal(aspace_fault(&proc, VA + 3 * PAGE_SIZE, R), 0);
    kobject_unref(&v->obj);
}

static void a_full_table_refuses_maps_and_splits(void **state)
{
    struct vmo *v = new_vmo(2);
    for (uint64_t i = 0; i < ASPACE_MAX_MAPPINGS; i++)
        map(v, VA + i * 4 * PAGE_SIZE, 0, 2 * PAGE_SIZE, R);
    uint64_t out;
    assert_int_equal(aspace_map(&proc, v, 0, 0, PAGE_SIZE, R, R, &out), NX_ERR_NO_SPACE);
    assert_int_equal(aspace_cut(proc.aspace, VA + PAGE_SIZE, PAGE_SIZE), NX_ERR_NO_SPACE);
    assert_int_equal(aspace_unmap(&proc, VA, PAGE_SIZE), NX_ERR_NO_SPACE);
    assert_int_equal(aspace_protect(&proc, VA, PAGE_SIZE, 0), NX_ERR_NO_SPACE);
    // Cutting exactly at boundaries needs no slot; then one split fits again.
    assert_int_equal(aspace_unmap(&proc, VA, 2 * PAGE_SIZE), 0);
    assert_int_equal(aspace_unmap(&proc, VA + 4 * PAGE_SIZE, PAGE_SIZE), 0);
    assert_int_equal(proc.aspace->count, ASPACE_MAX_MAPPINGS - 1);
    assert_int_equal(aspace_find(proc.aspace, VA + 5 * PAGE_SIZE)->offset, PAGE_SIZE);
    assert_int_equal(v->obj.refcount, ASPACE_MAX_MAPPINGS);
    kobject_unref(&v->obj);  // the mappings keep it; teardown's aspace_destroy frees it
}

static void clones_copy_on_touch_and_sealed_ones_share(void **state)
{
    struct vmo *parent = new_vmo(2), *c, *sc;
    assert_int_equal(vmo_write(parent, 0, "parent", 7), 0);
    assert_int_equal(vmo_seal(parent), 0);
    assert_int_equal(vmo_clone_cow(parent, 0, 2, &vmo_budget, &c), 0);
    assert_int_equal(vmo_clone_cow(parent, 0, 2, &vmo_budget, &sc), 0);
    assert_int_equal(vmo_seal(sc), 0);

    map(c, VA, 0, 2 * PAGE_SIZE, RW);
    assert_int_equal(aspace_fault(&proc, VA, R), 0);
    char *p = user(VA, PTE_W);
    assert_string_equal(p, "parent");  // the child sees the parent's data...
    strcpy(p, "child");                // ...in a copy of its own
    char got[7];
    assert_int_equal(vmo_read(parent, 0, got, 7), 0);
    assert_string_equal(got, "parent");

    map(sc, VA + 16 * PAGE_SIZE, 0, 2 * PAGE_SIZE, R);
    assert_int_equal(aspace_fault(&proc, VA + 16 * PAGE_SIZE, R), 0);
    paddr_t shared = pt_translate(proc.root, VA + 16 * PAGE_SIZE, PTE_R);
    paddr_t original;
    assert_int_equal(vmo_get_page(parent, 0, false, &original), 0);
    assert_int_equal(shared, original);  // a sealed clone lends the parent's page
    assert_int_equal(vmo_committed_pages(sc), 0);
    kobject_unref(&c->obj);
    kobject_unref(&sc->obj);
    kobject_unref(&parent->obj);  // freed when the clones go (teardown)
}

static void destroy_leaves_vmo_pages_to_the_vmo(void **state)
{
    struct vmo *v = new_vmo(4);
    map(v, VA, 0, 4 * PAGE_SIZE, RW);
    map(v, VA + 8 * PAGE_SIZE, 0, 4 * PAGE_SIZE, R);
    for (int i = 0; i < 4; i++)
        assert_int_equal(aspace_fault(&proc, VA + i * PAGE_SIZE, W), 0);
    assert_int_equal(aspace_fault(&proc, VA + 8 * PAGE_SIZE, R), 0);
    aspace_destroy(&proc);
    assert_null(proc.aspace);
    assert_int_equal(v->obj.refcount, 1);
    assert_int_equal(v->writable_maps, 0);
    assert_true(pt_range_empty(proc.root, VA, 12 * PAGE_SIZE));
    assert_int_equal(vmo_committed_pages(v), 4);  // still there, and still the VMO's
    kobject_unref(&v->obj);
}

// Random maps, unmaps and protects in a small window, against a page-by-page model: the
// table stays sorted and disjoint, lookups agree with the model, and the reference and
// writable-mapping counts match the mappings.
#define WPAGES 48
struct model_page {
    int vmo;           // -1: unmapped
    uint64_t offset;   // VMO byte offset shown here
    uint32_t prot;
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void check_model(struct vmo **v, const struct model_page *m)
{
    const struct aspace *as = proc.aspace;
    for (uint32_t i = 1; as && i < as->count; i++)
        assert_true(as->maps[i - 1].va + as->maps[i - 1].size <= as->maps[i].va);
    uint32_t refs[2] = { 1, 1 }, writable[2] = { 0, 0 };
    for (uint32_t i = 0; as && i < as->count; i++) {
        int k = as->maps[i].vmo == v[0] ? 0 : 1;
        refs[k]++;
        writable[k] += !!(as->maps[i].prot & W);
    }
    for (int k = 0; k < 2; k++) {
        assert_int_equal(v[k]->obj.refcount, refs[k]);
        assert_int_equal(v[k]->writable_maps, writable[k]);
    }
    for (int i = 0; i < WPAGES; i++) {
        struct mapping *got = aspace_find(proc.aspace, VA + i * PAGE_SIZE);
        pte_t e = pt_lookup(proc.root, VA + i * PAGE_SIZE);
        if (m[i].vmo < 0) {
            assert_null(got);
            assert_int_equal(e, 0);  // nothing left in the page table
            continue;
        }
        // An entry, if any, allows exactly the mapping's protection.
        uint64_t want = (m[i].prot & R ? PTE_R : 0) | (m[i].prot & W ? PTE_W : 0) |
                        (m[i].prot & X ? PTE_X : 0);
        assert_true(!e || (e & PTE_RWX) == want);
        assert_non_null(got);
        assert_ptr_equal(got->vmo, v[m[i].vmo]);
        assert_int_equal(got->offset + (VA + i * PAGE_SIZE - got->va), m[i].offset);
        assert_int_equal(got->prot, m[i].prot);
    }
}

static void random_operations_match_a_page_model(void **state)
{
    struct vmo *v[2] = { new_vmo(WPAGES), new_vmo(WPAGES) };
    struct model_page m[WPAGES];
    for (int i = 0; i < WPAGES; i++)
        m[i].vmo = -1;
    static const uint32_t prots[] = { 0, R, RW, R | X };
    for (int step = 0; step < 5000; step++) {
        int first = (int)(next_random() % WPAGES);
        int n = 1 + (int)(next_random() % (uint64_t)(WPAGES - first));
        uint64_t va = VA + (uint64_t)first * PAGE_SIZE, size = (uint64_t)n * PAGE_SIZE;
        uint32_t prot = prots[next_random() % 4];
        int k = (int)(next_random() % 2), op = (int)(next_random() % 3);
        uint32_t before = proc.aspace ? proc.aspace->count : 0;
        if (op == 0) {
            uint64_t out, off = (next_random() % (uint64_t)(WPAGES - n + 1)) * PAGE_SIZE;
            int err = aspace_map(&proc, v[k], va, off, size, prot, RWX, &out);
            bool free = true;
            for (int i = first; i < first + n; i++)
                free &= m[i].vmo < 0;
            if (!free) {
                assert_int_equal(err, NX_ERR_BAD_STATE);
            } else if (before == ASPACE_MAX_MAPPINGS) {
                assert_int_equal(err, NX_ERR_NO_SPACE);
            } else {
                assert_int_equal(err, 0);
                for (int i = first; i < first + n; i++)
                    m[i] = (struct model_page){ k, off + (uint64_t)(i - first) * PAGE_SIZE, prot };
            }
        } else if (op == 1) {
            int err = aspace_unmap(&proc, va, size);
            if (err == 0) {
                for (int i = first; i < first + n; i++)
                    m[i].vmo = -1;
            } else {
                assert_int_equal(err, NX_ERR_NO_SPACE);
                assert_int_equal(before, ASPACE_MAX_MAPPINGS);
            }
        } else {
            int err = aspace_protect(&proc, va, size, prot);
            bool mapped = true;
            for (int i = first; i < first + n; i++)
                mapped &= m[i].vmo >= 0;
            if (!mapped) {
                assert_int_equal(err, NX_ERR_NOT_FOUND);
            } else if (err == 0) {
                for (int i = first; i < first + n; i++)
                    m[i].prot = prot;
            } else {
                assert_int_equal(err, NX_ERR_NO_SPACE);
            }
        }
        // Touch a random page as the hardware would: only what the model allows works.
        int t = (int)(next_random() % WPAGES);
        uint32_t access = (uint32_t[]){ R, W, X }[next_random() % 3];
        int want = m[t].vmo >= 0 && (m[t].prot & access) ? 0 : NX_ERR_BAD_ADDRESS;
        assert_int_equal(aspace_fault(&proc, VA + t * PAGE_SIZE, access), want);
        check_model(v, m);
    }
    kobject_unref(&v[0]->obj);
    kobject_unref(&v[1]->obj);
}

// A fault maps the committed pages after its own, to the end of its page table (2 MiB) or of
// the mapping, stopping at the first page absent: none is committed for it.
static void a_fault_maps_the_committed_pages_after_it(void **state)
{
    struct vmo *v = new_vmo(600);
    paddr_t pa;
    for (size_t i = 0; i < 600; i++)
        if (i != 300)
            assert_int_equal(vmo_get_page(v, i, true, &pa), 0);
    map(v, VA, 0, 600 * PAGE_SIZE, RW);  // VA is 2 MiB aligned: pages 0-511 share a table
    assert_int_equal(aspace_fault(&proc, VA + 10 * PAGE_SIZE, R), 0);
    assert_null(user(VA + 9 * PAGE_SIZE, 0));  // nothing before it
    for (size_t i = 10; i < 300; i++)
        assert_non_null(user(VA + i * PAGE_SIZE, PTE_R | PTE_W));
    assert_null(user(VA + 300 * PAGE_SIZE, 0));
    assert_int_equal(vmo_committed_pages(v), 599);
    assert_int_equal(aspace_fault(&proc, VA + 301 * PAGE_SIZE, R), 0);
    for (size_t i = 301; i < 512; i++)
        assert_non_null(user(VA + i * PAGE_SIZE, PTE_R));
    assert_null(user(VA + 512 * PAGE_SIZE, 0));  // the next table's pages: a fault of their own
    // The mapping's end bounds it too, and each page shows its own VMO page.
    assert_int_equal(aspace_unmap(&proc, VA, 600 * PAGE_SIZE), 0);
    map(v, VA, 0, 20 * PAGE_SIZE, R);
    map(v, VA + 20 * PAGE_SIZE, 0, PAGE_SIZE, R);
    assert_int_equal(aspace_fault(&proc, VA, R), 0);
    for (size_t i = 0; i < 20; i++) {
        assert_int_equal(vmo_get_page(v, i, false, &pa), 0);
        assert_ptr_equal(user(VA + i * PAGE_SIZE, PTE_R), pa_to_kva(pa));
        assert_null(user(VA + i * PAGE_SIZE, PTE_W));  // the mapping's protection
    }
    assert_null(user(VA + 20 * PAGE_SIZE, 0));
    kobject_unref(&v->obj);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(mapping_is_lazy_and_a_fault_commits_one_page),
        T(arguments_are_checked_before_anything_changes),
        T(kernel_picks_free_ranges_top_down),
        T(unmapping_the_middle_splits_a_mapping),
        T(a_fault_maps_the_committed_pages_after_it),
        T(shared_map_and_unmap_leave_allocation_and_destruction_out),
        T(protect_changes_part_of_a_mapping),
        T(a_full_table_refuses_maps_and_splits),
        T(clones_copy_on_touch_and_sealed_ones_share),
        T(destroy_leaves_vmo_pages_to_the_vmo),
        T(random_operations_match_a_page_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

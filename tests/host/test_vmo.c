// VMO page logic against the real pmm over a host buffer (pa_to_kva is the identity).
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include "vmo.h"
#include "pmm.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define NPAGES 4096  // 16 MiB

static char *ram;
static uint64_t bitmap[(NPAGES + 63) / 64];
static size_t start_free;

static int setup(void **state)
{
    ram = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
    pmm_init((paddr_t)ram, NPAGES, bitmap);
    pmm_release_range((paddr_t)ram, (paddr_t)ram + NPAGES * PAGE_SIZE);
    start_free = pmm_stats().free_pages;
    return ram ? 0 : -1;
}

static int teardown(void **state)
{
    free(ram);
    return 0;
}

static size_t used_pages(void) { return start_free - pmm_stats().free_pages; }

// Every pmm page is back and nothing is left charged to `charged` (the sum of the budgets).
#define ALL_RETURNED(charged) (assert_int_equal(used_pages(), 0), assert_int_equal((charged), 0))

static void fill(char *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (char)(seed * 31 + i * 7 + (i >> 8));
}

// vmo_read succeeds and yields want.
static void expect(struct vmo *v, size_t off, const void *want, size_t len)
{
    static char got[VMO_RW_MAX];
    assert_int_equal(vmo_read(v, off, got, len), 0);
    assert_memory_equal(got, want, len);
}

static void is_zero(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        assert_int_equal(p[i], 0);
}

static void creation_is_lazy_and_first_touch_commits_one_zero_page(void **state)
{
    struct page_budget b = { .limit = 1000, .used = 0 };
    struct vmo *v;
    assert_int_equal(vmo_create(1000 * PAGE_SIZE - 5, &b, &v), 0);
    assert_int_equal(v->npages, 1000);
    size_t meta = used_pages();
    assert_int_equal(b.used, meta);  // metadata is charged too
    assert_int_equal(meta, 1);  // one slab object: the top of a sparse page array
    assert_int_equal(vmo_committed_pages(v), 0);

    char buf[64];
    assert_int_equal(vmo_read(v, 500 * PAGE_SIZE, buf, sizeof(buf)), 0);  // reads commit nothing
    is_zero(buf, sizeof(buf));
    assert_int_equal(used_pages(), meta);

    paddr_t pa, again;
    memset(ram + (NPAGES - 1) * PAGE_SIZE, 0x5a, PAGE_SIZE);  // dirty some free page
    assert_int_equal(vmo_get_page(v, 999, false, &pa), 0);
    assert_int_equal(vmo_committed_pages(v), 1);
    assert_int_equal(used_pages(), meta + 2);  // the page and the array node it falls in
    assert_int_equal(b.used, meta + 2);
    is_zero(pa_to_kva(pa), PAGE_SIZE);
    assert_int_equal(vmo_get_page(v, 999, true, &again), 0);
    assert_int_equal(again, pa);
    assert_int_equal(used_pages(), meta + 2);

    vmo_destroy(v);
    ALL_RETURNED(b.used);
}

static void create_checks_sizes(void **state)
{
    struct page_budget b = { .limit = 1000 };
    struct vmo *v = NULL;
    assert_int_equal(vmo_create(0, &b, &v), NX_ERR_INVALID);
    assert_int_equal(vmo_create(PAGE_SIZE, NULL, &v), NX_ERR_INVALID);
    assert_int_equal(vmo_create(VMO_MAX_PAGES * PAGE_SIZE + 1, &b, &v), NX_ERR_TOO_BIG);
    assert_int_equal(vmo_create(SIZE_MAX, &b, &v), NX_ERR_TOO_BIG);
    assert_null(v);
    ALL_RETURNED(b.used);
    assert_int_equal(vmo_create(VMO_MAX_PAGES * PAGE_SIZE, &b, &v), 0);
    assert_int_equal(v->npages, VMO_MAX_PAGES);
    assert_int_equal(b.used, used_pages());
    vmo_destroy(v);
    assert_int_equal(vmo_create(1, &b, &v), 0);
    assert_int_equal(v->npages, 1);
    assert_int_equal(b.used, 1);  // a slab page with room for more small VMOs
    struct vmo *w;
    assert_int_equal(vmo_create(100 * PAGE_SIZE, &b, &w), 0);  // 912 bytes: a slab object too
    assert_int_equal(b.used, 2);  // of another size class
    b.limit = 2;  // the next ones fit the slab pages already paid for
    struct vmo *x, *y;
    assert_int_equal(vmo_create(PAGE_SIZE, &b, &x), 0);
    assert_int_equal(vmo_create(100 * PAGE_SIZE, &b, &y), 0);
    assert_int_equal(vmo_create(40 * PAGE_SIZE, &b, &v), NX_ERR_NO_MEMORY);  // 448 bytes
    struct vmo *z;
    assert_int_equal(vmo_create(300 * PAGE_SIZE, &b, &z), 0);  // a top of 1 entry
    assert_int_equal(b.used, 2);
    vmo_destroy(z);
    vmo_destroy(x);
    vmo_destroy(y);
    vmo_destroy(w);
    vmo_destroy(v);
    b.limit = 0;  // not even the metadata fits
    assert_int_equal(vmo_create(PAGE_SIZE, &b, &v), NX_ERR_NO_MEMORY);
    ALL_RETURNED(b.used);
}

static void read_write_round_trip_across_pages(void **state)
{
    struct page_budget b = { .limit = 100 };
    struct vmo *v;
    assert_int_equal(vmo_create(8 * PAGE_SIZE, &b, &v), 0);
    char in[VMO_RW_MAX], out[VMO_RW_MAX];
    fill(in, sizeof(in), 1);
    uint64_t copied = vmo_bytes_copied;
    assert_int_equal(vmo_write(v, 4000, in, 6000), 0);  // pages 0..2
    assert_int_equal(vmo_committed_pages(v), 3);
    expect(v, 4000, in, 6000);
    assert_int_equal(vmo_bytes_copied - copied, 12000);
    assert_int_equal(vmo_read(v, 0, out, 4000), 0);
    is_zero(out, 4000);
    // The longest write, unaligned: five pages.
    assert_int_equal(vmo_write(v, 3 * PAGE_SIZE + 1, in, VMO_RW_MAX), 0);
    assert_int_equal(vmo_committed_pages(v), 3 + 5);
    expect(v, 3 * PAGE_SIZE + 1, in, VMO_RW_MAX);
    assert_int_equal(vmo_write(v, 8 * PAGE_SIZE, in, 0), 0);  // empty range at the end
    vmo_destroy(v);
    ALL_RETURNED(b.used);
}

static void range_errors_change_nothing(void **state)
{
    struct page_budget b = { .limit = 100 };
    struct vmo *v;
    assert_int_equal(vmo_create(4 * PAGE_SIZE, &b, &v), 0);
    size_t used = used_pages(), charged = b.used;
    uint64_t copied = vmo_bytes_copied;
    char buf[VMO_RW_MAX + 1] = { 1 };
    paddr_t pa = 0;
    assert_int_equal(vmo_write(v, SIZE_MAX - 1, buf, 4), NX_ERR_INVALID);  // wraps
    assert_int_equal(vmo_read(v, SIZE_MAX - 1, buf, 4), NX_ERR_INVALID);
    assert_int_equal(vmo_write(v, 4 * PAGE_SIZE - 1, buf, 2), NX_ERR_INVALID);
    assert_int_equal(vmo_write(v, 4 * PAGE_SIZE + 1, buf, 0), NX_ERR_INVALID);
    assert_int_equal(vmo_write(v, 0, buf, VMO_RW_MAX + 1), NX_ERR_TOO_BIG);
    assert_int_equal(vmo_read(v, 0, buf, VMO_RW_MAX + 1), NX_ERR_TOO_BIG);
    assert_int_equal(vmo_write(v, 0, NULL, 1), NX_ERR_INVALID);
    assert_int_equal(vmo_get_page(v, 4, true, &pa), NX_ERR_INVALID);
    assert_int_equal(vmo_get_page(v, SIZE_MAX, false, &pa), NX_ERR_INVALID);
    assert_int_equal(pa, 0);
    assert_int_equal(used_pages(), used);
    assert_int_equal(b.used, charged);
    assert_int_equal(vmo_committed_pages(v), 0);
    assert_int_equal(vmo_bytes_copied, copied);
    vmo_destroy(v);
    assert_int_equal(used_pages(), 0);
}

static void budget_is_exact_and_failures_leak_nothing(void **state)
{
    struct page_budget b = { .limit = 1 + 3 };  // one metadata page + three data pages
    struct vmo *v;
    assert_int_equal(vmo_create(8 * PAGE_SIZE, &b, &v), 0);
    char in[2 * PAGE_SIZE];
    fill(in, sizeof(in), 2);
    assert_int_equal(vmo_write(v, 0, in, 2 * PAGE_SIZE), 0);
    size_t used = used_pages();
    // Pages 3 and 4 need two, one is left: all or nothing.
    assert_int_equal(vmo_write(v, 3 * PAGE_SIZE, in, 2 * PAGE_SIZE), NX_ERR_NO_MEMORY);
    // Page 1 is committed and page 2 takes exactly the last budget page.
    assert_int_equal(vmo_write(v, PAGE_SIZE, in, 2 * PAGE_SIZE), 0);
    assert_int_equal(b.used, b.limit);
    used = used_pages();
    paddr_t pa;
    assert_int_equal(vmo_get_page(v, 7, false, &pa), NX_ERR_NO_MEMORY);
    assert_int_equal(vmo_write(v, 2 * PAGE_SIZE + 10, in, PAGE_SIZE), NX_ERR_NO_MEMORY);
    expect(v, 2 * PAGE_SIZE, in + PAGE_SIZE, PAGE_SIZE);  // untouched by the failure
    assert_int_equal(used_pages(), used);
    assert_int_equal(b.used, b.limit);
    assert_int_equal(vmo_committed_pages(v), 3);

    // Out of pmm pages rather than budget: the same, and the budget is given back.
    b.limit = 1000;
    size_t nfree = pmm_stats().free_pages;
    paddr_t *hog = malloc(nfree * sizeof(paddr_t));
    for (size_t i = 0; i + 1 < nfree; i++)
        hog[i] = pmm_alloc();
    size_t charged = b.used;
    assert_int_equal(vmo_write(v, 5 * PAGE_SIZE + 1, in, PAGE_SIZE), NX_ERR_NO_MEMORY);
    assert_int_equal(b.used, charged);
    assert_int_equal(pmm_stats().free_pages, 1);
    assert_int_equal(vmo_committed_pages(v), 3);
    for (size_t i = 0; i + 1 < nfree; i++)
        pmm_free(hog[i]);
    free(hog);
    vmo_destroy(v);
    ALL_RETURNED(b.used);
}

static void seal_blocks_writes_not_reads(void **state)
{
    struct page_budget b = { .limit = 100 };
    struct vmo *v;
    assert_int_equal(vmo_create(2 * PAGE_SIZE, &b, &v), 0);
    assert_int_equal(vmo_write(v, 10, "hello", 5), 0);
    assert_int_equal(vmo_seal(v), 0);
    assert_int_equal(vmo_seal(v), 0);  // idempotent
    paddr_t pa;
    assert_int_equal(vmo_get_page(v, 0, true, &pa), NX_ERR_ACCESS);
    assert_int_equal(vmo_get_page(v, 1, true, &pa), NX_ERR_ACCESS);
    assert_int_equal(vmo_write(v, 10, "HELLO", 5), NX_ERR_ACCESS);
    expect(v, 10, "hello", 5);
    assert_int_equal(vmo_get_page(v, 0, false, &pa), 0);
    assert_memory_equal((char *)pa_to_kva(pa) + 10, "hello", 5);
    vmo_destroy(v);
    assert_int_equal(used_pages(), 0);
}

// The whole seal rule: sealing waits for every writable mapping to go (read-only ones do
// not matter, protect moves a mapping between the two), and after it every way to write is
// refused. Each mapping holds a reference on the VMO.
static void seal_waits_for_writable_mappings_then_refuses_writes(void **state)
{
    struct page_budget b = { .limit = 100 };
    struct vmo *v;
    struct kobject *zombies = NULL;
    uint32_t r = NX_PROT_READ, rw = NX_PROT_READ | NX_PROT_WRITE;
    assert_int_equal(vmo_create(PAGE_SIZE, &b, &v), 0);
    vmo_mapping_add(v, rw);
    vmo_mapping_add(v, r);
    assert_int_equal(v->obj.refcount, 3);
    assert_int_equal(vmo_seal(v), NX_ERR_BAD_STATE);
    vmo_mapping_protect(v, rw, r);
    assert_int_equal(vmo_seal(v), 0);  // two read-only mappings left
    assert_true(vmo_sealed(v));
    assert_int_equal(vmo_check_write(v), NX_ERR_ACCESS);
    assert_int_equal(vmo_write(v, 0, "x", 1), NX_ERR_ACCESS);
    assert_int_equal(vmo_commit(v, 0, 1), NX_ERR_ACCESS);
    paddr_t pa;
    assert_int_equal(vmo_get_page(v, 0, true, &pa), NX_ERR_ACCESS);
    assert_int_equal(vmo_dma(v, 0, 1, true, &pa), NX_ERR_ACCESS);
    vmo_mapping_drop(v, r, &zombies);
    vmo_mapping_drop(v, r, &zombies);
    assert_null(zombies);
    assert_int_equal(v->obj.refcount, 1);
    assert_int_equal(v->writable_maps, 0);
    kobject_unref(&v->obj);  // the creator's: destroys it
    assert_int_equal(used_pages(), 0);
}

// A sealed 4-page parent whose pages 0..2 hold fill(seed 3) data; page 3 untouched.
static struct vmo *sealed_parent(struct page_budget *b, char *data)
{
    struct vmo *p;
    fill(data, 3 * PAGE_SIZE, 3);
    assert_int_equal(vmo_create(4 * PAGE_SIZE, b, &p), 0);
    for (size_t off = 0; off < 3 * PAGE_SIZE; off += VMO_RW_MAX / 2)
        assert_int_equal(vmo_write(p, off, data + off, VMO_RW_MAX / 2 < 3 * PAGE_SIZE - off ?
                                                       VMO_RW_MAX / 2 : 3 * PAGE_SIZE - off), 0);
    assert_int_equal(vmo_seal(p), 0);
    return p;
}

static void cow_child_reads_parent_and_copies_one_page_on_write(void **state)
{
    struct page_budget pb = { .limit = 100 }, cb = { .limit = 100 };
    static char data[3 * PAGE_SIZE];
    struct vmo *p = sealed_parent(&pb, data), *c;
    assert_int_equal(vmo_clone_cow(p, 1, 3, &cb, &c), 0);  // parent pages 1..3
    assert_int_equal(cb.used, 1);  // the slab page holding the metadata
    char buf[PAGE_SIZE];
    expect(c, 0, data + PAGE_SIZE, PAGE_SIZE);
    paddr_t cpa, ppa;
    assert_int_equal(vmo_get_page(c, 1, false, &cpa), 0);  // borrowed, not committed
    assert_int_equal(vmo_get_page(p, 2, false, &ppa), 0);
    assert_int_equal(cpa, ppa);
    assert_int_equal(vmo_committed_pages(c), 0);

    uint64_t copied = vmo_bytes_copied;
    size_t used = used_pages();
    assert_int_equal(vmo_write(c, 100, "child", 5), 0);
    assert_int_equal(vmo_bytes_copied - copied, PAGE_SIZE + 5);
    assert_int_equal(vmo_committed_pages(c), 1);
    assert_int_equal(used_pages(), used + 1);
    assert_int_equal(cb.used, 1 + 1);
    expect(c, 0, data + PAGE_SIZE, 100);
    expect(c, 100, "child", 5);
    expect(c, 105, data + PAGE_SIZE + 105, PAGE_SIZE - 105);
    expect(p, PAGE_SIZE, data + PAGE_SIZE, PAGE_SIZE);  // parent unchanged

    // Parent page 3 was never touched: zeros in the child; committing it charges the child.
    assert_int_equal(vmo_read(c, 2 * PAGE_SIZE, buf, PAGE_SIZE), 0);
    is_zero(buf, PAGE_SIZE);
    assert_int_equal(vmo_get_page(c, 2, false, &cpa), 0);
    is_zero(pa_to_kva(cpa), PAGE_SIZE);
    assert_int_equal(cb.used, 1 + 2);
    vmo_destroy(c);
    vmo_destroy(p);
    ALL_RETURNED(pb.used + cb.used);
}

static void cow_requires_a_sealed_anonymous_parent(void **state)
{
    struct page_budget b = { .limit = 100 };
    struct vmo *p, *c = NULL, *phys;
    assert_int_equal(vmo_create(4 * PAGE_SIZE, &b, &p), 0);
    assert_int_equal(vmo_clone_cow(p, 0, 4, &b, &c), NX_ERR_BAD_STATE);
    assert_int_equal(vmo_seal(p), 0);
    assert_int_equal(vmo_write(p, 0, "x", 1), NX_ERR_ACCESS);  // parent writes are rejected
    assert_int_equal(vmo_clone_cow(p, 0, 5, &b, &c), NX_ERR_INVALID);
    assert_int_equal(vmo_clone_cow(p, 4, 1, &b, &c), NX_ERR_INVALID);
    assert_int_equal(vmo_clone_cow(p, 1, SIZE_MAX, &b, &c), NX_ERR_INVALID);
    assert_int_equal(vmo_clone_cow(p, 0, 0, &b, &c), NX_ERR_INVALID);
    assert_int_equal(vmo_create_physical(0x10000000, PAGE_SIZE, NULL, &phys), 0);
    assert_int_equal(vmo_seal(phys), 0);
    assert_int_equal(vmo_clone_cow(phys, 0, 1, &b, &c), NX_ERR_BAD_STATE);
    assert_null(c);
    // Clones of clones, up to VMO_MAX_DEPTH.
    struct vmo *chain[VMO_MAX_DEPTH + 1] = { p };
    for (int i = 1; i <= VMO_MAX_DEPTH; i++) {
        assert_int_equal(vmo_clone_cow(chain[i - 1], 0, 4, &b, &chain[i]), 0);
        assert_int_equal(vmo_seal(chain[i]), 0);
    }
    assert_int_equal(vmo_clone_cow(chain[VMO_MAX_DEPTH], 0, 4, &b, &c), NX_ERR_TOO_BIG);
    for (int i = 0; i <= VMO_MAX_DEPTH; i++)
        vmo_destroy(chain[i]);  // parents first: freed when the last clone goes
    vmo_destroy(phys);
    ALL_RETURNED(b.used);
}

static void destroy_in_either_order_frees_everything(void **state)
{
    static char data[3 * PAGE_SIZE];
    for (int order = 0; order < 2; order++) {
        struct page_budget pb = { .limit = 100 }, cb = { .limit = 100 }, gb = { .limit = 100 };
        struct vmo *p = sealed_parent(&pb, data), *c, *g;
        assert_int_equal(vmo_clone_cow(p, 0, 4, &cb, &c), 0);
        assert_int_equal(vmo_write(c, PAGE_SIZE, "c", 1), 0);
        assert_int_equal(vmo_seal(c), 0);
        assert_int_equal(vmo_clone_cow(c, 1, 2, &gb, &g), 0);  // grandchild
        assert_int_equal(vmo_write(g, PAGE_SIZE, "g", 1), 0);
        size_t used = used_pages();
        if (order == 0) {
            vmo_destroy(g);
            vmo_destroy(c);
            vmo_destroy(p);
        } else {
            vmo_destroy(p);
            vmo_destroy(c);
            assert_int_equal(used_pages(), used);  // still lent to g
            assert_int_equal(pb.used + cb.used + gb.used, used);
            char buf[PAGE_SIZE];
            assert_int_equal(vmo_read(g, 0, buf, PAGE_SIZE), 0);  // c's private page
            assert_int_equal(buf[0], 'c');
            assert_memory_equal(buf + 1, data + PAGE_SIZE + 1, PAGE_SIZE - 1);
            assert_int_equal(vmo_read(g, PAGE_SIZE, buf, 2), 0);
            assert_int_equal(buf[0], 'g');
            assert_int_equal(buf[1], data[2 * PAGE_SIZE + 1]);
            vmo_destroy(g);
        }
        ALL_RETURNED(pb.used + cb.used + gb.used);
    }
}

static void physical_vmo_returns_fixed_pages_and_frees_none(void **state)
{
    struct vmo *v;
    assert_int_equal(vmo_create_physical(0x10000001, PAGE_SIZE, NULL, &v), NX_ERR_INVALID);
    assert_int_equal(vmo_create_physical(0x10000000, 100, NULL, &v), NX_ERR_INVALID);
    assert_int_equal(vmo_create_physical(0x10000000, 0, NULL, &v), NX_ERR_INVALID);
    assert_int_equal(vmo_create_physical(-PAGE_SIZE, 2 * PAGE_SIZE, NULL, &v), NX_ERR_INVALID);
    assert_int_equal(used_pages(), 0);
    assert_int_equal(vmo_create_physical(0x10000000, 3 * PAGE_SIZE, NULL, &v), 0);
    paddr_t pa;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(vmo_get_page(v, i, true, &pa), 0);
        assert_int_equal(pa, 0x10000000 + i * PAGE_SIZE);
    }
    assert_int_equal(vmo_get_page(v, 3, false, &pa), NX_ERR_INVALID);
    assert_int_equal(vmo_committed_pages(v), 0);
    assert_int_equal(used_pages(), 1);  // only the metadata page
    vmo_destroy(v);
    assert_int_equal(used_pages(), 0);

    // Kernel copies go straight to the range (a host buffer stands in for device memory).
    char *dev = aligned_alloc(PAGE_SIZE, 2 * PAGE_SIZE);
    memset(dev, 0, 2 * PAGE_SIZE);
    assert_int_equal(vmo_create_physical((paddr_t)dev, 2 * PAGE_SIZE, NULL, &v), 0);
    assert_int_equal(vmo_write(v, PAGE_SIZE - 2, "mmio", 4), 0);
    assert_memory_equal(dev + PAGE_SIZE - 2, "mmio", 4);
    vmo_destroy(v);
    assert_memory_equal(dev + PAGE_SIZE - 2, "mmio", 4);  // not freed, not cleared
    free(dev);
    assert_int_equal(used_pages(), 0);
}

// Random operations on a few VMOs against a byte-for-byte shadow copy of each.
#define SLOTS 6
#define MAXP 8

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void random_operations_keep_the_invariants(void **state)
{
    struct page_budget b = { .limit = 1000 };
    struct vmo *v[SLOTS] = { 0 };
    static char shadow[SLOTS][MAXP * PAGE_SIZE], buf[VMO_RW_MAX];
    int clones = 0, destroys = 0, writes = 0;
    uint64_t copied = vmo_bytes_copied;
    for (int step = 0; step < 20000; step++) {
        int s = (int)(next() % SLOTS), t = (int)(next() % SLOTS);
        size_t size = v[s] ? v[s]->npages * PAGE_SIZE : 0;
        size_t len = next() % (VMO_RW_MAX + 1), off = size ? next() % size : 0;
        int in_range = len <= size - off, r;
        switch (next() % 8) {
        case 0:
            if (v[s])
                break;
            assert_int_equal(vmo_create(1 + next() % (MAXP * PAGE_SIZE), &b, &v[s]), 0);
            memset(shadow[s], 0, sizeof(shadow[s]));
            break;
        case 1:
            if (!v[s] || next() % 4)
                break;
            vmo_destroy(v[s]);
            v[s] = NULL;
            destroys++;
            break;
        case 2:
        case 3:
            if (!v[s])
                break;
            fill(buf, len, (unsigned)step);
            r = vmo_write(v[s], off, buf, len);
            assert_int_equal(r, !in_range ? NX_ERR_INVALID
                                          : v[s]->flags & VMO_SEALED ? NX_ERR_ACCESS : 0);
            if (r == 0)
                memcpy(shadow[s] + off, buf, len);
            writes += r == 0;
            break;
        case 4:
        case 5:
            if (!v[s])
                break;
            r = vmo_read(v[s], off, buf, len);
            assert_int_equal(r, in_range ? 0 : NX_ERR_INVALID);
            if (r == 0)
                assert_memory_equal(buf, shadow[s] + off, len);
            break;
        case 6:
            if (v[s] && next() % 3 == 0)
                assert_int_equal(vmo_seal(v[s]), 0);
            break;
        case 7:
            if (!v[s] || v[t] || !(v[s]->flags & VMO_SEALED))
                break;
            size_t first = next() % v[s]->npages, n = 1 + next() % (v[s]->npages - first);
            r = vmo_clone_cow(v[s], first, n, &b, &v[t]);
            if (r == NX_ERR_TOO_BIG)
                break;
            assert_int_equal(r, 0);
            memset(shadow[t], 0, sizeof(shadow[t]));
            memcpy(shadow[t], shadow[s] + first * PAGE_SIZE, n * PAGE_SIZE);
            clones++;
            break;
        }
        assert_int_equal(used_pages(), b.used);  // every page in use is charged, once
    }
    assert_true(clones > 50 && destroys > 50 && writes > 500);  // the mix really ran
    assert_true(vmo_bytes_copied - copied > 100 * PAGE_SIZE);
    for (int s = 0; s < SLOTS; s++)
        vmo_destroy(v[s]);
    ALL_RETURNED(b.used);
}

static void dma_commits_private_pages_that_stay(void **state)
{
    struct page_budget b = { .limit = 100 };
    struct vmo *v;
    paddr_t pa[VMO_DMA_MAX + 1], again[2];
    assert_int_equal(vmo_create(VMO_DMA_MAX * 2 * PAGE_SIZE, &b, &v), 0);
    assert_int_equal(vmo_write(v, PAGE_SIZE, "data", 4), 0);
    assert_int_equal(vmo_dma(v, 0, 3, true, pa), 0);
    assert_int_equal(vmo_committed_pages(v), 3);  // the untouched pages too
    assert_memory_equal((char *)pa_to_kva(pa[1]), "data", 4);
    memcpy(pa_to_kva(pa[2]), "dev", 3);  // the device writes: the VMO shows it
    expect(v, 2 * PAGE_SIZE, "dev", 3);
    assert_int_equal(vmo_dma(v, 1, 2, false, again), 0);  // the same pages every time
    assert_int_equal(again[0], pa[1]);
    assert_int_equal(again[1], pa[2]);
    assert_int_equal(vmo_seal(v), NX_ERR_BAD_STATE);  // a device may still write
    // Ranges: empty, over the limit, outside.
    assert_int_equal(vmo_dma(v, 0, 0, false, pa), NX_ERR_INVALID);
    assert_int_equal(vmo_dma(v, 0, VMO_DMA_MAX + 1, false, pa), NX_ERR_INVALID);
    assert_int_equal(vmo_dma(v, 2 * VMO_DMA_MAX - 1, 2, false, pa), NX_ERR_INVALID);
    assert_int_equal(vmo_dma(v, SIZE_MAX, 1, false, pa), NX_ERR_INVALID);
    // All or nothing: a range over the budget commits no page.
    b.limit = b.used + 1;
    size_t committed = vmo_committed_pages(v);
    assert_int_equal(vmo_dma(v, 10, 2, false, pa), NX_ERR_NO_MEMORY);
    assert_int_equal(vmo_committed_pages(v), committed);
    vmo_destroy(v);
    ALL_RETURNED(b.used);
}

static void dma_of_a_clone_never_hands_out_a_page_that_changes(void **state)
{
    struct page_budget pb = { .limit = 100 }, cb = { .limit = 100 };
    static char data[3 * PAGE_SIZE];
    struct vmo *p = sealed_parent(&pb, data), *c, *sealed_c, *phys;
    paddr_t pa[2], ppa;
    assert_int_equal(vmo_clone_cow(p, 0, 2, &cb, &c), 0);
    // Unsealed clone: its own copies, so a later write cannot move the page under the device.
    assert_int_equal(vmo_dma(c, 0, 2, false, pa), 0);
    assert_int_equal(vmo_committed_pages(c), 2);
    assert_int_equal(vmo_get_page(p, 0, false, &ppa), 0);
    assert_true(pa[0] != ppa);
    assert_memory_equal(pa_to_kva(pa[0]), data, PAGE_SIZE);
    // Sealed clone: the parent's page, which never changes; devices may not write it.
    assert_int_equal(vmo_clone_cow(p, 0, 2, &cb, &sealed_c), 0);
    assert_int_equal(vmo_seal(sealed_c), 0);
    assert_int_equal(vmo_dma(sealed_c, 0, 1, true, pa), NX_ERR_ACCESS);
    assert_int_equal(vmo_dma(sealed_c, 0, 1, false, pa), 0);
    assert_int_equal(pa[0], ppa);
    assert_int_equal(vmo_committed_pages(sealed_c), 0);
    // Device registers are never a DMA target.
    assert_int_equal(vmo_create_physical(0x10000000, PAGE_SIZE, NULL, &phys), 0);
    assert_int_equal(vmo_dma(phys, 0, 1, false, pa), NX_ERR_BAD_STATE);
    vmo_destroy(phys);
    vmo_destroy(sealed_c);
    vmo_destroy(c);
    vmo_destroy(p);
    ALL_RETURNED(pb.used + cb.used);
}

// A 64 GiB VMO is one slab object; a commit adds its page and the page-array nodes above it
// (2^24 pages: a top of 64 entries over two node levels), and everything comes back.
static void a_64_gib_vmo_pays_for_nodes_only_where_pages_are(void **state)
{
    struct page_budget b = { .limit = 100 };
    struct vmo *v;
    assert_int_equal(vmo_create(VMO_MAX_PAGES * PAGE_SIZE, &b, &v), 0);
    size_t meta = b.used, last = (VMO_MAX_PAGES - 1) * PAGE_SIZE;
    assert_int_equal(meta, 1);
    char in[64], out[64];
    fill(in, sizeof(in), 9);
    assert_int_equal(vmo_write(v, 0, in, sizeof(in)), 0);
    assert_int_equal(b.used, meta + 1 + 2);
    assert_int_equal(vmo_write(v, last + PAGE_SIZE - sizeof(in), in, sizeof(in)), 0);
    assert_int_equal(b.used, meta + 2 + 4);
    assert_int_equal(used_pages(), b.used);
    expect(v, 0, in, sizeof(in));
    expect(v, last + PAGE_SIZE - sizeof(in), in, sizeof(in));
    assert_int_equal(vmo_read(v, last / 2, out, sizeof(out)), 0);  // the middle reads zeros
    is_zero(out, sizeof(out));
    // Pages 511 and 512: the second falls in a new leaf under the same level-1 node.
    assert_int_equal(vmo_write(v, 512 * PAGE_SIZE - 8, in, 16), 0);
    assert_int_equal(b.used, meta + 4 + 5);
    expect(v, 512 * PAGE_SIZE - 8, in, 16);
    assert_int_equal(vmo_committed_pages(v), 4);
    vmo_destroy(v);
    ALL_RETURNED(b.used);
}

// A commit whose page-array node the budget (or the pmm) refuses changes nothing.
static void a_commit_whose_node_does_not_fit_changes_nothing(void **state)
{
    struct page_budget b = { .limit = 100 };
    struct vmo *v;
    assert_int_equal(vmo_create(VMO_MAX_PAGES * PAGE_SIZE, &b, &v), 0);
    b.limit = b.used + 2;  // the page and one of the two nodes it needs
    char in[16] = "x", out[16];
    paddr_t pa;
    size_t used = used_pages(), charged = b.used;
    assert_int_equal(vmo_write(v, 5 * PAGE_SIZE, in, sizeof(in)), NX_ERR_NO_MEMORY);
    assert_int_equal(vmo_get_page(v, 5, false, &pa), NX_ERR_NO_MEMORY);
    assert_int_equal(vmo_commit(v, 5 * PAGE_SIZE, 1), NX_ERR_NO_MEMORY);
    assert_int_equal(vmo_dma(v, 5, 1, true, &pa), NX_ERR_NO_MEMORY);
    assert_int_equal(used_pages(), used);
    assert_int_equal(b.used, charged);
    assert_int_equal(vmo_committed_pages(v), 0);
    b.limit++;
    assert_int_equal(vmo_write(v, 5 * PAGE_SIZE, in, sizeof(in)), 0);
    assert_int_equal(b.used, b.limit);
    // Pages 511 and 512 need two pages and a leaf: room for two pages only.
    b.limit = b.used + 2;
    assert_int_equal(vmo_write(v, 512 * PAGE_SIZE - 8, in, sizeof(in)), NX_ERR_NO_MEMORY);
    assert_int_equal(vmo_read(v, 512 * PAGE_SIZE - 8, out, sizeof(out)), 0);
    is_zero(out, sizeof(out));
    assert_int_equal(vmo_committed_pages(v), 1);
    // Out of pmm pages rather than budget (the leaf and one page fit): the same.
    b.limit = 100;
    charged = b.used;
    size_t nfree = pmm_stats().free_pages;
    paddr_t *hog = malloc(nfree * sizeof(paddr_t));
    for (size_t i = 0; i + 2 < nfree; i++)
        hog[i] = pmm_alloc();
    assert_int_equal(vmo_write(v, 512 * PAGE_SIZE - 8, in, sizeof(in)), NX_ERR_NO_MEMORY);
    assert_int_equal(b.used, charged);
    assert_int_equal(pmm_stats().free_pages, 2);
    for (size_t i = 0; i + 2 < nfree; i++)
        pmm_free(hog[i]);
    free(hog);
    assert_int_equal(vmo_write(v, 512 * PAGE_SIZE - 8, in, sizeof(in)), 0);
    assert_int_equal(b.used, charged + 3);
    vmo_destroy(v);
    ALL_RETURNED(b.used);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(creation_is_lazy_and_first_touch_commits_one_zero_page),
        T(create_checks_sizes),
        T(read_write_round_trip_across_pages),
        T(range_errors_change_nothing),
        T(budget_is_exact_and_failures_leak_nothing),
        T(seal_blocks_writes_not_reads),
        T(seal_waits_for_writable_mappings_then_refuses_writes),
        T(cow_child_reads_parent_and_copies_one_page_on_write),
        T(cow_requires_a_sealed_anonymous_parent),
        T(destroy_in_either_order_frees_everything),
        T(physical_vmo_returns_fixed_pages_and_frees_none),
        T(random_operations_keep_the_invariants),
        T(dma_commits_private_pages_that_stay),
        T(dma_of_a_clone_never_hands_out_a_page_that_changes),
        T(a_64_gib_vmo_pays_for_nodes_only_where_pages_are),
        T(a_commit_whose_node_does_not_fit_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

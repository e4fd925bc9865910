// Virtual memory objects: lazy anonymous pages, physical ranges, copy-on-write clones of
// sealed parents. See vmo.h for the rules; every operation checks, then reserves everything
// it needs (budget and pmm pages), and only then changes the VMO.
#include "vmo.h"
#include <nexus/errors.h>
#include "lib/string.h"
#include "panic.h"
#include "pmm.h"
#include "slab.h"

_Static_assert(sizeof(struct vmo) <= 128, "a VMO without pages takes a 128-byte slab slot (slab.h)");

// Only touched with interrupts off on the boot hart (single hart for now).
uint64_t vmo_bytes_copied;

// Most pages one vmo_read / vmo_write can touch (an unaligned VMO_RW_MAX spans one more).
#define RW_SPAN (VMO_RW_MAX / PAGE_SIZE + 1)
// Most pages one prepare() takes: a read/write span or a vmo_dma range.
#define SPAN_MAX (RW_SPAN > VMO_DMA_MAX ? RW_SPAN : VMO_DMA_MAX)

static void release(struct kobject *obj)
{
    vmo_destroy((struct vmo *)obj);  // obj is the first member
}

// Allocate and zero the metadata for a VMO of npages (with the top of a page array unless
// physical): one slab object, charged to b if not NULL.
static int alloc_meta(size_t npages, bool physical, struct page_budget *b, struct vmo **out)
{
    uint32_t levels = 0;
    size_t top = physical ? 0 : radix_shape(npages, VMO_TOP_MAX, &levels);
    size_t bytes = sizeof(struct vmo) + top * sizeof(uint64_t);
    struct vmo *v = slab_alloc(b, bytes);
    if (!v)
        return NX_ERR_NO_MEMORY;
    kobject_init(&v->obj, NX_OBJ_VMO, release);
    radix_init(&v->pages, v->top, top, levels, 0);  // (no two pages are alike)
    v->npages = npages;
    v->refs = 1;
    v->budget = b;
    *out = v;
    return 0;
}

int vmo_create(size_t size_bytes, struct page_budget *b, struct vmo **out)
{
    if (size_bytes == 0 || !b || !out)
        return NX_ERR_INVALID;
    if (size_bytes > VMO_MAX_PAGES * PAGE_SIZE)
        return NX_ERR_TOO_BIG;
    return alloc_meta(PAGE_ROUND_UP(size_bytes) / PAGE_SIZE, false, b, out);
}

int vmo_create_physical(paddr_t base, size_t size, struct page_budget *b, struct vmo **out)
{
    if (!out || size == 0 || base % PAGE_SIZE || size % PAGE_SIZE || base + size < base)
        return NX_ERR_INVALID;
    if (size / PAGE_SIZE > VMO_MAX_PAGES)
        return NX_ERR_TOO_BIG;
    int err = alloc_meta(size / PAGE_SIZE, true, b, out);
    if (err)
        return err;
    (*out)->flags = VMO_PHYSICAL;
    (*out)->phys_base = base;
    return 0;
}

void vmo_set_owner(struct vmo *v, struct kobject *owner)
{
    kobject_ref(owner);
    v->owner = owner;
}

// The page an ancestor of v lends for v's page index, or 0 if none has it.
static paddr_t borrowed(const struct vmo *v, size_t index)
{
    for (; v->parent; v = v->parent) {
        index += v->parent_offset;
        paddr_t pa = radix_get(&v->parent->pages, index);
        if (pa)
            return pa;
    }
    return 0;
}

// The page currently backing index without committing anything, or 0 (reads as zeros).
static paddr_t lookup(const struct vmo *v, size_t index)
{
    if (v->flags & VMO_PHYSICAL)
        return v->phys_base + index * PAGE_SIZE;
    paddr_t pa = radix_get(&v->pages, index);
    return pa ? pa : borrowed(v, index);
}

// Reserve what committing the pages of [first, first + n) with no page in out[] takes: need
// data pages, and the page-array nodes they fall in (into pool): all or nothing.
static int reserve(struct vmo *v, size_t first, size_t n, const paddr_t *out, size_t need,
                   struct radix_pool *pool)
{
    size_t lo = 0, hi = n - 1;
    while (out[lo])
        lo++;
    while (out[hi])
        hi--;
    pool->count = 0;
    if (v->pages.levels) {  // (a small VMO's array is whole: no call at all)
        size_t nodes = radix_nodes_needed(&v->pages, first + lo, hi - lo + 1, NULL, NULL);
        int err = radix_pool_fill(pool, nodes, v->budget);
        if (err)
            return err;
    }
    if (budget_charge(v->budget, need)) {
        radix_pool_drain(pool, v->budget);
        return NX_ERR_NO_MEMORY;
    }
    return NX_OK;
}

// Fill out[0..n) with the pages backing [first, first + n) (n <= SPAN_MAX), committing the
// ones that need it: all or nothing.
static int prepare(struct vmo *v, size_t first, size_t n, bool for_write, paddr_t *out)
{
    paddr_t src[SPAN_MAX], fresh[SPAN_MAX];
    size_t need = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = (v->flags & VMO_PHYSICAL) ? lookup(v, first + i)
                                           : radix_get(&v->pages, first + i);
        src[i] = out[i] ? 0 : borrowed(v, first + i);
        if (!out[i] && src[i] && !for_write)
            out[i] = src[i];
        need += !out[i];
    }
    if (need == 0)
        return 0;
    struct radix_pool pool;
    int err = reserve(v, first, n, out, need, &pool);
    if (err)
        return err;
    for (size_t k = 0; k < need; k++) {
        fresh[k] = pmm_alloc();
        if (!fresh[k]) {
            while (k--)
                pmm_free(fresh[k]);
            budget_uncharge(v->budget, need);
            radix_pool_drain(&pool, v->budget);
            return NX_ERR_NO_MEMORY;
        }
    }
    for (size_t i = 0, k = 0; i < n; i++) {
        if (out[i])
            continue;
        out[i] = fresh[k++];
        if (src[i]) {
            memcpy(pa_to_kva(out[i]), pa_to_kva(src[i]), PAGE_SIZE);
            vmo_bytes_copied += PAGE_SIZE;
        }
        *radix_slot(&v->pages, first + i, &pool) = out[i];
        v->committed++;
    }
    if (pool.count)  // (never: the count was exact)
        radix_pool_drain(&pool, v->budget);
    return 0;
}

int vmo_get_page(struct vmo *v, size_t index, bool for_write, paddr_t *out)
{
    if (!v || !out || index >= v->npages)
        return NX_ERR_INVALID;
    if (for_write && vmo_check_write(v))
        return NX_ERR_ACCESS;
    return prepare(v, index, 1, for_write, out);
}

bool vmo_range_ok(const struct vmo *v, size_t offset, size_t len)
{
    size_t size = v->npages * PAGE_SIZE;
    return offset <= size && len <= size - offset;
}

// Check a vmo_read / vmo_write range; on success *first and *n name the pages it spans.
static int check_range(const struct vmo *v, size_t offset, const void *buf, size_t len,
                       size_t *first, size_t *n)
{
    if (!v || (!buf && len))
        return NX_ERR_INVALID;
    if (len > VMO_RW_MAX)
        return NX_ERR_TOO_BIG;
    if (!vmo_range_ok(v, offset, len))
        return NX_ERR_INVALID;
    *first = offset / PAGE_SIZE;
    *n = len ? (offset + len - 1) / PAGE_SIZE - *first + 1 : 0;
    return 0;
}

// Copy len bytes between buf and the VMO at offset through pages[] (0 = a zero page, which
// only a read meets). Serves both directions.
static void copy_span(size_t offset, void *buf, size_t len, const paddr_t *pages, bool to_vmo)
{
    char *p = buf;
    for (size_t i = 0; len; i++) {
        size_t in = offset % PAGE_SIZE, chunk = PAGE_SIZE - in < len ? PAGE_SIZE - in : len;
        char *page = pages[i] ? (char *)pa_to_kva(pages[i]) + in : NULL;
        if (to_vmo)
            memcpy(page, p, chunk);
        else if (page)
            memcpy(p, page, chunk);
        else
            memset(p, 0, chunk);
        p += chunk;
        offset += chunk;
        len -= chunk;
    }
}

int vmo_read(struct vmo *v, size_t offset, void *dst, size_t len)
{
    size_t first, n;
    int err = check_range(v, offset, dst, len, &first, &n);
    if (err)
        return err;
    paddr_t pages[RW_SPAN];
    for (size_t i = 0; i < n; i++)
        pages[i] = lookup(v, first + i);
    copy_span(offset, dst, len, pages, false);
    vmo_bytes_copied += len;
    return 0;
}

int vmo_write(struct vmo *v, size_t offset, const void *src, size_t len)
{
    size_t first, n;
    int err = check_range(v, offset, src, len, &first, &n);
    if (err)
        return err;
    err = vmo_check_write(v);
    if (err)
        return err;
    paddr_t pages[RW_SPAN];
    err = prepare(v, first, n, true, pages);
    if (err)
        return err;
    copy_span(offset, (void *)src, len, pages, true);  // only read from when to_vmo
    vmo_bytes_copied += len;
    return 0;
}

int vmo_commit(struct vmo *v, size_t offset, size_t len)
{
    size_t first, n;
    int err = check_range(v, offset, v, len, &first, &n);  // v: any non-NULL buffer
    if (err)
        return err;
    err = vmo_check_write(v);
    if (err)
        return err;
    paddr_t pages[RW_SPAN];
    return prepare(v, first, n, true, pages);
}

int vmo_seal(struct vmo *v)
{
    if (!v)
        return NX_ERR_INVALID;
    // Anything that could still write the pages behind the kernel's back must go first.
    if (v->writable_maps || (v->flags & VMO_DEVICE_WRITES) || v->paged)
        return NX_ERR_BAD_STATE;
    v->flags |= VMO_SEALED;
    return 0;
}

// Borrowed pages of an unsealed VMO would be replaced by the first write, leaving the device
// on the parent's copy: only a sealed VMO lends them out as they are.
int vmo_dma(struct vmo *v, size_t first, size_t n, bool device_writes, paddr_t *out)
{
    if (!v || !out || n == 0 || n > VMO_DMA_MAX || first > v->npages || n > v->npages - first)
        return NX_ERR_INVALID;
    if (v->flags & VMO_PHYSICAL)
        return NX_ERR_BAD_STATE;
    bool sealed = vmo_sealed(v);
    if (device_writes && sealed)
        return NX_ERR_ACCESS;
    int err = prepare(v, first, n, !sealed, out);
    if (err == NX_OK && device_writes)
        v->flags |= VMO_DEVICE_WRITES;
    return err;
}

int vmo_clone_cow(struct vmo *parent, size_t offset_pages, size_t npages, struct page_budget *b,
                  struct vmo **out)
{
    if (!parent || !b || !out || npages == 0 || offset_pages > parent->npages ||
        npages > parent->npages - offset_pages)
        return NX_ERR_INVALID;
    if (!vmo_sealed(parent) || (parent->flags & VMO_PHYSICAL))
        return NX_ERR_BAD_STATE;
    if (parent->depth + 1 > VMO_MAX_DEPTH)
        return NX_ERR_TOO_BIG;
    int err = alloc_meta(npages, false, b, out);
    if (err)
        return err;
    (*out)->parent = parent;
    (*out)->parent_offset = (uint32_t)offset_pages;
    (*out)->depth = parent->depth + 1;
    parent->refs++;
    return 0;
}

static bool free_page(uint64_t pa, size_t index, void *arg)
{
    (void)index, (void)arg;
    pmm_free(pa);
    return true;
}

// Drop one reference; the last frees v's pages and drops v's reference on its parent
// (a loop, not recursion, so a chain of clones uses no stack).
void vmo_destroy(struct vmo *v)
{
    while (v) {
        if (v->refs == 0)
            panic("vmo: destroying a dead vmo %p", (void *)v);
        if (--v->refs)
            return;
        struct vmo *parent = v->parent;
        struct kobject *owner = v->owner;
        radix_clear(&v->pages, free_page, NULL, v->budget);  // O(nodes); nothing if physical
        if (v->budget)
            budget_uncharge(v->budget, v->committed);
        slab_free(v->budget, v, vmo_meta_bytes(v));
        if (owner)
            kobject_unref(owner);  // the budget may go now
        v = parent;
    }
}

struct dropping {
    struct vmo *v;
    bool (*drop)(size_t index, void *arg);
    void *arg;
};

static bool drop_page(uint64_t pa, size_t index, void *arg)
{
    struct dropping *d = arg;
    if (d->drop && !d->drop(index, d->arg))
        return false;
    pmm_free(pa);
    d->v->committed--;
    budget_uncharge(d->v->budget, 1);
    return true;
}

void vmo_drop_pages(struct vmo *v, size_t first, size_t n, bool (*drop)(size_t index, void *arg),
                    void *arg)
{
    struct dropping d = { v, drop, arg };
    radix_take(&v->pages, first, n, drop_page, &d, v->budget);
}

size_t vmo_committed_pages(const struct vmo *v)
{
    return v ? v->committed : 0;
}

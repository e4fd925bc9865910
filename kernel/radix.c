// Sparse arrays of page-indexed values (see radix.h).
#include "radix.h"
#include <nexus/errors.h>
#include "budget.h"
#include "panic.h"
#include "pmm.h"

#define MASK (RADIX_FANOUT - 1)

// An entry of level > 0: a node's physical address (page-aligned, not 0), or a uniform run:
// its value shifted left by one with bit 0 set (0 for value 0).
static inline bool is_node(uint64_t e) { return e && !(e & 1); }
static inline uint64_t *node_of(uint64_t e) { return pa_to_kva(e); }
static inline uint64_t uniform(uint64_t value) { return value ? value << 1 | 1 : 0; }
static inline uint64_t uniform_value(uint64_t e) { return e >> 1; }
// Values one entry of level l covers.
static inline size_t span(unsigned l) { return (size_t)1 << (RADIX_SHIFT * l); }
static inline size_t min_size(size_t a, size_t b) { return a < b ? a : b; }
static inline size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

size_t radix_shape(size_t size, size_t max, uint32_t *levels)
{
    uint32_t l = 0;
    while ((size + span(l) - 1) / span(l) > max)
        l++;
    *levels = l;
    return (size + span(l) - 1) / span(l);
}

void radix_init(struct radix *r, uint64_t *top, size_t entries, uint32_t levels, uint32_t keep)
{
    if (entries > UINT16_MAX || levels > RADIX_LEVELS_MAX)
        panic("radix: a top of %lu entries over %u levels", (unsigned long)entries, levels);
    r->keep = keep;
    r->top = top;
    r->entries = (uint16_t)entries;
    r->levels = (uint8_t)levels;
    r->leaf_key = 0;
    r->leaf = NULL;
}

// Remember the leaf holding index (the cache is no part of the array's value: see radix.h).
static void cache_leaf(const struct radix *r, size_t index, uint64_t *leaf)
{
    struct radix *cache = (struct radix *)r;
    cache->leaf_key = (uint32_t)(index >> RADIX_SHIFT);
    cache->leaf = leaf;
}

// The leaf node n goes: forget it if cached.
static void forget_leaf(const struct radix *r, const uint64_t *n)
{
    if (r->leaf == n)
        cache_leaf(r, 0, NULL);
}

uint64_t *radix_find_deep(const struct radix *r, size_t index)
{
    unsigned shift = RADIX_SHIFT * r->levels;
    uint64_t *slot = &r->top[index >> shift];
    do {
        if (!is_node(*slot))
            return NULL;
        shift -= RADIX_SHIFT;
        slot = &node_of(*slot)[(index >> shift) & MASK];
    } while (shift);
    cache_leaf(r, index, slot - (index & MASK));
    return slot;
}

uint64_t radix_get_deep(const struct radix *r, size_t index)
{
    unsigned shift = RADIX_SHIFT * r->levels;
    uint64_t e = r->top[index >> shift];
    for (; shift > RADIX_SHIFT; shift -= RADIX_SHIFT) {
        if (!is_node(e))
            return uniform_value(e);
        e = node_of(e)[(index >> (shift - RADIX_SHIFT)) & MASK];
    }
    if (!is_node(e))
        return uniform_value(e);
    cache_leaf(r, index, node_of(e));
    return node_of(e)[index & MASK];
}

uint64_t radix_get_run(const struct radix *r, size_t index, size_t n, size_t *run)
{
    *run = 1;
    if (r->levels == 0)
        return r->top[index];
    const uint64_t *cached = radix_cached(r, index);
    if (cached)
        return *cached;
    unsigned shift = RADIX_SHIFT * r->levels;  // index >> shift: the entry holding index
    uint64_t e = r->top[index >> shift];
    while (is_node(e) && shift > RADIX_SHIFT) {
        shift -= RADIX_SHIFT;
        e = node_of(e)[(index >> shift) & MASK];
    }
    if (!is_node(e)) {
        *run = min_size((((index >> shift) + 1) << shift) - index, n);
        return uniform_value(e);
    }
    cache_leaf(r, index, node_of(e));
    return node_of(e)[index & MASK];
}

// The entries of [first, first + n) if one node (or the top) holds them all, else NULL.
static uint64_t *one_node(const struct radix *r, size_t first, size_t n)
{
    if (n == 0 || (r->levels && first >> RADIX_SHIFT != (first + n - 1) >> RADIX_SHIFT))
        return NULL;
    return radix_find(r, first);
}

// ---- nodes

int radix_pool_fill(struct radix_pool *pool, size_t count, struct page_budget *b)
{
    pool->count = 0;
    if (count == 0)
        return NX_OK;
    if (count > RADIX_POOL_MAX)
        panic("radix: %lu nodes asked for one change", (unsigned long)count);
    if (budget_charge(b, count))
        return NX_ERR_NO_MEMORY;
    for (; pool->count < count; pool->count++) {
        pool->node[pool->count] = pmm_alloc();
        if (!pool->node[pool->count]) {
            radix_pool_drain(pool, NULL);
            budget_uncharge(b, count);
            return NX_ERR_NO_MEMORY;
        }
    }
    return NX_OK;
}

void radix_pool_drain(struct radix_pool *pool, struct page_budget *b)
{
    if (b && pool->count)
        budget_uncharge(b, pool->count);
    while (pool->count)
        pmm_free(pool->node[--pool->count]);
}

// A node of level l - 1 entries for the uniform entry e of level l: all of them e's run.
static uint64_t split(uint64_t e, unsigned l, struct radix_pool *pool)
{
    if (pool->count == 0)
        panic("radix: a split without a node reserved");
    paddr_t pa = pool->node[--pool->count];
    uint64_t *n = node_of(pa), child = l == 1 ? uniform_value(e) : e;
    for (unsigned k = 0; child && k < RADIX_FANOUT; k++)
        n[k] = child;  // (a pmm page comes zeroed)
    return pa;
}

// If the node in *e (level l) is uniform again, free it: *e becomes the run.
static void merge(const struct radix *r, uint64_t *e, unsigned l, struct page_budget *b)
{
    uint64_t *n = node_of(*e), first = n[0];
    if (n[RADIX_FANOUT - 1] != first)
        return;  // the usual case, at the price of two loads
    if (l > 1 ? is_node(first) : (first & r->keep) != 0)
        return;
    for (unsigned k = 1; k < RADIX_FANOUT; k++)
        if (n[k] != first)
            return;
    forget_leaf(r, n);
    pmm_free(*e);
    budget_uncharge(b, 1);
    *e = l == 1 ? uniform(first) : first;
}

uint64_t *radix_slot_deep(struct radix *r, size_t index, struct radix_pool *pool)
{
    unsigned l = r->levels;
    uint64_t *slot = &r->top[index >> (RADIX_SHIFT * l)];
    for (; l > 0; l--) {
        if (!is_node(*slot))
            *slot = split(*slot, l, pool);
        slot = &node_of(*slot)[(index >> (RADIX_SHIFT * (l - 1))) & MASK];
    }
    cache_leaf(r, index, slot - (index & MASK));
    return slot;
}

// ---- walks over a range [first, end)
//
// Each works on one entry e of level l covering [base, base + span(l)) and recurses into the
// entries of its node that the range covers: at most two of them (its ends) partly.

struct range {
    const struct radix *r;
    size_t first, end;
    radix_fn *fn;
    const void *arg;
};

// The children of an entry of level l > 0 at base that the range covers: [*lo, *hi].
static void children(const struct range *rg, unsigned l, size_t base, size_t *lo, size_t *hi)
{
    size_t s = span(l - 1);
    *lo = (max_size(rg->first, base) - base) / s;
    *hi = (min_size(rg->end, base + span(l)) - 1 - base) / s;
}

static bool covers(const struct range *rg, unsigned l, size_t base)
{
    return rg->fn && rg->first <= base && base + span(l) <= rg->end;
}

static size_t needed(uint64_t e, unsigned l, size_t base, const struct range *rg)
{
    if (l == 0 || covers(rg, l, base))
        return 0;  // a value, or a run that changes as one
    size_t cost = 0;
    if (!is_node(e)) {
        if (rg->fn && rg->fn(uniform_value(e), rg->arg) == uniform_value(e))
            return 0;
        cost = 1;
    }
    size_t lo, hi;
    children(rg, l, base, &lo, &hi);
    uint64_t c_lo = is_node(e) ? node_of(e)[lo] : e, c_hi = is_node(e) ? node_of(e)[hi] : e;
    cost += needed(c_lo, l - 1, base + lo * span(l - 1), rg);
    if (hi != lo)
        cost += needed(c_hi, l - 1, base + hi * span(l - 1), rg);
    return cost;
}

size_t radix_nodes_needed(const struct radix *r, size_t first, size_t n, radix_fn *fn,
                          const void *arg)
{
    if (r->levels == 0 || n == 0 || one_node(r, first, n))
        return 0;
    struct range rg = { r, first, first + n, fn, arg };
    size_t s = span(r->levels), lo = first / s, hi = (first + n - 1) / s;
    size_t cost = needed(r->top[lo], r->levels, lo * s, &rg);
    return hi != lo ? cost + needed(r->top[hi], r->levels, hi * s, &rg) : cost;
}

static void update(uint64_t *e, unsigned l, size_t base, const struct range *rg,
                   struct radix_pool *pool, struct page_budget *b)
{
    if (l == 0) {
        *e = rg->fn(*e, rg->arg);
        return;
    }
    if (!is_node(*e)) {
        uint64_t value = uniform_value(*e), now = rg->fn(value, rg->arg);
        if (now == value)
            return;
        if (covers(rg, l, base)) {
            *e = uniform(now);
            return;
        }
        *e = split(*e, l, pool);
    }
    size_t lo, hi;
    children(rg, l, base, &lo, &hi);
    for (size_t k = lo; k <= hi; k++)
        update(&node_of(*e)[k], l - 1, base + k * span(l - 1), rg, pool, b);
    merge(rg->r, e, l, b);
}

// Merge the nodes above index that its node's change may have made uniform (bottom up).
static void merge_above(struct radix *r, size_t index, struct page_budget *b)
{
    uint64_t *path[RADIX_LEVELS_MAX + 1];
    unsigned l = r->levels;
    path[l] = &r->top[index >> (RADIX_SHIFT * l)];
    for (; l > 1; l--)
        path[l - 1] = &node_of(*path[l])[(index >> (RADIX_SHIFT * (l - 1))) & MASK];
    for (l = 1; l <= r->levels && is_node(*path[l]); l++)
        merge(r, path[l], l, b);
}

// The usual small change, of values one node holds: no walk, and no merge unless the node's
// ends agree.
static void update_values(struct radix *r, uint64_t *values, size_t first, size_t n,
                          radix_fn *fn, const void *arg, struct page_budget *b)
{
    for (size_t i = 0; i < n; i++)
        values[i] = fn(values[i], arg);
    if (r->levels == 0)
        return;
    uint64_t *leaf = values - (first & MASK);
    if (leaf[0] == leaf[MASK])
        merge_above(r, first, b);
}

void radix_update(struct radix *r, size_t first, size_t n, radix_fn *fn, const void *arg,
                  struct radix_pool *pool, struct page_budget *b)
{
    uint64_t *values = one_node(r, first, n);
    if (values) {
        update_values(r, values, first, n, fn, arg, b);
        return;
    }
    struct range rg = { r, first, first + n, fn, arg };
    size_t s = span(r->levels);
    for (size_t k = first / s; n && k <= (first + n - 1) / s; k++)
        update(&r->top[k], r->levels, k * s, &rg, pool, b);
}

int radix_change(struct radix *r, size_t first, size_t n, radix_fn *fn, const void *arg,
                 struct page_budget *b)
{
    uint64_t *values = one_node(r, first, n);
    if (values) {
        update_values(r, values, first, n, fn, arg, b);
        return NX_OK;
    }
    struct radix_pool pool;
    int err = radix_pool_fill(&pool, radix_nodes_needed(r, first, n, fn, arg), b);
    if (err)
        return err;
    radix_update(r, first, n, fn, arg, &pool, b);
    radix_pool_drain(&pool, b);
    return NX_OK;
}

struct taking {
    radix_take_fn *take;
    void *arg;
    struct page_budget *b;
    bool clear;  // every node goes, whatever take says
};

// Offer the values [lo, hi] of a leaf (or of a top holding values) at base.
static void take_values(uint64_t *values, size_t lo, size_t hi, size_t base,
                        const struct taking *t)
{
    for (size_t k = lo; k <= hi; k++)
        if (values[k] && t->take && t->take(values[k], base + k, t->arg))
            values[k] = 0;
}

static void take(uint64_t *e, unsigned l, size_t base, const struct range *rg,
                 const struct taking *t)
{
    if (!is_node(*e))
        return;
    size_t lo, hi;
    children(rg, l, base, &lo, &hi);
    if (l == 1)
        take_values(node_of(*e), lo, hi, base, t);
    for (size_t k = lo; l > 1 && k <= hi; k++)
        take(&node_of(*e)[k], l - 1, base + k * span(l - 1), rg, t);
    if (!t->clear) {
        merge(rg->r, e, l, t->b);
    } else {
        forget_leaf(rg->r, node_of(*e));
        pmm_free(*e);
        budget_uncharge(t->b, 1);
        *e = 0;
    }
}

static void take_range(struct radix *r, size_t first, size_t n, const struct taking *t)
{
    if (r->levels == 0) {
        if (n)
            take_values(r->top, first, first + n - 1, 0, t);
        return;
    }
    struct range rg = { r, first, first + n, NULL, NULL };
    size_t s = span(r->levels);
    for (size_t k = first / s; n && k <= (first + n - 1) / s; k++)
        take(&r->top[k], r->levels, k * s, &rg, t);
}

void radix_take(struct radix *r, size_t first, size_t n, radix_take_fn *fn, void *arg,
                struct page_budget *b)
{
    take_range(r, first, n, &(struct taking){ fn, arg, b, false });
}

void radix_clear(struct radix *r, radix_take_fn *fn, void *arg, struct page_budget *b)
{
    take_range(r, 0, radix_capacity(r), &(struct taking){ fn, arg, b, true });
}

// Visit the values [lo, hi] of a leaf (or of a top holding values) at base, equal
// neighbours as one run.
static bool visit_values(const uint64_t *values, size_t lo, size_t hi, size_t base,
                         radix_visit_fn *fn, void *arg)
{
    for (size_t k = lo, run; k <= hi; k += run) {
        for (run = 1; k + run <= hi && values[k + run] == values[k]; run++)
            ;
        if (!fn(values[k], base + k, run, arg))
            return false;
    }
    return true;
}

static bool visit(uint64_t e, unsigned l, size_t base, const struct range *rg,
                  radix_visit_fn *fn, void *arg)
{
    size_t lo, hi;
    if (!is_node(e)) {
        lo = max_size(rg->first, base);
        hi = min_size(rg->end, base + span(l));
        return fn(uniform_value(e), lo, hi - lo, arg);
    }
    children(rg, l, base, &lo, &hi);
    if (l == 1)
        return visit_values(node_of(e), lo, hi, base, fn, arg);
    for (size_t k = lo; k <= hi; k++)
        if (!visit(node_of(e)[k], l - 1, base + k * span(l - 1), rg, fn, arg))
            return false;
    return true;
}

bool radix_visit(const struct radix *r, size_t first, size_t n, radix_visit_fn *fn, void *arg)
{
    if (n && r->levels == 0)
        return visit_values(r->top, first, first + n - 1, 0, fn, arg);
    struct range rg = { r, first, first + n, NULL, NULL };
    size_t s = span(r->levels);
    for (size_t k = first / s; n && k <= (first + n - 1) / s; k++)
        if (!visit(r->top[k], r->levels, k * s, &rg, fn, arg))
            return false;
    return true;
}

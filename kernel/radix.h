#pragma once
// Sparse arrays of 64-bit values indexed by page number: a VMO's pages (vmo.c) and a paged
// VMO's per-page state (pager.c).
//
// A tree of 4 KiB nodes of RADIX_FANOUT entries each, under a top node that its owner keeps
// inline in its own object (radix_shape sizes it: at most `max` entries). A level-0 entry is
// a value; an entry of level l > 0 holds a node of level l - 1 entries, or is "uniform": every
// value below it is the same (0: the common case, nothing there). So an array pays for nodes
// only where its values differ from their neighbours': a node appears when a value changes
// inside a uniform run, and goes when its values are one run again (radix_update and
// radix_take merge them back). An array the top holds whole (size <= max) has no node and no
// indirection at all.
//
// Nodes are pmm pages charged to the owner's page budget. A change that may add nodes is made
// in steps so that it is all or nothing: radix_nodes_needed, then radix_pool_fill (charge and
// allocate them, or fail with nothing changed), then the change, which takes its nodes from
// the pool and cannot fail, then radix_pool_drain.
//
// Values must be below 2^63 (a uniform entry keeps one shifted by a bit). No locking.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/riscv/memlayout.h"

struct page_budget;

#define RADIX_SHIFT 9
#define RADIX_FANOUT (1u << RADIX_SHIFT)  // entries per 4 KiB node
#define RADIX_LEVELS_MAX 2                // node levels below the top, for the sizes used
#define RADIX_POOL_MAX (2 * RADIX_LEVELS_MAX)  // nodes one change adds at most (at its two ends)

struct radix {
    uint64_t *top;     // the top node, in the owner's object
    uint16_t entries;  // of the top
    uint8_t levels;    // node levels below the top: 0: the top holds the values
    uint32_t keep;     // values with any of these bits never merge into a uniform run
                       // (a change that sets a whole run to one keeps it a run, though)
    // The leaf the last walk ended in (NULL: none), holding the values of the indices whose
    // index >> RADIX_SHIFT is leaf_key: a cache that takes the walk off sequential lookups.
    // Not part of the array's value: lookups through a const array set it too.
    uint32_t leaf_key;
    uint64_t *leaf;
};

struct radix_pool {
    unsigned count;
    paddr_t node[RADIX_POOL_MAX];
};

// The new value of one (pure: the same value gives the same result).
typedef uint64_t radix_fn(uint64_t value, const void *arg);
// A run of n values equal to value from first: go on?
typedef bool radix_visit_fn(uint64_t value, size_t first, size_t n, void *arg);
// Value at index, not 0: set it to 0? (The callee frees what it named.)
typedef bool radix_take_fn(uint64_t value, size_t index, void *arg);

// Top entries (and *levels) for an array of size values whose top holds at most max (>= 1).
size_t radix_shape(size_t size, size_t max, uint32_t *levels);
// An empty array over top (entries long, zeroed by the caller) with those levels, whose
// values with a bit of keep stay in nodes (a change to them then never needs a node).
void radix_init(struct radix *r, uint64_t *top, size_t entries, uint32_t levels, uint32_t keep);

// Values the top covers (>= the size asked of radix_shape): a change of a range that ends at
// the size may as well end here, which keeps a last run whole.
static inline size_t radix_capacity(const struct radix *r)
{
    return (size_t)r->entries << (RADIX_SHIFT * r->levels);
}

// The entry of index in the cached leaf, or NULL.
static inline uint64_t *radix_cached(const struct radix *r, size_t index)
{
    return r->leaf && index >> RADIX_SHIFT == r->leaf_key
               ? &r->leaf[index & (RADIX_FANOUT - 1)] : NULL;
}

uint64_t radix_get_deep(const struct radix *r, size_t index);
static inline uint64_t radix_get(const struct radix *r, size_t index)
{
    if (r->levels == 0)
        return r->top[index];
    const uint64_t *e = radix_cached(r, index);
    return e ? *e : radix_get_deep(r, index);
}
// The value at index, and in *run how many values from index on (at most n >= 1, at least
// 1) are known to equal it without a look at each: the rest of the uniform run holding index
// (clipped to n), else 1. (A reader of long runs, aspace.c's fault-around, takes them whole.)
uint64_t radix_get_run(const struct radix *r, size_t index, size_t n, size_t *run);
uint64_t *radix_find_deep(const struct radix *r, size_t index);
// The entry of index if a node (or the top) holds it, else NULL (inside a uniform run). A
// node a value set through it makes uniform stays until a radix_update or radix_take over it.
static inline uint64_t *radix_find(const struct radix *r, size_t index)
{
    if (r->levels == 0)
        return &r->top[index];
    uint64_t *e = radix_cached(r, index);
    return e ? e : radix_find_deep(r, index);
}

// Nodes radix_update(r, first, n, fn, arg) adds; fn NULL: nodes radix_slot adds for every
// index of the range, n <= RADIX_FANOUT.
size_t radix_nodes_needed(const struct radix *r, size_t first, size_t n, radix_fn *fn,
                          const void *arg);
// count (<= RADIX_POOL_MAX) nodes charged to b: NX_ERR_NO_MEMORY with nothing changed.
int radix_pool_fill(struct radix_pool *pool, size_t count, struct page_budget *b);
// Give back (and uncharge) the nodes not used.
void radix_pool_drain(struct radix_pool *pool, struct page_budget *b);

uint64_t *radix_slot_deep(struct radix *r, size_t index, struct radix_pool *pool);
// The entry of index, made with nodes from pool (enough: radix_nodes_needed).
static inline uint64_t *radix_slot(struct radix *r, size_t index, struct radix_pool *pool)
{
    return r->levels ? radix_slot_deep(r, index, pool) : &r->top[index];
}
// value = fn(value) for every index of [first, first + n): fn is called once for a uniform
// run. Nodes from pool (enough: radix_nodes_needed); nodes left uniform are freed to b.
void radix_update(struct radix *r, size_t first, size_t n, radix_fn *fn, const void *arg,
                  struct radix_pool *pool, struct page_budget *b);
// All three steps (nodes_needed, pool_fill, update): NX_ERR_NO_MEMORY with nothing changed.
int radix_change(struct radix *r, size_t first, size_t n, radix_fn *fn, const void *arg,
                 struct page_budget *b);
// Offer take each value not 0 held by a node (or the top) in [first, first + n); set those it
// takes to 0 and free nodes left uniform to b.
void radix_take(struct radix *r, size_t first, size_t n, radix_take_fn *take, void *arg,
                struct page_budget *b);
// Call visit on the runs of equal values of [first, first + n) in order until it returns
// false; returns false then. (A run may be cut where nodes meet.)
bool radix_visit(const struct radix *r, size_t first, size_t n, radix_visit_fn *visit,
                 void *arg);
// Free every node to b, first offering each value not 0 held by one to take (NULL: none).
void radix_clear(struct radix *r, radix_take_fn *take, void *arg, struct page_budget *b);

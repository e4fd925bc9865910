// Pagers and their paged VMOs (see pager.h): per-page state, the request queue, waiting.
#include "pager.h"
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "aspace.h"
#include "clock.h"
#include "lib/string.h"
#include "notification.h"
#include "process.h"
#include "radix.h"
#include "sched.h"
#include "slab.h"
#include "thread.h"
#include "vmo.h"

// Per-page state of a paged VMO. A failed page keeps its error's magnitude in the high byte.
#define PG_REQUESTED 1u  // a request for it is queued or with the pager
#define PG_READY 2u      // supplied: clients may see it
#define PG_DIRTY 4u      // written since the last pager_dirty
#define PG_ACCESSED 8u   // touched since the last pager_accessed (then it has no page-table entry)
#define PG_FAILED 16u    // pager_fail: touches fail with the error
#define PG_ERROR_SHIFT 8
#define PG_ERROR_MASK 0xffu
// How many vmo_dma ranges a device holds on the page and has not released (never decommitted
// while any): a count, as two requests of a driver may share a page.
#define PG_PIN_SHIFT 16
#define PG_PIN_ONE (1u << PG_PIN_SHIFT)
#define PG_PINNED (0xffffu << PG_PIN_SHIFT)

// A VMO's paging state, allocated with it (charged to the same budget) and freed with it.
struct paged {
    struct vmo *vmo;
    struct pager *pager;               // a reference
    struct paged *next, *prev;         // in pager->vmos
    uint64_t key;
    struct waitq waiters;              // threads waiting for any of its pages
    struct process *mappers[PAGER_MAX_MAPPERS];
    size_t bytes;                      // of this allocation
    struct radix state;                // PG_* per page: sparse, like the VMO's pages (radix.h)
    uint64_t top[];                    // state's top node
};
_Static_assert(VMO_DMA_MAX < RADIX_FANOUT, "a pin range is never a whole run");

// Most entries of top[]: the paging state's metadata stays one slab object.
#define PAGED_TOP_MAX ((SLAB_MAX_OBJECT - sizeof(struct paged)) / sizeof(uint64_t))

// ---- per-page state

static inline uint32_t state_of(const struct paged *pd, size_t index)
{
    return (uint32_t)radix_get(&pd->state, index);
}

// What the state changes are (radix_fn: the new state of one page).
static uint64_t set_bits(uint64_t s, const void *bits) { return s | *(const uint32_t *)bits; }
static uint64_t clear_bits(uint64_t s, const void *bits) { return s & ~*(const uint32_t *)bits; }
static uint64_t add_pins(uint64_t s, const void *pins)
{
    return (uint32_t)(s + (uint32_t)(*(const int *)pins * (int)PG_PIN_ONE));
}
static uint64_t supplied(uint64_t s, const void *unused)
{
    (void)unused;
    return PG_READY | (s & (PG_DIRTY | PG_ACCESSED | PG_PINNED));
}
static uint64_t failed(uint64_t s, const void *error)
{
    return PG_FAILED | (s & PG_PINNED) | (uint32_t)-*(const int *)error << PG_ERROR_SHIFT;
}
static uint64_t decommitted(uint64_t s, const void *unused)
{
    (void)unused;
    return s & PG_REQUESTED;  // a pending request stays the pager's to answer
}

// n, or what is left of the state array from first if the range reaches the VMO's end: a
// change up to the end then keeps the last run whole (radix_capacity).
static size_t to_end(const struct paged *pd, size_t first, size_t n)
{
    return first + n == pd->vmo->npages ? radix_capacity(&pd->state) - first : n;
}

// Reserve the state-array nodes that changing [first, first + n) by fn needs (into pool):
// NX_ERR_NO_MEMORY (nothing changed) when the VMO's budget cannot pay for them.
static int reserve(struct paged *pd, size_t first, size_t n, radix_fn *fn, const void *arg,
                   struct radix_pool *pool)
{
    size_t nodes = radix_nodes_needed(&pd->state, first, to_end(pd, first, n), fn, arg);
    return radix_pool_fill(pool, nodes, pd->vmo->budget);
}

// Make that change with the nodes reserved.
static void apply(struct paged *pd, size_t first, size_t n, radix_fn *fn, const void *arg,
                  struct radix_pool *pool)
{
    radix_update(&pd->state, first, to_end(pd, first, n), fn, arg, pool, pd->vmo->budget);
    radix_pool_drain(pool, pd->vmo->budget);
}

// Both: NX_ERR_NO_MEMORY, or changed.
static int change(struct paged *pd, size_t first, size_t n, radix_fn *fn, const void *arg)
{
    return radix_change(&pd->state, first, to_end(pd, first, n), fn, arg, pd->vmo->budget);
}

// Set bits on page index, whose state is *slot (radix_find) or in a run (slot NULL, then a
// node may be needed).
static int mark(struct paged *pd, uint64_t *slot, size_t index, uint32_t bits)
{
    if (!slot)
        return change(pd, index, 1, set_bits, &bits);
    *slot |= bits;
    return NX_OK;
}

static void (*vmo_release)(struct kobject *obj);  // vmo.c's destroy, which paged_release ends with

// ---- the request queue

static int queue_request(struct pager *pg, struct paged *pd, uint64_t *slot, size_t index)
{
    struct pager_request *last = pg->count ? &pg->queue[pg->count - 1] : NULL;
    bool extend = last && last->vmo == pd && last->first + last->count == index;
    if (!extend && pg->count == PAGER_QUEUE_MAX)
        return NX_ERR_NO_SPACE;
    int err = mark(pd, slot, index, PG_REQUESTED);
    if (err)
        return err;
    if (extend)
        last->count++;
    else
        pg->queue[pg->count++] = (struct pager_request){ .vmo = pd, .first = index, .count = 1 };
    notification_signal(pg->notif, pg->bits);
    return NX_OK;
}

// Remove the queued requests of pd (it is going away).
static void drop_requests(struct pager *pg, struct paged *pd)
{
    uint32_t kept = 0;
    for (uint32_t i = 0; i < pg->count; i++)
        if (pg->queue[i].vmo != pd)
            pg->queue[kept++] = pg->queue[i];
    pg->count = kept;
}

int pager_next(struct pager *pg, uint64_t *key, uint64_t *offset, uint64_t *length)
{
    if (pg->count == 0)
        return NX_ERR_NOT_FOUND;
    struct pager_request r = pg->queue[0];
    memmove(&pg->queue[0], &pg->queue[1], --pg->count * sizeof(pg->queue[0]));
    *key = r.vmo->key;
    *offset = r.first * PAGE_SIZE;
    *length = r.count * PAGE_SIZE;
    return NX_OK;
}

// ---- waiting

// Each wait holds a reference on the VMO, dropped by whoever ends it (here, or leave_wait):
// the thread never touches the VMO after waking, so it may be gone by then.
static void wake_all(struct paged *pd, long result)
{
    struct vmo *v = pd->vmo;
    uint32_t woken = 0;
    struct thread *t;
    while ((t = waitq_pop(&pd->waiters)) != NULL) {
        sched_wake(t, result);
        woken++;
    }
    while (woken--)
        kobject_unref(&v->obj);  // the last may free v (and pd)
}

// Deadline passed or thread killed: leave the queue and drop the reference the wait held.
static void leave_wait(struct thread *t)
{
    struct paged *pd = (struct paged *)((char *)t->wait_queue - offsetof(struct paged, waiters));
    waitq_remove(t->wait_queue, t);
    kobject_unref(&pd->vmo->obj);
}

// pager_touch, and whether the page is dirty once ready (into *dirty).
static int touch(struct vmo *v, size_t index, bool write, bool *dirty)
{
    struct paged *pd = v->paged;
    uint64_t *slot = radix_find(&pd->state, index);
    uint32_t s = slot ? (uint32_t)*slot : state_of(pd, index);
    if (s & PG_READY) {
        uint32_t bits = PG_ACCESSED | (write ? PG_DIRTY : 0);
        *dirty = write || (s & PG_DIRTY);
        return (s & bits) == bits ? NX_OK : mark(pd, slot, index, bits);
    }
    if (s & PG_FAILED)
        return -(int)((s >> PG_ERROR_SHIFT) & PG_ERROR_MASK);
    if (pd->pager->dead)
        return NX_ERR_PEER_CLOSED;
    if (s & PG_REQUESTED)
        return PAGER_WAIT;
    int err = queue_request(pd->pager, pd, slot, index);
    return err ? err : PAGER_WAIT;
}

size_t pager_peek_run(struct vmo *v, size_t index, size_t n, bool *dirty)
{
    const uint32_t mappable = PG_READY | PG_ACCESSED;
    size_t count = 0, run;
    for (; count < n; count += run) {
        uint32_t s = (uint32_t)radix_get_run(&v->paged->state, index + count, n - count, &run);
        bool written = s & PG_DIRTY;
        if ((s & mappable) != mappable || (count && written != *dirty))
            break;
        *dirty = written;
    }
    return count;
}

int pager_touch(struct vmo *v, size_t index, bool write)
{
    bool dirty;
    return touch(v, index, write, &dirty);
}

int pager_await(struct vmo *v, size_t index, bool write, bool *dirty)
{
    int r = touch(v, index, write, dirty);
    if (r != PAGER_WAIT)
        return r;
    // The wait holds a reference (see wake_all): the VMO outlives it even if every handle
    // and mapping goes meanwhile.
    struct thread *self = current_thread;
    kobject_ref(&v->obj);
    waitq_push(&v->paged->waiters, self);
    self->wait_queue = &v->paged->waiters;
    long result = sched_block(clock_now() + PAGER_WAIT_NS, leave_wait);
    return result == NX_OK ? PAGER_RETRY : (int)result;
}

// ---- the pager's operations

int pager_supply(struct vmo *v, size_t first, size_t n)
{
    int err = change(v->paged, first, n, supplied, NULL);
    if (!err)
        wake_all(v->paged, NX_OK);
    return err;
}

// Remove the page-table entries of pages [first, first + n) of v in every process mapping it.
static void invalidate(struct paged *pd, size_t first, size_t n)
{
    for (unsigned i = 0; i < PAGER_MAX_MAPPERS; i++)
        if (pd->mappers[i])
            aspace_invalidate(pd->mappers[i], pd->vmo, first, n);
}

// vmo_drop_pages: is page index not pinned?
static bool unpinned(size_t index, void *pd)
{
    return !(state_of(pd, index) & PG_PINNED);
}

int pager_fail(struct vmo *v, size_t first, size_t n, int error)
{
    struct paged *pd = v->paged;
    struct radix_pool pool;
    int err = reserve(pd, first, n, failed, &error, &pool);
    if (err)
        return err;
    invalidate(pd, first, n);
    vmo_drop_pages(v, first, n, unpinned, pd);  // a device may still use a pinned one
    apply(pd, first, n, failed, &error, &pool);
    wake_all(pd, NX_OK);  // they retry and meet the error (others wait on)
    return NX_OK;
}

// radix_visit: does no page of the run have a flag of *flags?
static bool none_has(uint64_t s, size_t first, size_t n, void *flags)
{
    (void)first, (void)n;
    return !(s & *(uint32_t *)flags);
}

int pager_decommit(struct vmo *v, size_t first, size_t n)
{
    struct paged *pd = v->paged;
    uint32_t held = PG_DIRTY | PG_PINNED;
    if (!radix_visit(&pd->state, first, n, none_has, &held))
        return NX_ERR_BAD_STATE;
    struct radix_pool pool;
    int err = reserve(pd, first, n, decommitted, NULL, &pool);
    if (err)
        return err;
    invalidate(pd, first, n);
    vmo_drop_pages(v, first, n, NULL, NULL);
    apply(pd, first, n, decommitted, NULL, &pool);
    return NX_OK;
}

struct report {
    uint32_t flag;
    size_t first;      // of the range: bit 0 of bitmap
    uint8_t *bitmap;
    long count;
};

// radix_visit: report the run if it has the flag.
static bool report_run(uint64_t s, size_t first, size_t n, void *arg)
{
    struct report *r = arg;
    if (!(s & r->flag))
        return true;
    for (size_t i = first - r->first; i < first - r->first + n; i++)
        r->bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
    r->count += (long)n;
    return true;
}

// Set bit i of bitmap for each page first + i with flag, clear flag and remove the pages'
// entries in every mapping (so the next touch, or write, faults and sets it again).
static long report(struct paged *pd, size_t first, size_t n, uint32_t flag, uint8_t *bitmap)
{
    struct report r = { flag, first, bitmap, 0 };
    radix_visit(&pd->state, first, n, report_run, &r);
    if (r.count == 0)
        return 0;
    int err = change(pd, first, n, clear_bits, &flag);
    if (err)
        return err;
    invalidate(pd, first, n);
    return r.count;
}

long pager_dirty(struct vmo *v, size_t first, size_t n, uint8_t *bitmap)
{
    return report(v->paged, first, n, PG_DIRTY, bitmap);
}

long pager_accessed(struct vmo *v, size_t first, size_t n, uint8_t *bitmap)
{
    return report(v->paged, first, n, PG_ACCESSED, bitmap);
}

// radix_visit: may every page of the run take one more pin (*room), or lose one (!*room)?
static bool pins_ok(uint64_t s, size_t first, size_t n, void *room)
{
    (void)first, (void)n;
    uint32_t pins = (uint32_t)s & PG_PINNED;
    return *(bool *)room ? pins != PG_PINNED : pins != 0;
}

// Add delta (1 or -1) pins to each page of the range, if every page allows it.
static int pin(struct vmo *v, size_t first, size_t n, int delta)
{
    bool room = delta > 0;
    if (!radix_visit(&v->paged->state, first, n, pins_ok, &room))
        return NX_ERR_BAD_STATE;
    return change(v->paged, first, n, add_pins, &delta);
}

int pager_pin(struct vmo *v, size_t first, size_t n)
{
    return pin(v, first, n, 1);
}

int pager_unpin(struct vmo *v, size_t first, size_t n)
{
    return pin(v, first, n, -1);
}

// ---- mappers

int pager_mapper_add(struct vmo *v, struct process *p)
{
    struct process **free_slot = NULL;
    for (unsigned i = 0; i < PAGER_MAX_MAPPERS; i++) {
        if (v->paged->mappers[i] == p)
            return NX_OK;
        if (!v->paged->mappers[i] && !free_slot)
            free_slot = &v->paged->mappers[i];
    }
    if (!free_slot)
        return NX_ERR_NO_SPACE;
    *free_slot = p;
    return NX_OK;
}

void pager_mapper_remove(struct vmo *v, struct process *p)
{
    for (unsigned i = 0; i < PAGER_MAX_MAPPERS; i++)
        if (v->paged->mappers[i] == p)
            v->paged->mappers[i] = NULL;
}

// ---- lifetimes

// The last reference to a paged VMO: no thread waits on it (each wait holds one) and no
// process maps it (each mapping holds one).
static void paged_release(struct kobject *obj)
{
    struct vmo *v = (struct vmo *)obj;  // the kobject comes first
    struct paged *pd = v->paged;
    struct pager *pg = pd->pager;
    drop_requests(pg, pd);
    radix_clear(&pd->state, NULL, NULL, v->budget);
    if (pd->prev)
        pd->prev->next = pd->next;
    else
        pg->vmos = pd->next;
    if (pd->next)
        pd->next->prev = pd->prev;
    slab_free(v->budget, pd, pd->bytes);
    v->paged = NULL;
    vmo_release(obj);
    kobject_unref(&pg->obj);
}

int pager_vmo_create(struct pager *pg, size_t size, uint64_t key, struct page_budget *b,
                     struct vmo **out)
{
    if (pg->dead)
        return NX_ERR_BAD_STATE;
    struct vmo *v;
    int err = vmo_create(size, b, &v);
    if (err)
        return err;
    uint32_t levels;
    size_t top = radix_shape(v->npages, PAGED_TOP_MAX, &levels);
    size_t bytes = sizeof(struct paged) + top * sizeof(uint64_t);
    struct paged *pd = slab_alloc(b, bytes);
    if (!pd) {
        kobject_unref(&v->obj);
        return NX_ERR_NO_MEMORY;
    }
    memset(pd, 0, bytes);
    // Unpinning never needs a node: pins come in ranges of at most VMO_DMA_MAX pages, never a
    // whole run, and pinned states never merge into one.
    radix_init(&pd->state, pd->top, top, levels, PG_PINNED);
    pd->vmo = v;
    pd->bytes = bytes;
    pd->key = key;
    kobject_ref(&pg->obj);
    pd->pager = pg;
    pd->next = pg->vmos;
    if (pg->vmos)
        pg->vmos->prev = pd;
    pg->vmos = pd;
    v->paged = pd;
    vmo_release = v->obj.destroy;
    v->obj.destroy = paged_release;
    *out = v;
    return NX_OK;
}

// No pager handle left: nothing will answer, so every waiter and every later touch of a page
// not ready fails.
static void pager_last_handle(struct kobject *obj)
{
    struct pager *pg = (struct pager *)obj;
    pg->dead = true;
    pg->count = 0;
    for (struct paged *pd = pg->vmos, *next; pd; pd = next) {
        next = pd->next;  // waking may free pd
        wake_all(pd, NX_ERR_PEER_CLOSED);
    }
}

static void pager_destroy(struct kobject *obj)
{
    struct pager *pg = (struct pager *)obj;
    kobject_unref(&pg->notif->obj);
    process_free_object(pg->owner, pg, sizeof(*pg));
}

int pager_create(struct process *owner, struct notification *n, uint64_t bits,
                 struct pager **out)
{
    struct pager *pg = process_alloc_object(owner, sizeof(*pg));
    if (!pg)
        return NX_ERR_NO_MEMORY;
    kobject_init(&pg->obj, NX_OBJ_PAGER, pager_destroy);
    pg->owner = owner;
    kobject_ref(&n->obj);
    pg->notif = n;
    pg->bits = bits;
    *out = pg;
    return NX_OK;
}

void pager_init(void)
{
    kobject_set_last_handle_hook(NX_OBJ_PAGER, pager_last_handle);
}

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
    uint32_t state[];                  // PG_* per page
};

static void (*vmo_release)(struct kobject *obj);  // vmo.c's destroy, which paged_release ends with

// ---- the request queue

static int queue_request(struct pager *pg, struct paged *pd, size_t index)
{
    struct pager_request *last = pg->count ? &pg->queue[pg->count - 1] : NULL;
    if (last && last->vmo == pd && last->first + last->count == index) {
        last->count++;
    } else {
        if (pg->count == PAGER_QUEUE_MAX)
            return NX_ERR_NO_SPACE;
        pg->queue[pg->count++] = (struct pager_request){ .vmo = pd, .first = index, .count = 1 };
    }
    pd->state[index] |= PG_REQUESTED;
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

int pager_touch(struct vmo *v, size_t index, bool write)
{
    struct paged *pd = v->paged;
    uint32_t s = pd->state[index];
    if (s & PG_READY) {
        pd->state[index] |= PG_ACCESSED | (write ? PG_DIRTY : 0);
        return NX_OK;
    }
    if (s & PG_FAILED)
        return -(int)((s >> PG_ERROR_SHIFT) & PG_ERROR_MASK);
    if (pd->pager->dead)
        return NX_ERR_PEER_CLOSED;
    if (s & PG_REQUESTED)
        return PAGER_WAIT;
    int err = queue_request(pd->pager, pd, index);
    return err ? err : PAGER_WAIT;
}

int pager_await(struct vmo *v, size_t index, bool write)
{
    int r = pager_touch(v, index, write);
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

bool pager_page_dirty(const struct vmo *v, size_t index)
{
    return v->paged && (v->paged->state[index] & PG_DIRTY);
}

// ---- the pager's operations

void pager_supply(struct vmo *v, size_t first, size_t n)
{
    for (size_t i = first; i < first + n; i++)
        v->paged->state[i] = PG_READY |
                             (v->paged->state[i] & (PG_DIRTY | PG_ACCESSED | PG_PINNED));
    wake_all(v->paged, NX_OK);
}

// Remove the page-table entries of pages [first, first + n) of v in every process mapping it.
static void invalidate(struct paged *pd, size_t first, size_t n)
{
    for (unsigned i = 0; i < PAGER_MAX_MAPPERS; i++)
        if (pd->mappers[i])
            aspace_invalidate(pd->mappers[i], pd->vmo, first, n);
}

void pager_fail(struct vmo *v, size_t first, size_t n, int error)
{
    struct paged *pd = v->paged;
    invalidate(pd, first, n);
    for (size_t i = first; i < first + n; i++) {
        if (!(pd->state[i] & PG_PINNED))  // a device may still use a pinned one
            vmo_drop_page(v, i);
        pd->state[i] = PG_FAILED | (pd->state[i] & PG_PINNED) |
                       (unsigned)-error << PG_ERROR_SHIFT;
    }
    wake_all(pd, NX_OK);  // they retry and meet the error (others wait on)
}

int pager_decommit(struct vmo *v, size_t first, size_t n)
{
    struct paged *pd = v->paged;
    for (size_t i = first; i < first + n; i++)
        if (pd->state[i] & (PG_DIRTY | PG_PINNED))
            return NX_ERR_BAD_STATE;
    invalidate(pd, first, n);
    for (size_t i = first; i < first + n; i++) {
        vmo_drop_page(v, i);
        pd->state[i] &= PG_REQUESTED;  // a pending request stays the pager's to answer
    }
    return NX_OK;
}

// Set bit i of bitmap for each page first + i with flag, clear flag and remove the pages'
// entries in every mapping (so the next touch, or write, faults and sets it again).
static size_t report(struct paged *pd, size_t first, size_t n, uint32_t flag, uint8_t *bitmap)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (pd->state[first + i] & flag) {
            pd->state[first + i] &= ~flag;
            bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
            count++;
        }
    }
    if (count)
        invalidate(pd, first, n);
    return count;
}

size_t pager_dirty(struct vmo *v, size_t first, size_t n, uint8_t *bitmap)
{
    return report(v->paged, first, n, PG_DIRTY, bitmap);
}

size_t pager_accessed(struct vmo *v, size_t first, size_t n, uint8_t *bitmap)
{
    return report(v->paged, first, n, PG_ACCESSED, bitmap);
}

// Every page of the range has a pin (else: room for one more).
static bool all_pinned(const struct paged *pd, size_t first, size_t n, bool room)
{
    for (size_t i = first; i < first + n; i++) {
        uint32_t pins = pd->state[i] & PG_PINNED;
        if (room ? pins == PG_PINNED : !pins)
            return false;
    }
    return true;
}

int pager_pin(struct vmo *v, size_t first, size_t n)
{
    if (!all_pinned(v->paged, first, n, true))
        return NX_ERR_BAD_STATE;
    for (size_t i = first; i < first + n; i++)
        v->paged->state[i] += PG_PIN_ONE;
    return NX_OK;
}

int pager_unpin(struct vmo *v, size_t first, size_t n)
{
    if (!all_pinned(v->paged, first, n, false))
        return NX_ERR_BAD_STATE;
    for (size_t i = first; i < first + n; i++)
        v->paged->state[i] -= PG_PIN_ONE;
    return NX_OK;
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
    size_t bytes = sizeof(struct paged) + v->npages * sizeof(uint32_t);
    struct paged *pd = slab_alloc(b, bytes);
    if (!pd) {
        kobject_unref(&v->obj);
        return NX_ERR_NO_MEMORY;
    }
    memset(pd, 0, bytes);
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

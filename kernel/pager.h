#pragma once
// Pagers: a user-space service that supplies the pages of its paged VMOs on demand.
//
// A paged VMO (pager_vmo_create) starts with no page ready. Touching an absent page — a user
// fault (aspace_fault), a syscall's user copy through a mapping of it, or vmo_read/vmo_write
// through a handle without NX_RIGHT_MANAGE — queues one request {key, offset, length} on its
// pager, signals the pager's notification bits, and blocks the thread until the pager calls
// pager_supply (the page is ready: the thread retries), pager_fail (the thread gets that
// error), the pager dies (last pager handle closed: NX_ERR_PEER_CLOSED, at once from then on)
// or PAGER_WAIT_NS pass (NX_ERR_TIMED_OUT). A page already requested is not requested again
// (its waiters just wait), and a request for the page right after the last queued one of the
// same VMO extends that one. At most PAGER_QUEUE_MAX requests wait per pager: a touch that
// would need one more fails at once with NX_ERR_NO_SPACE.
//
// The pager fills pages through its own handle (NX_RIGHT_MANAGE): vmo_write, or vmo_dma for a
// device; nothing it writes is seen by a faulting client before pager_supply. Pages it does
// not fill read as zeros once supplied.
//
// Access tracking (the pager's eviction order): a touch of a ready page (a fault through any
// mapping, a client's vmo_read/vmo_write, a syscall's copy) marks it accessed. pager_accessed
// reports and clears the accessed pages and removes their page-table entries in every
// mapping, so the next touch takes a fault that marks it again (docs/design-decisions.md: why
// not the hardware A bit). A page with an entry in some mapping is always marked accessed.
//
// Dirty tracking: a ready page enters a mapping read-only until written; the write fault (or a
// client's vmo_write) marks it dirty and maps it writable. pager_dirty reports and clears the
// dirty pages and removes their page-table entries in every mapping, so the next write marks
// them again. pager_decommit frees clean, unpinned pages (vmo_dma pins a page until the
// device releases it: vmo_dma with NX_DMA_RELEASE) and removes their entries: the next touch
// requests them again.
//
// Mappings are found through the VMO's mapper list: the processes (at most PAGER_MAX_MAPPERS)
// with at least one mapping of it; vm_map of one more process fails with NX_ERR_NO_SPACE.
//
// The per-page state is a sparse array charged to the VMO's budget (radix.h): a range the
// pager supplies, fails or decommits whole costs nothing per page, and a state that differs
// from its neighbours' takes a 4 KiB node per 512 pages. So every operation that changes
// state may fail with NX_ERR_NO_MEMORY, changing nothing, when the budget cannot pay for a
// node (pager_unpin never does: pinned pages' states always have their node).
//
// A paged VMO cannot be sealed or cloned (its contents change behind every holder).
// No locking: single hart, interrupts off in the kernel.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include "object.h"
#include "waitq.h"

#define PAGER_QUEUE_MAX 64                 // requests pending per pager
#define PAGER_WAIT_NS 5000000000ULL        // how long a touch waits for its page (5 s)
#define PAGER_MAX_MAPPERS 8                // processes mapping one paged VMO at once
#define PAGER_DIRTY_MAX NX_PAGER_DIRTY_MAX // pages per pager_dirty call

// Rights of a new pager handle.
#define PAGER_RIGHTS (NX_RIGHT_READ | NX_RIGHT_MANAGE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER)

// pager_touch / pager_await: the thread must wait / waited and must look again.
#define PAGER_WAIT 1
#define PAGER_RETRY 2

struct notification;
struct page_budget;
struct process;
struct thread;
struct vmo;
struct paged;

struct pager_request {
    struct paged *vmo;            // NULL never: requests of a destroyed VMO are dropped
    size_t first, count;          // pages
};

struct pager {
    struct kobject obj;           // NX_OBJ_PAGER
    struct process *owner;        // charged for this struct
    struct notification *notif;   // signalled with bits when a request is queued (a reference)
    uint64_t bits;
    bool dead;                    // no pager handle left: nothing will be supplied any more
    struct paged *vmos;           // its paged VMOs, linked through paged.next
    uint32_t count;               // queue[0..count), oldest first
    struct pager_request queue[PAGER_QUEUE_MAX];
};

// Register the last-handle hook (once, at boot).
void pager_init(void);
// A pager charged to owner, signalling bits (not 0) of n. NX_ERR_NO_MEMORY.
int pager_create(struct process *owner, struct notification *n, uint64_t bits,
                 struct pager **out);
// A paged VMO of size bytes served by pg, named key in its requests, charged to b (like
// vmo_create). NX_ERR_BAD_STATE if pg is dead, vmo_create's errors.
int pager_vmo_create(struct pager *pg, size_t size, uint64_t key, struct page_budget *b,
                     struct vmo **out);
// Pop the oldest request into *key, *offset, *length (bytes). NX_ERR_NOT_FOUND if none.
int pager_next(struct pager *pg, uint64_t *key, uint64_t *offset, uint64_t *length);

// Page index of paged VMO v is touched (write: to be written). NX_OK: ready (and now dirty
// if write); PAGER_WAIT: requested, the caller must wait (pager_await does); or the error the
// touch fails with (NX_ERR_NO_MEMORY: no room for its state).
int pager_touch(struct vmo *v, size_t index, bool write);
// How many pages from index on (at most n) may a fault map without a touch of their own
// (aspace.c, the pages after a fault)? Those ready and touched since the pager last asked
// (pager_accessed), so that a page in a mapping is always one marked touched: mapping it
// changes nothing the pager sees; and all written since the last pager_dirty, or none
// (*dirty says which). 0 if page index is not such a page. Never requests anything; a run of
// pages of one state costs one step.
size_t pager_peek_run(struct vmo *v, size_t index, size_t n, bool *dirty);
// pager_touch, blocking the current thread if needed: NX_OK (ready, nothing waited; *dirty:
// written since the last pager_dirty), PAGER_RETRY (woken after a wait: v may be gone, the
// caller looks everything up again), or an error (v may be gone then too).
int pager_await(struct vmo *v, size_t index, bool write, bool *dirty);

// The range of pages [first, first + n) of v, checked by the caller to lie in v.
// Ready now: waiters retry.
int pager_supply(struct vmo *v, size_t first, size_t n);
// Failed with error (NX_ERR_IO, NX_ERR_NOT_FOUND or NX_ERR_PEER_CLOSED): touches fail with
// it until supplied or decommitted; waiters get it. The pages leave every mapping and go back
// to the pmm, dirty or not (the pager has given them up); a pinned page stays committed (a
// device may still use it) but fails all the same.
int pager_fail(struct vmo *v, size_t first, size_t n, int error);
// Free the pages and drop their mappings' entries. NX_ERR_BAD_STATE (nothing changed) if one
// is dirty or pinned.
int pager_decommit(struct vmo *v, size_t first, size_t n);
// Set bit i of bitmap (n bits, zeroed by the caller) for each dirty page first + i, clear it
// and write-protect it in every mapping. Returns the count.
long pager_dirty(struct vmo *v, size_t first, size_t n, uint8_t *bitmap);
// The same for pages touched since the last pager_accessed: cleared, and their entries
// removed in every mapping (the next touch faults and marks the page again).
long pager_accessed(struct vmo *v, size_t first, size_t n, uint8_t *bitmap);
// vmo_dma pins these pages (never decommitted while pinned): NX_ERR_BAD_STATE (nothing
// changed) if one is pinned 65535 times already. The caller pins before it commits them.
int pager_pin(struct vmo *v, size_t first, size_t n);
// The device is done with one pin of each page (vmo_dma's NX_DMA_RELEASE): NX_ERR_BAD_STATE
// (nothing changed) if one is not pinned.
int pager_unpin(struct vmo *v, size_t first, size_t n);

// Mapper list (aspace.c): p maps v now (NX_ERR_NO_SPACE over PAGER_MAX_MAPPERS), p no longer
// maps it.
int pager_mapper_add(struct vmo *v, struct process *p);
void pager_mapper_remove(struct vmo *v, struct process *p);

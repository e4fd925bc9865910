#pragma once
// Handle tables: per-process arrays of (object, rights) slots, looked up by handle value, plus
// the derivation tree that makes revocation reach every handle made from another one.
//
// Derivation tree (like seL4's capability derivation tree): every live slot has a parent (the
// slot it was duplicated or transfer-copied from; NULL for a handle installed by the kernel)
// and a list of children. Links cross tables. A move keeps the handle's place in the tree, a
// close hands the closed slot's children to its parent, so revoke(h) always finds every handle
// that was ever derived from h, however it travelled, at a cost proportional to their number.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nexus/ipc.h>
#include "object.h"

struct handle_table;

struct handle_slot {
    struct kobject *obj;          // NULL while the slot is free
    struct handle_table *table;   // the table holding this slot, fixed at init
    struct handle_slot *parent;   // derivation tree; all NULL while free
    struct handle_slot *first_child;
    struct handle_slot *prev_sibling, *next_sibling;
    uint32_t rights;
    uint32_t gen_bits;            // generation << NX_HANDLE_SLOT_BITS, as in handle values; one
                                  // generation on (mod 2^NX_HANDLE_GEN_BITS) each time it is freed
    uint16_t next_free;           // free list link while free (16 bits: loads need no widening)
    uint32_t badge;               // fixed by handle_mint, kept by duplicates and transfers
};
_Static_assert(sizeof(struct handle_slot) <= 64, "handle slots grew; a table is 4 pages of them");

// No locking: single hart, interrupts off in the kernel. Tables are reached through each
// other by the derivation links, so a future SMP kernel needs one lock over all of them.
struct handle_table {
    struct handle_slot slots[NX_HANDLE_TABLE_SIZE];
    uint16_t free_head, free_tail;  // FIFO of free slots, HANDLE_NO_SLOT-terminated
    uint32_t live;                  // slots in use
};
_Static_assert(sizeof(struct handle_table) <= 4 * 4096, "a handle table takes 4 pages");

#define HANDLE_NO_SLOT UINT16_MAX
_Static_assert(NX_HANDLE_TABLE_SIZE < HANDLE_NO_SLOT, "slot indices fit the free list's links");

// Cheap global counters (all tables), for leak checks, tests and benchmarks.
struct handle_counters {
    uint64_t installed;      // handles created by install, duplicate and transfer-copy
    uint64_t closed;         // handles closed, or dropped by handle_table_destroy
    uint64_t revoked;        // handles removed by revocation
    uint64_t revoke_visits;  // tree steps taken by revocation (bounded by 2 * revoked)
};
extern struct handle_counters handle_counters;

// One entry of a transfer: which handle, with which rights (NX_RIGHTS_SAME keeps them), and
// whether to copy it (the sender keeps its handle) or move it (the default).
struct handle_xfer {
    nx_handle_t handle;
    uint32_t rights;
    bool copy;
    struct handle_slot *src;  // handle_transfer_check's finding, for handle_transfer_commit
};

// Every function returning int returns NX_OK or a negative nx_error and, on error, changes
// nothing. Handle errors are NX_ERR_BAD_HANDLE (malformed, out of range, closed, revoked or
// stale), NX_ERR_WRONG_TYPE and NX_ERR_ACCESS (a right is missing or would be gained).

void handle_table_init(struct handle_table *t);
// Close every handle in t (its process is gone). Handles derived from them elsewhere stay.
void handle_table_destroy(struct handle_table *t);
static inline uint32_t handle_table_live(const struct handle_table *t) { return t->live; }
// Free slots: a caller that checks for n of them before its first change can then install n
// handles without an error path.
static inline uint32_t handle_table_room(const struct handle_table *t)
{
    return NX_HANDLE_TABLE_SIZE - t->live;
}

// A new root handle to obj (takes a reference). NX_ERR_INVALID for unknown rights bits,
// NX_ERR_NO_SPACE when t is full.
int handle_install(struct handle_table *t, struct kobject *obj, uint32_t rights,
                   nx_handle_t *out);
// The object h names, if it has type `type` (NX_OBJ_ANY: any) and every right in need_rights.
// No reference is taken: the object lives while the caller keeps the handle from closing.
// With badge not NULL, also the handle's badge.
int handle_get(struct handle_table *t, nx_handle_t h, uint32_t type, uint32_t need_rights,
               struct kobject **out, uint32_t *badge);
int handle_info(struct handle_table *t, nx_handle_t h, uint32_t *type, uint32_t *rights);
// Does a handle derived from h (a copy made from it, or from one of those...) live anywhere?
bool handle_has_derived(struct handle_table *t, nx_handle_t h);
// handle_get's inline fast path for the hottest syscalls (IPC): the slot h (a raw register
// value) names in t if it holds an object of `type` with every right in `rights`, else NULL;
// the caller then asks handle_get for the precise error.
static inline const struct handle_slot *handle_find(const struct handle_table *t, uint64_t h,
                                                    uint32_t type, uint32_t rights)
{
    uint64_t slot_field = h & NX_HANDLE_SLOT_MASK, i = slot_field - 1;  // wraps for field 0
    if (i >= NX_HANDLE_TABLE_SIZE)
        return NULL;
    const struct handle_slot *s = &t->slots[i];
    // Computed on 64 bits, a value above 32 bits never matches.
    if (!s->obj || (s->gen_bits | slot_field) != h || s->obj->type != type ||
        (s->rights & rights) != rights)
        return NULL;
    return s;
}
// A new handle in t, derived from h, with rights a subset of h's. Needs NX_RIGHT_DUPLICATE.
int handle_duplicate(struct handle_table *t, nx_handle_t h, uint32_t rights, nx_handle_t *out);
// Like duplicate, but the new handle carries `badge` (non-zero; h's badge must be 0, else
// NX_ERR_INVALID). Needs NX_RIGHT_DUPLICATE and NX_RIGHT_MANAGE.
int handle_mint(struct handle_table *t, nx_handle_t h, uint32_t badge, uint32_t rights,
                nx_handle_t *out);
int handle_close(struct handle_table *t, nx_handle_t h);
// Close every handle derived from h, directly or not, in any table; h itself stays. Needs no
// right: it only removes what h's holder (or someone h's holder gave it to) made from h.
int handle_revoke(struct handle_table *t, nx_handle_t h);

// Transfers, for IPC. Each handle needs NX_RIGHT_TRANSFER, a copy also NX_RIGHT_DUPLICATE;
// rights may only shrink. A move keeps the handle's place in the derivation tree; a copy is a
// child of its source. `to` may be `from`.
int handle_transfer(struct handle_table *from, nx_handle_t h, uint32_t rights, bool copy,
                    struct handle_table *to, nx_handle_t *out);
// All n handles or none (IPC checks a message's handles before it copies anything):
// handle_transfer_check validates the whole batch without changing a table (it notes in each
// entry its slot, and the rights it gives in place of NX_RIGHTS_SAME; NX_ERR_INVALID if
// a handle one entry moves appears in another, NX_ERR_NO_SPACE unless `to` has n free slots;
// `to` NULL checks only the sender's side, for a message queued before its receiver is known);
// handle_transfer_commit then performs it and cannot fail, provided nothing touched either
// table in between (it panics otherwise). handle_transfer_batch does both. out[i] receives
// entry i's new handle, and out_rights[i] (if out_rights is not NULL) its rights.
int handle_transfer_check(struct handle_table *from, struct handle_xfer *xfers, size_t n,
                          struct handle_table *to);
void handle_transfer_commit(struct handle_table *from, const struct handle_xfer *xfers,
                            size_t n, struct handle_table *to, nx_handle_t *out,
                            uint32_t *out_rights);
int handle_transfer_batch(struct handle_table *from, struct handle_xfer *xfers, size_t n,
                          struct handle_table *to, nx_handle_t *out);
// handle_transfer_batch for IPC: the first n (at most NX_MSG_HANDLES_MAX, else
// NX_ERR_TOO_BIG) handles and rights words (rights | NX_XFER_COPY) of the sender's IPC buffer
// `in`, each read once; the new handles and their rights go into the receiver's, `got`. `to`
// NULL checks only, as for handle_transfer_check (got is then not used).
int handle_transfer_message(struct handle_table *from, const struct nx_ipc_buffer *in,
                            size_t n, struct handle_table *to, struct nx_ipc_buffer *got);

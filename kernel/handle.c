// Handle tables, rights checks, transfers and revocation through the derivation tree.
#include <nexus/errors.h>
#include <nexus/ipc.h>
#include "handle.h"
#include "lib/string.h"
#include "panic.h"

struct handle_counters handle_counters;

// A slot's gen_bits wrap with its 32 bits exactly when its generation wraps.
_Static_assert(NX_HANDLE_SLOT_BITS + NX_HANDLE_GEN_BITS == 32, "handle values are 32 bits");

// ---- slots and the free list ----

static size_t slot_index(const struct handle_slot *s)
{
    return (size_t)(s - s->table->slots);
}

// The handle value naming slot i of its table, s.
static inline nx_handle_t handle_value(size_t i, const struct handle_slot *s)
{
    return s->gen_bits | (uint32_t)(i + 1);
}

static nx_handle_t slot_value(const struct handle_slot *s)
{
    return handle_value(slot_index(s), s);
}

void handle_table_init(struct handle_table *t)
{
    memset(t, 0, sizeof(*t));
    for (uint32_t i = 0; i < NX_HANDLE_TABLE_SIZE; i++) {
        t->slots[i].table = t;
        t->slots[i].next_free = i + 1 < NX_HANDLE_TABLE_SIZE ? i + 1 : HANDLE_NO_SLOT;
    }
    t->free_head = 0;
    t->free_tail = NX_HANDLE_TABLE_SIZE - 1;
}

static uint32_t free_slots(const struct handle_table *t)
{
    return NX_HANDLE_TABLE_SIZE - t->live;
}

// The index of the oldest free slot of t, taken off the free list (callers have checked
// there is one). FIFO reuse makes a slot sit free as long as possible, so stale values are
// caught for longest. Indices are size_t here: they index without being widened.
static inline __attribute__((always_inline)) size_t free_list_pop(struct handle_table *t)
{
    size_t head = t->free_head;
    if (head >= NX_HANDLE_TABLE_SIZE)
        panic("handle: a slot taken from a full table");
    t->free_head = t->slots[head].next_free;
    if (t->free_head == HANDLE_NO_SLOT)
        t->free_tail = HANDLE_NO_SLOT;
    return head;
}

// Empty s, already out of the derivation tree: a free slot's rights and badge mean nothing
// (every lookup tests obj first). Its reference is the caller's.
static inline __attribute__((always_inline)) void slot_empty(struct handle_slot *s)
{
    s->obj = NULL;
    s->gen_bits += 1u << NX_HANDLE_SLOT_BITS;  // wraps with the generation
    s->next_free = HANDLE_NO_SLOT;
}

// Put slot i of t at the end of t's free list, whose last slot is *tail (HANDLE_NO_SLOT:
// none); t->free_tail is the caller's to update.
static inline __attribute__((always_inline)) void free_list_append(struct handle_table *t,
                                                                   size_t *tail, size_t i)
{
    if (*tail >= NX_HANDLE_TABLE_SIZE)
        t->free_head = (uint16_t)i;
    else
        t->slots[*tail].next_free = (uint16_t)i;
    *tail = i;
}

// Empty slot i of t and free it, without counting it (t->live is the caller's).
static inline __attribute__((always_inline)) void slot_release(struct handle_table *t, size_t i)
{
    size_t tail = t->free_tail;
    slot_empty(&t->slots[i]);
    free_list_append(t, &tail, i);
    t->free_tail = (uint16_t)tail;
}

// Take the oldest free slot of t for obj (callers have checked there is one).
static struct handle_slot *slot_alloc(struct handle_table *t, struct kobject *obj,
                                      uint32_t rights, uint32_t badge)
{
    struct handle_slot *s = &t->slots[free_list_pop(t)];
    s->obj = obj;
    s->rights = rights;
    s->badge = badge;
    t->live++;
    return s;
}

// Empty a slot that is already out of the derivation tree. Its reference is the caller's.
static void slot_free(struct handle_slot *s)
{
    struct handle_table *t = s->table;
    slot_release(t, slot_index(s));
    t->live--;
}

// The live slot h names in t, or NULL.
static struct handle_slot *lookup(struct handle_table *t, nx_handle_t h)
{
    uint32_t slot_field = h & NX_HANDLE_SLOT_MASK;
    uint64_t i = (uint64_t)slot_field - 1;  // wraps for the slot field 0
    if (i >= NX_HANDLE_TABLE_SIZE)
        return NULL;
    struct handle_slot *s = &t->slots[i];
    if (!s->obj || (s->gen_bits | slot_field) != h)
        return NULL;
    return s;
}

// ---- derivation tree ----

static void tree_add_child(struct handle_slot *parent, struct handle_slot *child)
{
    child->parent = parent;
    child->prev_sibling = NULL;
    child->next_sibling = parent->first_child;
    if (parent->first_child)
        parent->first_child->prev_sibling = child;
    parent->first_child = child;
}

// Put the sibling run to_first..to_last in s's place among its parent's children; with
// to_first NULL, just unlink s.
static void tree_replace_link(struct handle_slot *s, struct handle_slot *to_first,
                              struct handle_slot *to_last)
{
    struct handle_slot *prev = s->prev_sibling, *next = s->next_sibling;
    if (!to_first) {
        to_first = next;
        to_last = prev;
    } else {
        to_first->prev_sibling = prev;
        to_last->next_sibling = next;
    }
    if (prev)
        prev->next_sibling = to_first;
    else if (s->parent)
        s->parent->first_child = to_first;
    if (next)
        next->prev_sibling = to_last;
}

// Take s out of the tree; its children move up to s's parent, in s's place. Roots have no
// sibling list, so children of a root become separate roots. O(number of children).
static void tree_remove(struct handle_slot *s)
{
    struct handle_slot *first = s->first_child, *last = NULL;
    for (struct handle_slot *c = first, *next; c; c = next) {
        next = c->next_sibling;
        c->parent = s->parent;
        if (!s->parent)
            c->prev_sibling = c->next_sibling = NULL;
        last = c;
    }
    if (s->parent)
        tree_replace_link(s, first, last);
    s->parent = s->first_child = s->prev_sibling = s->next_sibling = NULL;
}

// Put n in s's place in the tree (a move): same parent, same siblings, same children.
static __attribute__((noinline)) void tree_move(struct handle_slot *s, struct handle_slot *n)
{
    struct handle_slot *parent = s->parent, *first = s->first_child;
    n->parent = parent;
    n->first_child = first;
    n->prev_sibling = s->prev_sibling;
    n->next_sibling = s->next_sibling;
    for (struct handle_slot *c = first; c; c = c->next_sibling)
        c->parent = n;
    if (parent)
        tree_replace_link(s, n, n);
    s->parent = s->first_child = s->prev_sibling = s->next_sibling = NULL;
}

// ---- lookups ----

static int check(struct handle_table *t, nx_handle_t h, uint32_t type, uint32_t need,
                 struct handle_slot **out)
{
    struct handle_slot *s = lookup(t, h);
    if (!s)
        return NX_ERR_BAD_HANDLE;
    if (type != NX_OBJ_ANY && s->obj->type != type)
        return NX_ERR_WRONG_TYPE;
    if (need & ~s->rights)
        return NX_ERR_ACCESS;
    *out = s;
    return NX_OK;
}

int handle_get(struct handle_table *t, nx_handle_t h, uint32_t type, uint32_t need_rights,
               struct kobject **out, uint32_t *badge)
{
    struct handle_slot *s;
    int err = check(t, h, type, need_rights, &s);
    if (err == NX_OK) {
        *out = s->obj;
        if (badge)
            *badge = s->badge;
    }
    return err;
}

int handle_info(struct handle_table *t, nx_handle_t h, uint32_t *type, uint32_t *rights)
{
    struct handle_slot *s = lookup(t, h);
    if (!s)
        return NX_ERR_BAD_HANDLE;
    *type = s->obj->type;
    *rights = s->rights;
    return NX_OK;
}

bool handle_has_derived(struct handle_table *t, nx_handle_t h)
{
    struct handle_slot *s = lookup(t, h);
    return s && s->first_child;
}

// The rights a derived handle gets: `asked` (or the source's for NX_RIGHTS_SAME), which
// must not include anything the source lacks. NX_ERR_ACCESS otherwise.
static int derived_rights(const struct handle_slot *src, uint32_t asked, uint32_t *out)
{
    if (asked == NX_RIGHTS_SAME)
        asked = src->rights;
    if (asked & ~src->rights)
        return NX_ERR_ACCESS;
    *out = asked;
    return NX_OK;
}

// ---- install, duplicate, close ----

int handle_install(struct handle_table *t, struct kobject *obj, uint32_t rights,
                   nx_handle_t *out)
{
    if (!obj || (rights & ~NX_RIGHTS_ALL))
        return NX_ERR_INVALID;
    if (free_slots(t) == 0)
        return NX_ERR_NO_SPACE;
    kobject_handle_added(obj);
    *out = slot_value(slot_alloc(t, obj, rights, 0));
    handle_counters.installed++;
    return NX_OK;
}

// A child of src in t with `rights` (already checked) and `badge`.
static nx_handle_t derive(struct handle_table *t, struct handle_slot *src, uint32_t rights,
                          uint32_t badge)
{
    kobject_handle_added(src->obj);
    struct handle_slot *s = slot_alloc(t, src->obj, rights, badge);
    tree_add_child(src, s);
    handle_counters.installed++;
    return slot_value(s);
}

// Checks shared by duplicate and mint: h exists with `need`, rights may be derived, room.
static int check_derive(struct handle_table *t, nx_handle_t h, uint32_t need, uint32_t *rights,
                        struct handle_slot **src)
{
    int err = check(t, h, NX_OBJ_ANY, need, src);
    if (err == NX_OK)
        err = derived_rights(*src, *rights, rights);
    if (err == NX_OK && free_slots(t) == 0)
        err = NX_ERR_NO_SPACE;
    return err;
}

int handle_duplicate(struct handle_table *t, nx_handle_t h, uint32_t rights, nx_handle_t *out)
{
    struct handle_slot *src;
    int err = check_derive(t, h, NX_RIGHT_DUPLICATE, &rights, &src);
    if (err == NX_OK)
        *out = derive(t, src, rights, src->badge);
    return err;
}

int handle_mint(struct handle_table *t, nx_handle_t h, uint32_t badge, uint32_t rights,
                nx_handle_t *out)
{
    struct handle_slot *src;
    int err = check_derive(t, h, NX_RIGHT_DUPLICATE | NX_RIGHT_MANAGE, &rights, &src);
    if (err == NX_OK && (badge == 0 || src->badge != 0))
        err = NX_ERR_INVALID;
    if (err == NX_OK)
        *out = derive(t, src, rights, badge);
    return err;
}

// Remove s from its table and the tree; its reference goes to *zombies.
static void drop_slot(struct handle_slot *s, struct kobject **zombies)
{
    struct kobject *obj = s->obj;
    tree_remove(s);
    slot_free(s);
    kobject_handle_dropped(obj, zombies);
}

int handle_close(struct handle_table *t, nx_handle_t h)
{
    struct handle_slot *s = lookup(t, h);
    if (!s)
        return NX_ERR_BAD_HANDLE;
    struct kobject *zombies = NULL;
    drop_slot(s, &zombies);
    handle_counters.closed++;
    kobject_reap(&zombies);
    return NX_OK;
}

void handle_table_destroy(struct handle_table *t)
{
    struct kobject *zombies = NULL;
    for (uint32_t i = 0; i < NX_HANDLE_TABLE_SIZE; i++) {
        if (t->slots[i].obj) {
            drop_slot(&t->slots[i], &zombies);
            handle_counters.closed++;
        }
    }
    // Destructors run last: they may touch other tables, even free the memory t lives in.
    kobject_reap(&zombies);
}

// ---- revocation ----

// Post-order walk of root's subtree that always frees the leftmost leaf: after it goes, its
// next sibling (or, with none left, its parent) is the next node, and each edge is walked
// down once, so the cost is at most two steps per revoked handle. Every revoked handle names
// h's object, which h keeps alive, so no destructor can run during the walk.
int handle_revoke(struct handle_table *t, nx_handle_t h)
{
    struct handle_slot *root = lookup(t, h);
    if (!root)
        return NX_ERR_BAD_HANDLE;
    struct kobject *zombies = NULL;
    struct handle_slot *s = root->first_child;
    while (s) {
        while (s->first_child) {
            s = s->first_child;
            handle_counters.revoke_visits++;
        }
        struct handle_slot *next = s->next_sibling ? s->next_sibling : s->parent;
        drop_slot(s, &zombies);  // a leaf: nothing is reparented
        handle_counters.revoked++;
        handle_counters.revoke_visits++;
        s = next == root ? NULL : next;
    }
    kobject_reap(&zombies);
    return NX_OK;
}

// ---- transfer ----

// The IPC transfer's loops are unrolled for a message's most handles (#pragma GCC unroll).
_Static_assert(NX_MSG_HANDLES_MAX == 4, "handle_transfer_message's unroll counts");

// Validate entry i of a batch: handle h, asked for `asked` (NX_RIGHTS_SAME: the source's),
// copied or moved; the entries before it are valid. On success, note in x[i] its slot, the
// rights it gives and whether it is a copy (its handle is the caller's to note, if needed).
static inline __attribute__((always_inline)) int check_xfer(struct handle_table *from,
                                                            struct handle_xfer *x, size_t i,
                                                            nx_handle_t h, uint32_t asked,
                                                            bool copy)
{
    struct handle_slot *s = lookup(from, h);
    if (!s)
        return NX_ERR_BAD_HANDLE;
    // Transferred (and duplicated, for a copy), giving nothing the source lacks.
    uint32_t have = s->rights, given = asked == NX_RIGHTS_SAME ? have : asked;
    if ((NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE * (uint32_t)copy | given) & ~have)
        return NX_ERR_ACCESS;
    // A moved handle is gone after its entry, so no other entry may name it.
    for (size_t j = 0; j < i; j++)
        if (x[j].src == s && (!x[j].copy || !copy))
            return NX_ERR_INVALID;
    x[i].src = s;
    x[i].rights = given;
    x[i].copy = copy;
    return NX_OK;
}

// Room for a checked batch of n in `to` (NULL: nothing to check). Conservative when
// to == from: moves free their source slots only afterwards.
static int check_room(const struct handle_table *to, size_t n)
{
    return to && to->live + n > NX_HANDLE_TABLE_SIZE ? NX_ERR_NO_SPACE : NX_OK;
}

int handle_transfer_check(struct handle_table *from, struct handle_xfer *xfers, size_t n,
                          struct handle_table *to)
{
    // A batch that can never fit is rejected first, which also bounds the quadratic check.
    if (n > NX_HANDLE_TABLE_SIZE)
        return NX_ERR_NO_SPACE;
    for (size_t i = 0; i < n; i++) {
        int err = check_xfer(from, xfers, i, xfers[i].handle, xfers[i].rights, xfers[i].copy);
        if (err != NX_OK)
            return err;
    }
    return check_room(to, n);
}

// A copy of src in `to`, a child of src in the tree.
static __attribute__((noinline)) struct handle_slot *copy_slot(struct handle_slot *src,
                                                               struct handle_table *to,
                                                               uint32_t rights)
{
    kobject_handle_added(src->obj);
    struct handle_slot *s = slot_alloc(to, src->obj, rights, src->badge);
    tree_add_child(src, s);
    handle_counters.installed++;
    return s;
}

// src, a slot of `from`, moved to `to`: the object, its reference, the badge and src's place
// in the tree go to the oldest free slot of `to`, which is returned, and src is freed.
// A handle never duplicated has no links to move (free slots have none). The tables' counts
// are the caller's (count_moves, once a batch).
static struct handle_slot *move_slot(struct handle_table *from, struct handle_slot *src,
                                     struct handle_table *to, uint32_t rights)
{
    struct handle_slot *s = &to->slots[free_list_pop(to)];
    s->obj = src->obj;
    s->rights = rights;
    s->badge = src->badge;
    if (src->parent || src->first_child)
        tree_move(src, s);
    slot_release(from, (size_t)(src - from->slots));
    return s;
}

static inline void count_moves(struct handle_table *from, struct handle_table *to, uint32_t moved)
{
    from->live -= moved;
    to->live += moved;
}

// Perform a checked batch; nothing has touched either table since its check.
static void commit_checked(struct handle_table *from, const struct handle_xfer *xfers,
                           size_t n, struct handle_table *to, nx_handle_t *out,
                           uint32_t *out_rights)
{
    uint32_t moved = 0;
    for (size_t i = 0; i < n; i++) {
        const struct handle_xfer *x = &xfers[i];
        if (x->copy) {
            out[i] = slot_value(copy_slot(x->src, to, x->rights));
        } else {
            out[i] = slot_value(move_slot(from, x->src, to, x->rights));
            moved++;
        }
        if (out_rights)
            out_rights[i] = x->rights;
    }
    count_moves(from, to, moved);
}

// commit_checked for moves of handles without links in the tree between two tables (IPC's
// common case), with both free lists' ends in registers: nothing to call, so no registers
// to save, and each list's end written once.
static inline __attribute__((always_inline)) void commit_moves(
    struct handle_table *from, const struct handle_xfer *x, size_t n, struct handle_table *to,
    nx_handle_t *out, uint32_t *out_rights)
{
    size_t head = to->free_head, k = from->free_tail;  // check_room: head has n slots
    // The last free slot of `from` (NULL: none), which each freed slot follows.
    struct handle_slot *last = k < NX_HANDLE_TABLE_SIZE ? &from->slots[k] : NULL;
#pragma GCC unroll 4
    for (size_t i = 0; i < n; i++) {
        struct handle_slot *src = x[i].src, *s = &to->slots[head];
        k = (size_t)(src - from->slots);
        s->obj = src->obj;
        s->rights = x[i].rights;
        s->badge = src->badge;
        out[i] = handle_value(head, s);
        out_rights[i] = x[i].rights;
        head = s->next_free;
        slot_empty(src);
        if (last)
            last->next_free = (uint16_t)k;
        else
            from->free_head = (uint16_t)k;
        last = src;
    }
    to->free_head = (uint16_t)head;
    if (head >= NX_HANDLE_TABLE_SIZE)
        to->free_tail = HANDLE_NO_SLOT;
    from->free_tail = (uint16_t)k;
    count_moves(from, to, (uint32_t)n);
}

// A slot's rights never change while it lives, so if each entry's slot still holds its
// handle, what the check proved holds; a batch changed since its check (a handle closed,
// moved) panics instead of doing harm.
void handle_transfer_commit(struct handle_table *from, const struct handle_xfer *xfers,
                            size_t n, struct handle_table *to, nx_handle_t *out,
                            uint32_t *out_rights)
{
    for (size_t i = 0; i < n; i++) {
        const struct handle_slot *src = xfers[i].src;
        if (!src || src->table != from || !src->obj ||
            src->gen_bits != (xfers[i].handle & ~NX_HANDLE_SLOT_MASK))
            panic("handle_transfer_commit: batch changed since it was checked");
    }
    commit_checked(from, xfers, n, to, out, out_rights);
}

int handle_transfer_batch(struct handle_table *from, struct handle_xfer *xfers, size_t n,
                          struct handle_table *to, nx_handle_t *out)
{
    int err = handle_transfer_check(from, xfers, n, to);
    if (err == NX_OK)
        commit_checked(from, xfers, n, to, out, NULL);
    return err;
}

int handle_transfer(struct handle_table *from, nx_handle_t h, uint32_t rights, bool copy,
                    struct handle_table *to, nx_handle_t *out)
{
    struct handle_xfer x = { .handle = h, .rights = rights, .copy = copy };
    return handle_transfer_batch(from, &x, 1, to, out);
}

// Each entry is read once, checked as it comes, and kept in kernel memory: the sender's other
// threads may write the buffer meanwhile, but never under the check.
int handle_transfer_message(struct handle_table *from, const struct nx_ipc_buffer *in,
                            size_t n, struct handle_table *to, struct nx_ipc_buffer *got)
{
    struct handle_xfer x[NX_MSG_HANDLES_MAX];
    if (n > NX_MSG_HANDLES_MAX)
        return NX_ERR_TOO_BIG;
    uintptr_t linked = 0;  // non-zero if an entry is a copy or a handle with links
#pragma GCC unroll 4
    for (size_t i = 0; i < n; i++) {
        // Read once: from here on, the values (the asm hides where they came from). h is
        // zero-extended and r sign-extended, as the checks then use them.
        uint64_t h = in->handles[i];
        int32_t r = (int32_t)in->handle_rights[i];
        __asm__("" : "+r"(r), "+r"(h));
        uint32_t copy = r & NX_XFER_COPY;
        int err = check_xfer(from, x, i, h, r ^ copy, copy);
        if (err != NX_OK)
            return err;
        linked |= copy | (uintptr_t)x[i].src->parent | (uintptr_t)x[i].src->first_child;
    }
    int err = check_room(to, n);
    if (err != NX_OK || !to)
        return err;
    if (linked || from == to)
        commit_checked(from, x, n, to, got->handles, got->handle_rights);
    else
        commit_moves(from, x, n, to, got->handles, got->handle_rights);
    return NX_OK;
}

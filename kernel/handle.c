// Handle tables, rights checks, transfers and revocation through the derivation tree.
#include <nexus/errors.h>
#include "handle.h"
#include "lib/string.h"
#include "panic.h"

struct handle_counters handle_counters;

// ---- slots and the free list ----

static size_t slot_index(const struct handle_slot *s)
{
    return (size_t)(s - s->table->slots);
}

static nx_handle_t slot_value(const struct handle_slot *s)
{
    return nx_handle_encode((uint32_t)slot_index(s), s->generation);
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

// Take the oldest free slot for obj (callers have checked there is one). FIFO reuse makes
// a slot sit free as long as possible, so stale values are caught for longest.
static struct handle_slot *slot_alloc(struct handle_table *t, struct kobject *obj,
                                      uint32_t rights, uint32_t badge)
{
    size_t head = t->free_head;
    if (head == HANDLE_NO_SLOT)
        panic("handle: slot_alloc on a full table");
    struct handle_slot *s = &t->slots[head];
    t->free_head = s->next_free;
    if (s->next_free == HANDLE_NO_SLOT)
        t->free_tail = HANDLE_NO_SLOT;
    s->next_free = HANDLE_NO_SLOT;
    s->obj = obj;
    s->rights = rights;
    s->badge = badge;
    t->live++;
    return s;
}

// Empty a slot that is already out of the derivation tree. Its reference is the caller's.
// Inline: a handle move (IPC) is one of its callers.
static inline __attribute__((always_inline)) void slot_free(struct handle_slot *s)
{
    struct handle_table *t = s->table;
    uint32_t i = (uint32_t)slot_index(s);
    size_t tail = t->free_tail;
    s->obj = NULL;
    s->rights = 0;
    s->badge = 0;
    s->generation = (s->generation + 1) & NX_HANDLE_GEN_MASK;
    s->next_free = HANDLE_NO_SLOT;
    if (tail == HANDLE_NO_SLOT)
        t->free_head = i;
    else
        t->slots[tail].next_free = i;
    t->free_tail = i;
    t->live--;
}

// The live slot h names in t, or NULL.
static struct handle_slot *lookup(struct handle_table *t, nx_handle_t h)
{
    size_t i = nx_handle_slot(h);
    if (i >= NX_HANDLE_TABLE_SIZE)
        return NULL;
    struct handle_slot *s = &t->slots[i];
    if (!s->obj || s->generation != nx_handle_generation(h))
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

// Put n in s's place in the tree (a move): same parent, same siblings, same children. A root
// without children (a handle never duplicated) has nothing to relink.
static void tree_move(struct handle_slot *s, struct handle_slot *n)
{
    struct handle_slot *parent = s->parent, *first = s->first_child;
    n->parent = parent;
    n->first_child = first;
    n->prev_sibling = s->prev_sibling;
    n->next_sibling = s->next_sibling;
    if (!parent && !first)
        return;  // s's links are all NULL already
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

// The rights entry x gives: its own, or the source's for NX_RIGHTS_SAME.
static uint32_t given_rights(const struct handle_xfer *x, const struct handle_slot *src)
{
    return x->rights == NX_RIGHTS_SAME ? src->rights : x->rights;
}

// The rights src must have for entry x: to be transferred (and duplicated, for a copy), and
// every right x gives (rights only shrink).
static uint32_t xfer_needs(const struct handle_xfer *x, const struct handle_slot *src)
{
    return NX_RIGHT_TRANSFER | (x->copy ? NX_RIGHT_DUPLICATE : 0) | given_rights(x, src);
}

// Validate one entry, and note its slot; entries before it in the batch are already valid.
static int check_xfer(struct handle_table *from, struct handle_xfer *x, size_t i)
{
    struct handle_slot *s = lookup(from, x[i].handle);
    if (!s)
        return NX_ERR_BAD_HANDLE;
    if (xfer_needs(&x[i], s) & ~s->rights)
        return NX_ERR_ACCESS;
    x[i].src = s;
    // A moved handle is gone after its entry, so no other entry may name it.
    for (size_t j = 0; j < i; j++)
        if (x[j].handle == x[i].handle && (!x[j].copy || !x[i].copy))
            return NX_ERR_INVALID;
    return NX_OK;
}

int handle_transfer_check(struct handle_table *from, struct handle_xfer *xfers, size_t n,
                          struct handle_table *to)
{
    // A batch that can never fit is rejected first, which also bounds the quadratic check.
    if (n > NX_HANDLE_TABLE_SIZE)
        return NX_ERR_NO_SPACE;
    for (size_t i = 0; i < n; i++) {
        int err = check_xfer(from, xfers, i);
        if (err != NX_OK)
            return err;
    }
    // Conservative when to == from: moves free their source slots only afterwards.
    if (to && n > free_slots(to))
        return NX_ERR_NO_SPACE;
    return NX_OK;
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

// src moved to `to`: the new slot takes its place in the tree and its reference.
static struct handle_slot *move_slot(struct handle_slot *src, struct handle_table *to,
                                     uint32_t rights)
{
    struct handle_slot *s = slot_alloc(to, src->obj, rights, src->badge);
    tree_move(src, s);
    slot_free(src);
    handle_counters.moved++;
    return s;
}

// Perform one checked entry from the slot its check found. A slot's rights never change
// while it lives, so if it still holds the handle, what the check proved holds; a batch
// changed since its check (a handle closed, moved) panics instead of doing harm.
static struct handle_slot *commit_one(struct handle_table *from, const struct handle_xfer *x,
                                      struct handle_table *to)
{
    struct handle_slot *src = x->src;
    if (!src || src->table != from || !src->obj ||
        src->generation != nx_handle_generation(x->handle))
        panic("handle_transfer_commit: batch changed since it was checked");
    return x->copy ? copy_slot(src, to, given_rights(x, src))
                   : move_slot(src, to, given_rights(x, src));
}

void handle_transfer_commit(struct handle_table *from, const struct handle_xfer *xfers,
                            size_t n, struct handle_table *to, nx_handle_t *out,
                            uint32_t *out_rights)
{
    for (size_t i = 0; i < n; i++) {
        struct handle_slot *s = commit_one(from, &xfers[i], to);
        out[i] = slot_value(s);
        if (out_rights)
            out_rights[i] = s->rights;
    }
}

int handle_transfer_batch(struct handle_table *from, struct handle_xfer *xfers, size_t n,
                          struct handle_table *to, nx_handle_t *out)
{
    int err = handle_transfer_check(from, xfers, n, to);
    if (err == NX_OK)
        handle_transfer_commit(from, xfers, n, to, out, NULL);
    return err;
}

int handle_transfer(struct handle_table *from, nx_handle_t h, uint32_t rights, bool copy,
                    struct handle_table *to, nx_handle_t *out)
{
    struct handle_xfer x = { .handle = h, .rights = rights, .copy = copy };
    return handle_transfer_batch(from, &x, 1, to, out);
}

#pragma once
// Kernel objects: the common header every handle-addressable object embeds first, with a
// reference count. An object lives while anything refers to it: each handle is one reference,
// and kernel code (a running thread, an endpoint queue...) takes its own.
#include <stdbool.h>
#include <stdint.h>
#include <nexus/handle.h>

struct kobject {
    uint32_t type;      // enum nx_obj_type, never NX_OBJ_ANY
    uint32_t refcount;  // 0 only between the last unref and destroy
    // Frees the object. Called once, with refcount 0 and no handle left naming the object;
    // it may close or revoke handles (the handle tables are consistent when it runs).
    // NULL for objects that are never freed (static ones).
    void (*destroy)(struct kobject *obj);
    // Only an object that no handle names is ever on a deferred-destroy list, so the link
    // and the handle count share a word (keeping small objects in their slab slots).
    union {
        uint64_t handles;             // how many of the references are handles
        struct kobject *zombie_next;  // on a deferred-destroy list (see kobject_unref_later)
    };
};
// Reference counts are atomic (shared paths take and drop references together); the rest
// changes under the exclusive big lock only (docs/smp.md).

// Start obj's life with one reference, owned by the caller.
void kobject_init(struct kobject *obj, uint32_t type, void (*destroy)(struct kobject *));
void kobject_ref(struct kobject *obj);
// Drop a reference; the last one destroys the object now.
void kobject_unref(struct kobject *obj);
// Drop a reference; if it is the last, put obj on *zombies instead of destroying it, so a
// caller in the middle of changing several structures can destroy only once they are
// consistent again. kobject_reap destroys everything on the list.
void kobject_unref_later(struct kobject *obj, struct kobject **zombies);
// Objects of `type` get hook(obj) called once no handle names them any more while references
// remain: for objects that only handles can still make useful (a process nobody can start).
// Set at boot (a table by type keeps every object small). A hook makes no handle.
void kobject_set_last_handle_hook(uint32_t type, void (*hook)(struct kobject *obj));
// A new handle names obj (handle.c): a reference counted as a handle. A handle that moves
// between tables stays the same handle.
void kobject_handle_added(struct kobject *obj);
// A handle's reference is dropped (handle.c): like kobject_unref_later, but if it was the
// last handle and obj's type has a last-handle hook, obj goes on *zombies with that
// reference, and kobject_reap calls the hook, then drops it.
void kobject_handle_dropped(struct kobject *obj, struct kobject **zombies);
// Destroy what the zombie list holds (and run its last_handle hooks).
void kobject_reap(struct kobject **zombies);
// Drop a reference without destroying: true if it was the last, and the object is now the
// caller's to free (for chains of destructors that must loop instead of recursing).
bool kobject_release(struct kobject *obj);
// Objects initialised and not yet destroyed (for leak checks).
uint64_t kobject_live_count(void);

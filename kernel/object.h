#pragma once
// Kernel objects: the common header every handle-addressable object embeds first, with a
// reference count. An object lives while anything refers to it: each handle is one reference,
// and kernel code (a running thread, an endpoint queue...) takes its own.
#include <stdint.h>
#include <nexus/handle.h>

struct kobject {
    uint32_t type;      // enum nx_obj_type, never NX_OBJ_ANY
    uint32_t refcount;  // 0 only between the last unref and destroy
    // Frees the object. Called once, with refcount 0 and no handle left naming the object;
    // it may close or revoke handles (the handle tables are consistent when it runs).
    // NULL for objects that are never freed (static ones).
    void (*destroy)(struct kobject *obj);
    struct kobject *zombie_next;  // on a deferred-destroy list (see kobject_unref_later)
};
// No locking: single hart, interrupts off while in the kernel.

// Start obj's life with one reference, owned by the caller.
void kobject_init(struct kobject *obj, uint32_t type, void (*destroy)(struct kobject *));
void kobject_ref(struct kobject *obj);
// Drop a reference; the last one destroys the object now.
void kobject_unref(struct kobject *obj);
// Drop a reference; if it is the last, put obj on *zombies instead of destroying it, so a
// caller in the middle of changing several structures can destroy only once they are
// consistent again. kobject_reap destroys everything on the list.
void kobject_unref_later(struct kobject *obj, struct kobject **zombies);
void kobject_reap(struct kobject **zombies);
// Objects initialised and not yet destroyed (for leak checks).
uint64_t kobject_live_count(void);

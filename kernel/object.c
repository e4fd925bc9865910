// Reference-counted kernel objects.
#include <stddef.h>
#include "object.h"
#include "panic.h"

static uint64_t live_objects;  // initialised and not yet destroyed
static void (*last_handle_hooks[NX_OBJ_TYPE_COUNT])(struct kobject *obj);

void kobject_init(struct kobject *obj, uint32_t type, void (*destroy)(struct kobject *))
{
    if (type == NX_OBJ_ANY || type >= NX_OBJ_TYPE_COUNT)
        panic("kobject_init: bad type %u", (unsigned)type);
    obj->type = type;
    obj->refcount = 1;
    obj->destroy = destroy;
    obj->handles = 0;
    live_objects++;
}

uint64_t kobject_live_count(void)
{
    return live_objects;
}

// Reference counts are atomic: paths holding the big lock shared (mapping a VMO in two
// processes at once) take and drop references to one object together (docs/smp.md).
void kobject_ref(struct kobject *obj)
{
    // Wrapping to 0 would free a live object; every reference holder is bounded by memory,
    // so reaching the limit means a leak somewhere.
    uint32_t old = __atomic_fetch_add(&obj->refcount, 1, __ATOMIC_RELAXED);
    if (old == 0 || old == UINT32_MAX)
        panic("kobject_ref: refcount %u on type %u", (unsigned)old, (unsigned)obj->type);
}

// Drop one reference; 1 if it was the last.
static int drop(struct kobject *obj)
{
    uint32_t old = __atomic_fetch_sub(&obj->refcount, 1, __ATOMIC_ACQ_REL);
    if (old == 0)
        panic("kobject_unref: object of type %u already dead", (unsigned)obj->type);
    return old == 1;
}

static void destroy(struct kobject *obj)
{
    live_objects--;
    if (obj->destroy)
        obj->destroy(obj);
}

void kobject_unref(struct kobject *obj)
{
    if (drop(obj))
        destroy(obj);
}

bool kobject_release(struct kobject *obj)
{
    if (!drop(obj))
        return false;
    live_objects--;
    return true;
}

static void push_zombie(struct kobject *obj, struct kobject **zombies)
{
    obj->zombie_next = *zombies;
    *zombies = obj;
}

void kobject_unref_later(struct kobject *obj, struct kobject **zombies)
{
    // A dead object is reachable from nothing else, so its link is ours alone.
    if (drop(obj))
        push_zombie(obj, zombies);
}

void kobject_set_last_handle_hook(uint32_t type, void (*hook)(struct kobject *obj))
{
    last_handle_hooks[type] = hook;
}

void kobject_handle_added(struct kobject *obj)
{
    kobject_ref(obj);
    obj->handles++;
}

void kobject_handle_dropped(struct kobject *obj, struct kobject **zombies)
{
    obj->handles--;
    // With no handle left, nothing can name obj to put it on a list a second time.
    if (obj->handles == 0 && last_handle_hooks[obj->type])
        push_zombie(obj, zombies);  // still referenced: the hook runs, then the unref
    else
        kobject_unref_later(obj, zombies);
}

void kobject_reap(struct kobject **zombies)
{
    while (*zombies) {
        struct kobject *obj = *zombies;
        *zombies = obj->zombie_next;
        obj->handles = 0;  // off the list, and still named by no handle
        if (obj->refcount == 0) {
            destroy(obj);
        } else {
            last_handle_hooks[obj->type](obj);
            kobject_unref(obj);
        }
    }
}

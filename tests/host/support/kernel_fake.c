// See kernel_fake.h.
#include "support/kernel_fake.h"
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include "syscall.h"
#include "thread.h"

struct process fake_process;
struct handle_table fake_handles;
uint64_t fake_signals;
size_t fake_objects;
static struct thread fake_thread;
struct thread *current_thread = &fake_thread;

void fake_kernel_reset(size_t pages)
{
    memset(&fake_process, 0, sizeof(fake_process));
    kobject_init(&fake_process.obj, NX_OBJ_PROCESS, NULL);
    fake_process.handles = &fake_handles;
    fake_process.budget.limit = pages;
    handle_table_init(&fake_handles);
    fake_thread.proc = &fake_process;
    fake_signals = 0;
    fake_objects = 0;
}

nx_handle_t fake_notification(struct notification *n, uint32_t rights)
{
    memset(n, 0, sizeof(*n));
    kobject_init(&n->obj, NX_OBJ_NOTIFICATION, NULL);
    nx_handle_t h = NX_HANDLE_INVALID;
    if (handle_install(&fake_handles, &n->obj, rights, &h))
        abort();
    return h;
}

void fake_close_all(void)
{
    handle_table_destroy(&fake_handles);
}

// One budget page per object (the worst case slab.c allows), each object its own allocation
// so that ASan sees every access past its end.
void *process_alloc_object(struct process *p, size_t size)
{
    if (p->budget.used == p->budget.limit)
        return NULL;
    p->budget.used++;
    fake_objects++;
    kobject_ref(&p->obj);
    return calloc(1, size);
}

void process_free_object(struct process *p, void *obj, size_t size)
{
    (void)size;
    p->budget.used--;
    fake_objects--;
    free(obj);
    kobject_unref(&p->obj);
}

void notification_signal(struct notification *n, uint64_t bits)
{
    n->bits |= bits;
    fake_signals++;
}

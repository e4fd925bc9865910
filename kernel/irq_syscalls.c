// IRQ system calls: the device resource and notification lookups and the argument checks
// around kernel/irq.c.
#include <stddef.h>
#include <nexus/errors.h>
#include "irq.h"
#include "notification.h"
#include "process.h"
#include "resource.h"
#include "syscall.h"
#include "thread.h"

long sys_irq_create(uhandle_t resource, uint64_t line, uhandle_t notif, uint64_t bits)
{
    struct kobject *res, *n;
    int err = syscall_get(resource, NX_OBJ_RESOURCE, NX_RIGHT_MANAGE, &res, NULL);
    if (!err)
        err = syscall_get(notif, NX_OBJ_NOTIFICATION, NX_RIGHT_SIGNAL, &n, NULL);
    if (err)
        return err;
    if (bits == 0)
        return NX_ERR_INVALID;
    // Like an address outside the device windows for nx_vmo_physical.
    if (line > IRQ_LINE_MAX || !resource_allows_irq(res, (uint32_t)line))
        return NX_ERR_ACCESS;
    struct irq *irq;
    err = syscall_room(1);
    if (err == NX_OK)
        err = irq_create(current_process, (uint32_t)line, (struct notification *)n, bits, &irq);
    return err ? err : syscall_install(&irq->obj, IRQ_RIGHTS);
}

long sys_irq_ack(uhandle_t h)
{
    struct kobject *o;
    int err = syscall_get(h, NX_OBJ_IRQ, NX_RIGHT_WRITE, &o, NULL);
    return err ? err : irq_ack((struct irq *)((char *)o - offsetof(struct irq, obj)));
}

// IRQ objects (see irq.h). The PLIC's claim/complete handshake is the mask: the kernel claims
// a line, signals its owner and completes it only at nx_irq_ack. The line's enable bit stays
// set for as long as it is owned, which also matters because the PLIC ignores a completion
// for a source that is not enabled (PLIC spec 1.0.0, "Interrupt Completion").
#include "irq.h"
#include <stddef.h>
#include <nexus/errors.h>
#include "console.h"
#include "notification.h"
#include "process.h"
#include "arch/riscv/plic.h"

_Static_assert(sizeof(struct irq) <= 64, "an irq object takes a 64-byte slab slot (slab.h)");

// The IRQ object owning each line, or NULL. Only the boot hart touches it, with interrupts
// off (in a syscall or in the interrupt handler).
static struct irq *owners[IRQ_LINE_MAX + 1];

static struct irq *to_irq(struct kobject *o)
{
    return (struct irq *)((char *)o - offsetof(struct irq, obj));
}

// Complete the line's pending claim, if it has one. Call before masking the line.
static void complete_claim(struct irq *irq)
{
    if (!irq->awaiting_ack)
        return;
    irq->awaiting_ack = false;
    plic_complete(irq->line);
}

void irq_interrupt(uint32_t line)
{
    struct irq *irq = line <= IRQ_LINE_MAX ? owners[line] : NULL;
    if (!irq) {
        // No driver: mask the line so it cannot storm. Complete first (see the top).
        kprintf("NEURON: unclaimed interrupt %u masked\n", line);
        plic_complete(line);
        plic_disable(line);
        return;
    }
    irq->awaiting_ack = true;
    notification_signal(irq->notif, irq->bits);
}

// Last handle gone: mask the line and give it back.
static void irq_destroy(struct kobject *o)
{
    struct irq *irq = to_irq(o);
    complete_claim(irq);
    plic_disable(irq->line);
    owners[irq->line] = NULL;
    kobject_unref(&irq->notif->obj);
    process_free_object(irq->owner, irq, sizeof(*irq));
}

int irq_create(struct process *owner, uint32_t line, struct notification *n, uint64_t bits,
               struct irq **out)
{
    if (owners[line])
        return NX_ERR_BAD_STATE;
    struct irq *irq = process_alloc_object(owner, sizeof(*irq));
    if (!irq)
        return NX_ERR_NO_MEMORY;
    kobject_init(&irq->obj, NX_OBJ_IRQ, irq_destroy);
    irq->owner = owner;
    kobject_ref(&n->obj);
    irq->notif = n;
    irq->bits = bits;
    irq->line = line;
    owners[line] = irq;
    plic_enable(line);
    *out = irq;
    return NX_OK;
}

int irq_ack(struct irq *irq)
{
    if (!irq->awaiting_ack)
        return NX_ERR_BAD_STATE;
    complete_claim(irq);
    return NX_OK;
}

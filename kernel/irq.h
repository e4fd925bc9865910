#pragma once
// IRQ objects: one device interrupt line (a PLIC source) routed to bits of a notification, so
// a user-space driver can wait for its device like for any other event.
//
// A line has at most one IRQ object. When the line interrupts, the kernel signals the bits and
// leaves the line claimed in the PLIC (the PLIC forwards nothing more from a source between
// its claim and its completion) until the driver calls nx_irq_ack, which completes it. So a
// device that keeps its line raised cannot storm the kernel while its driver is not running.
// Destroying the object (last handle closed) masks the line and frees it for a new owner.
#include <stdbool.h>
#include <stdint.h>
#include <nexus/handle.h>
#include "object.h"

// Highest line an IRQ object can own: QEMU virt has 96 PLIC sources, the ownership table
// has room for IRQ_LINE_MAX + 1 entries (line 0 does not exist in the PLIC).
#define IRQ_LINE_MAX 127

// Rights of the handle nx_irq_create returns.
#define IRQ_RIGHTS (NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER)

struct notification;
struct process;

struct irq {
    struct kobject obj;
    uint32_t line;
    bool awaiting_ack;            // claimed from the PLIC, completion left to nx_irq_ack
    struct notification *notif;   // signalled on each interrupt (a reference)
    uint64_t bits;                // never 0
    struct process *owner;        // charged for the object's page
};

// The PLIC gave us `line` (from a claim): signal its owner, or mask it if it has none.
void irq_interrupt(uint32_t line);

// A new IRQ object owning `line` (1..IRQ_LINE_MAX, which the caller checked against the
// device resource), charged to owner, signalling `bits` (not 0) of n, with one reference for
// the caller. The line is enabled. NX_ERR_BAD_STATE if the line has an owner already,
// NX_ERR_NO_MEMORY.
int irq_create(struct process *owner, uint32_t line, struct notification *n, uint64_t bits,
               struct irq **out);
// Complete the interrupt the line is held for. NX_ERR_BAD_STATE if it awaits no ack.
int irq_ack(struct irq *irq);

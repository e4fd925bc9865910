#pragma once
// Timer objects: a one-shot deadline with a slack that signals bits of a notification when it
// fires. Each is a clock_timer in the kernel's one timer queue, so timers (user and kernel
// alike) whose windows [deadline, deadline + slack] overlap fire with one interrupt.
// (The hart's hardware timer is arch/riscv/timer.h; this is the user-visible object.)
#include <stdint.h>
#include <nexus/handle.h>
#include "clock.h"
#include "object.h"

// Largest slack nx_timer_set accepts (1 s). A timer with a long window fires with the first
// interrupt taken after its deadline, whatever asked for it, but no later than the window's
// end: the bound guarantees that a set timer fires at most 1 s after its deadline.
#define TIMER_SLACK_MAX_NS 1000000000ULL

// Rights of the handle nx_timer_create returns.
#define TIMER_RIGHTS (NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER)

struct notification;
struct process;

struct timer {
    struct kobject obj;
    struct clock_timer clock;     // armed while set and not yet fired
    struct notification *notif;   // signalled when it fires (a reference)
    uint64_t bits;                // never 0
    struct process *owner;        // charged for the object's page
};

// A new disarmed timer charged to owner, signalling `bits` (not 0) of n when it fires, with
// one reference for the caller. NX_ERR_NO_MEMORY.
int timer_create(struct process *owner, struct notification *n, uint64_t bits,
                 struct timer **out);
// Arm t for [deadline, deadline + slack] (slack <= TIMER_SLACK_MAX_NS), replacing any pending
// setting; NX_DEADLINE_NEVER disarms it.
void timer_set(struct timer *t, uint64_t deadline, uint64_t slack);
void timer_cancel(struct timer *t);

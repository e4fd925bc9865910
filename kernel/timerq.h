#pragma once
// Timer queue for the tickless kernel, with slack-based coalescing.
//
// Each timer may fire anywhere in its window [deadline, deadline + slack]. The hardware timer
// is programmed for timerq_next_fire() = min over armed timers of (deadline + slack): the last
// moment the most urgent window still allows. When that interrupt comes at `now`,
// timerq_expire() fires EVERY timer whose deadline <= now, because all their windows are open.
// Why no timer fires early or late (with the interrupt taken at T = next_fire):
//  - early: only timers with deadline <= now are fired, by construction.
//  - late: every armed timer has deadline + slack >= T, so a timer fired at T fires inside its
//    window; one not fired has deadline > T and so a window ending after T, and a later
//    next_fire is still the minimum over windows that include its own end.
// Only a late interrupt (now > T) can fire a timer after deadline + slack. deadline + slack
// saturates at UINT64_MAX; a timer whose window reaches UINT64_MAX never asks for an interrupt
// of its own and fires with the first one at or after its deadline.
// If all timers were known up front, this greedy "earliest window end" choice gives the
// fewest interrupts possible (the classic interval-stabbing argument).
//
// Pure data structure (host-tested); no allocation. Two intrusive pairing heaps: one keyed by
// deadline (what has expired) and one keyed by deadline + slack (when to interrupt).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// A pairing-heap node: first child, and a doubly linked sibling list where `prev` of a first
// child points to its parent.
struct tq_node {
    uint64_t key;
    struct tq_node *child, *next, *prev;
};

enum timerq_state { TQ_IDLE, TQ_ARMED, TQ_FIRING };

// Embed one per timer. A zeroed entry is idle. deadline and slack are read-only for owners.
struct timerq_entry {
    uint64_t deadline, slack;        // window is [deadline, deadline + slack] (saturated)
    struct tq_node by_deadline;      // in timerq.by_deadline while TQ_ARMED
    struct tq_node by_latest;        // in timerq.by_latest while TQ_ARMED; key = window end
    struct timerq_entry *fire_prev, *fire_next;  // on timerq.firing while TQ_FIRING
    uint8_t state;                   // enum timerq_state
};

// Who may touch it: the owning hart only, with interrupts off (the timer interrupt handler
// calls timerq_expire). No lock: each hart has its own queue.
struct timerq {
    struct tq_node *by_deadline;     // heap root: earliest deadline
    struct tq_node *by_latest;       // heap root: earliest window end
    // Expired during timerq_expire but not yet fired: a callback may still cancel them.
    struct timerq_entry *firing, *firing_tail;
    size_t armed;                    // entries in TQ_ARMED or TQ_FIRING
};

void timerq_init(struct timerq *q);
// Arm e for [deadline, deadline + slack]; an armed entry is moved.
void timerq_add(struct timerq *q, struct timerq_entry *e, uint64_t deadline, uint64_t slack);
// Disarm e; no effect if it is not armed. Also stops an expired entry not yet fired.
void timerq_cancel(struct timerq *q, struct timerq_entry *e);
static inline bool timerq_armed(const struct timerq_entry *e)
{
    return e->state != TQ_IDLE;
}
// The time to program the hardware timer for: UINT64_MAX when nothing is armed.
uint64_t timerq_next_fire(const struct timerq *q);
// Disarm and fire every entry with deadline <= now, earliest deadline first; returns how
// many fired. fire() may add or cancel any entry: entries (re)added during the call never
// fire in it, even with deadline <= now; they stay armed for the next interrupt.
size_t timerq_expire(struct timerq *q, uint64_t now,
                     void (*fire)(struct timerq_entry *e, void *ctx), void *ctx);

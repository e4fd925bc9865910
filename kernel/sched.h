#pragma once
// The scheduler: a run queue per hart with fixed priorities (runqueue.h), wake-up placement
// and work stealing between harts, affinities, tickless time slices, blocking with deadlines,
// and direct switches for the IPC fast path (docs/smp.md).
#include <stdbool.h>
#include <stdint.h>

#define PRIO_DEFAULT 16

struct thread;

// Make t ready to run.
void sched_ready(struct thread *t);
// Take t off the ready queue if it is there.
void sched_remove(struct thread *t);
// Give up the CPU; the current thread must already be ready, blocked or dead. Returns when
// the current thread is switched back in.
void sched_switch(void);
// Put the current thread at the back of its level and run the next ready one.
void sched_yield(void);

// After an interrupt or a wake-up: give the CPU away if a ready thread has a higher priority,
// or one of the same priority and the time slice is over.
void sched_preempt(void);

// Block the current thread, which the caller has already queued wherever it waits, until
// sched_wake or the deadline (ns, NX_DEADLINE_NEVER for none). On timeout, or when the
// thread is killed, unblock(t) takes it off that queue first. Returns the result passed to
// sched_wake, or NX_ERR_TIMED_OUT. A deadline already past returns NX_ERR_TIMED_OUT at once
// (after unblock).
long sched_block(uint64_t deadline, void (*unblock)(struct thread *t));
// Like sched_block, but hand the CPU straight to `next` (blocked, and just given its result
// by the caller through next->wait_result) instead of going through the ready queue, when no
// ready thread has a higher priority than next. IPC's direct switch.
long sched_block_switch(struct thread *next, uint64_t deadline,
                        void (*unblock)(struct thread *t));

// sched_block_switch for the register paths of IPC (endpoint_fastpath.h), without a deadline,
// when next's syscall returns NX_OK and a1..a6 (next's message registers, already in
// next->out) are the six values given. When the caller came straight from the syscall
// dispatch (nothing of its own on the kernel stack, as the fast paths end in tail calls) on
// one hart, and next was switched out the same way, the switch exchanges only the user's
// callee-saved registers and goes straight to next's return to user mode (trap.S,
// ipc_switch). Anything else takes the general switch.
long sched_ipc_switch(void (*unblock)(struct thread *t), uint64_t a1, uint64_t a2, uint64_t a3,
                      uint64_t a4, uint64_t a5, uint64_t a6, struct thread *next);
// trap.S: a thread that ipc_switch switched out runs again; the result its syscall returns.
long sched_ipc_resumed(void);

// The same hand-off from a shared path (the big lock held shared, hart.h), in three steps
// around the caller's own locked queue change: sched_may_hand_off(next) before anything
// changes (next blocked without a deadline, of the current thread's priority, allowed to
// run here, nothing else ready at that priority or above: the fields read change only under the
// exclusive lock); sched_block_for_hand_off(unblock) marks the current thread blocked and
// still on this hart before it becomes visible to other harts; sched_hand_off(next) waits
// until next's own hart has finished switching away from it, switches to it and returns the
// current thread's result once it runs again.
bool sched_may_hand_off(const struct thread *next);
void sched_block_for_hand_off(void (*unblock)(struct thread *t));
long sched_hand_off(struct thread *next);
// Wake a blocked thread with `result` (its sched_block returns it): cancel its deadline and
// make it ready.
void sched_wake(struct thread *t, long result);
// Cancel t's wait without waking it (t is being killed): unblock(t) and the deadline go.
void sched_cancel_wait(struct thread *t);

// Let t run only on the harts in mask (bit i: hart index i; bits of harts not running are
// ignored): NX_ERR_INVALID if that leaves none, NX_ERR_BAD_STATE if t is dead. A thread on
// a hart it may no longer use moves at once.
int sched_set_affinity(struct thread *t, uint64_t mask);
// Where a new thread starts (its first switch-in): then into user mode.
_Noreturn void sched_thread_start(void);
// trap.S: the current thread was killed by another hart while it entered the kernel.
_Noreturn void thread_dying(void);

// Each hart's idle thread: runs ready threads, sleeps in WFI with nothing armed when nothing is due, powers off
// when no process is left.
_Noreturn void sched_idle_loop(void);
// The instret that passed while the hart was halted in WFI, since boot (NX_INFO_IDLE_INSTRET).
// Under `qemu -icount` instret is virtual time and runs on while the hart waits, e.g. for
// QEMU's I/O thread: a benchmark subtracts this to count only the instructions it caused.
uint64_t sched_idle_instret(void);

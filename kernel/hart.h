#pragma once
// Per-hart state. The kernel reaches its own hart through the current thread (tp): every
// thread records the hart it runs on, and each hart has an idle thread, current while it has
// nothing else to run, so tp is never NULL in the kernel. Nothing per hart is a plain global.
//
// Locking (docs/smp.md): the kernel runs under one big reader-writer lock, taken on every
// entry from user mode and by an idle hart that wakes, released on the way back to user mode
// and before an idle hart halts. Most paths take it exclusive; the IPC fast paths take it
// shared and lock what they share. Fields below marked "any hart" are read or written by
// other harts without the exclusive lock (atomics); everything else is touched only under it.
#define MAX_HARTS 8  // FDT_MAX_HARTS: harts the kernel schedules on

// trap.S and entry.S reach these fields by offset.
#define HART_TRAP_FRAME 0
#define HART_IN_USER 8
#define HART_LEAVE_AS 12
#define HART_SATP 16
#define HART_LOCK_SHARED 24

// The big lock's word: this bit while a hart holds it exclusive (or waits for the shared
// holders to leave), plus the count of shared holders.
#define BIG_LOCK_WRITER 0x80000000

// What an IPI asks for (bits of hart.ipi_pending).
#define IPI_RESCHEDULE 1u  // look at the run queue again (a thread was queued here, or killed)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>
#include "clock.h"
#include "runqueue.h"
#include "thread.h"
#include "timerq.h"

struct hart {
    uint64_t trap_frame;   // the frame at the top of its trap stack (kernel traps, trap.S)
    uint32_t in_user;      // any hart: 1 while it runs user code (the big lock is not held)
    uint32_t leave_as;     // any hart: asked to leave the address space it is in (hart_leave)
    uint64_t satp;         // its satp (the address space it is in)
    uint32_t lock_shared;  // it holds the big lock shared, not exclusive (trap.S)
    uint32_t index;        // its bit in affinities and in address spaces' hart sets
    uint64_t bit;          // 1 << index
    uint64_t hartid;
    struct thread idle;    // current while it idles (runs on its boot stack)
    struct thread *current;
    struct runqueue ready;
    struct thread *zombie;     // dead; its stack was in use when it switched away
    struct clock_timer slice;  // the running thread's time slice, while others wait for it
    bool slice_over;           // the slice timer fired: the next sched_preempt takes turns
    bool idling;               // halted or about to: a thread queued here needs an IPI
    bool tlb_stale;            // fenced lazily while idle: fence before running a thread
    struct timerq clock;       // its timers (clock.c): each fires on the hart that armed it
    uint64_t timer_deadline;   // what its timer is programmed for (timer.c)
    struct thread *fpu_owner;  // whose values its FP registers hold (fpu.c)
    uint64_t kstack_generation;  // the vm.h kstack_generation it last fenced for
    uint32_t ipi_pending;      // any hart: IPI_* bits not yet seen
    // Counters (NX_INFO_HART).
    uint64_t started_ns, idle_instret, idle_ns, ipis_sent, ipis_taken, timer_irqs, hand_offs,
        shared_maps;
};
_Static_assert(__builtin_offsetof(struct hart, trap_frame) == HART_TRAP_FRAME, "trap.S offset");
_Static_assert(__builtin_offsetof(struct hart, in_user) == HART_IN_USER, "trap.S offset");
_Static_assert(__builtin_offsetof(struct hart, leave_as) == HART_LEAVE_AS, "trap.S offset");
_Static_assert(__builtin_offsetof(struct hart, satp) == HART_SATP, "trap.S offset");
_Static_assert(__builtin_offsetof(struct hart, lock_shared) == HART_LOCK_SHARED, "trap.S offset");

extern struct hart harts[MAX_HARTS];
extern uint32_t nharts;   // harts started or tried (index 0 .. nharts-1)
extern uint64_t harts_online_mask;  // those that run (bit i: index i; the boot hart is 0)
extern uint32_t smp;      // nharts > 1: the big lock and cross-hart work are needed (trap.S)

static inline struct hart *this_hart(void)
{
    return current_thread->hart;
}

static inline uint64_t harts_online(void)
{
    return harts_online_mask;
}

// Make index the hart running this code: its idle thread current, its timer off. Returns it.
struct hart *hart_init(uint32_t index, uint64_t hartid, uint64_t trap_stack_top);
// Ask the harts in mask (not this one) for `what` (IPI_*), through one SBI send_ipi.
void hart_send_ipi(uint64_t mask, uint32_t what);
// An sfence.vma on each hart in mask (not this one), synchronous: of ASID asid's entries
// (0: every address space's) in [start, start + size) (size 0: everywhere). An idle hart
// fences everything when it next leaves its idle loop instead.
void harts_fence(uint64_t mask, uint64_t asid, uint64_t start, uint64_t size);
// The software interrupt: note what was asked (the caller looks at the run queue after).
void hart_ipi_interrupt(void);
// Big lock (trap.S): taken with interrupts off; a waiting hart serves leave_as meanwhile.
// The lock belongs to the hart: a thread switched to in the kernel returns to user mode
// releasing what its hart holds (lock_shared says which).
void big_lock_acquire(void);
void big_lock_release(void);
void big_lock_release_shared(void);
// From a shared path that cannot finish shared: give the shared lock up and take it
// exclusive (the caller holds no other lock); a thread killed meanwhile goes no further.
void big_lock_exclusive_instead(void);
// Its two steps, for a caller with work of its own to finish exclusive before a thread
// killed meanwhile goes (the kill waits for nothing: the thread just never returns).
void big_lock_exclusive_keeping_going(void);
void big_lock_end_if_dying(void);
// Make every other hart in mask stop translating through the address space with this satp:
// each switches to the kernel's page table, and this returns once all have (for a process
// being destroyed; the caller holds the big lock, and the process runs nowhere).
void harts_leave_address_space(uint64_t mask, uint64_t satp);
// Wait until thread t, current on another hart, is out of user mode there (that hart waits
// for the big lock this one holds, so t stays off user mode until it is released).
void hart_wait_out_of_user(struct thread *t);
#endif

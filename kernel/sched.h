#pragma once
// The scheduler of the boot hart: fixed priorities (runqueue.h), tickless time slices.

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
// A timer interrupt came: end the current slice if it is over.
void sched_timer_tick(void);
// Runs ready threads, sleeps in WFI with nothing armed when nothing is due, powers off
// when no process is left.
_Noreturn void sched_idle_loop(void);

#pragma once
// Threads: a kernel stack, saved user registers and a scheduling state.
#include <stdint.h>
#include "arch/riscv/trapframe.h"
#include "runqueue.h"

struct process;

enum thread_state { THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct thread {
    struct trapframe tf;     // offset 0: trap.S saves user registers here
    uint64_t kstack_top;     // offset THREAD_KSTACK_TOP: trap.S switches to this stack
    struct context ctx;      // kernel registers while switched out
    struct process *proc;
    struct rq_link rq;       // run queue link and priority (owned by the scheduler)
    struct thread *proc_next;  // sibling link in proc->threads
    enum thread_state state;
    uint32_t canary;         // detects kernel stack overflow into this struct
};

// The current thread lives in tp while the kernel runs (see trap.S).
register struct thread *current_thread __asm__("tp");

// A new thread of p that will enter user mode at pc with stack pointer sp and a0 = arg.
// It is not yet ready; NULL when out of memory.
struct thread *thread_create(struct process *p, uint64_t pc, uint64_t sp, uint64_t arg,
                             uint8_t priority);
// Release a dead thread's memory (never the running one).
void thread_free(struct thread *t);
// Abort if t's kernel stack overflowed.
void thread_check_stack(const struct thread *t);

#pragma once
// Threads: a kernel stack, saved user registers, a scheduling state, an IPC buffer and the
// state of whatever the thread is blocked on.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/ipc.h>
#include "arch/riscv/fpu.h"
#include "arch/riscv/trapframe.h"
#include "clock.h"
#include "object.h"
#include "runqueue.h"

#define AFFINITY_ANY UINT64_MAX  // a thread's affinity until it is pinned

struct hart;
struct process;
struct waitq;

enum thread_state { THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

struct thread {
    struct trapframe tf;     // offset 0: trap.S saves user registers here
    uint64_t kstack_top;     // offset THREAD_KSTACK_TOP: trap.S switches to this stack
    uint64_t out[6];         // offset THREAD_OUT: a1..a6 when a syscall returns
    struct hart *hart;       // offset THREAD_HART: the hart it runs or last ran on (hart.h)
    uint32_t dying;          // offset THREAD_DYING: killed while current on another hart
    struct context ctx;      // kernel registers while switched out
    struct kobject obj;      // handles to the thread; the process holds one reference
    struct process *proc;
    struct rq_link rq;       // run queue link and priority (owned by the scheduler)
    uint64_t affinity;       // the harts it may run on (bit i: hart index i)
    struct hart *rq_hart;    // whose run queue it is in while READY
    struct thread *proc_next;  // sibling link in proc->threads
    enum thread_state state;
    uint32_t slot;           // index of its IPC buffer page in the process
    struct nx_ipc_buffer *ipc;  // that page, through the direct map

    // While BLOCKED (sched_block): the queue it waits in and how to leave it.
    struct thread *wait_next, *wait_prev;  // waitq links (waitq.h)
    struct waitq *wait_queue;              // the queue those links are in
    void (*unblock)(struct thread *t);     // take t off its wait queue (timeout, kill)
    long wait_result;                      // what sched_block returns
    struct clock_timer wait_timer;         // the deadline, if any

    // IPC (endpoint.c).
    struct thread *caller;   // the thread whose call this thread received and owes a reply
    struct thread *server;   // while waiting for a reply: the thread that owes it (or NULL)
    uint64_t badge;          // while queued to send: the badge of the handle used
    uint64_t msg[1 + NX_MSG_WORDS];  // while queued to send: info and words
    bool caller_gone;        // the call this thread owed a reply to was abandoned

    struct fpu_regs fp;      // its FP registers while it is not running (fpu.h)
    struct hart *fp_hart;    // the hart whose FP registers it loaded last
};
// trap.S reaches these fields by the offsets of arch/riscv/trapframe.h.
_Static_assert(offsetof(struct thread, tf) == 0, "trap.S expects the trapframe first");
_Static_assert(offsetof(struct thread, kstack_top) == THREAD_KSTACK_TOP, "trap.S offset");
_Static_assert(offsetof(struct thread, out) == THREAD_OUT, "trap.S offset");
_Static_assert(offsetof(struct thread, hart) == THREAD_HART, "trap.S offset");
_Static_assert(offsetof(struct thread, dying) == THREAD_DYING, "trap.S offset");

#ifdef NEXUS_HOST
extern struct thread *current_thread;  // host unit tests set it
#else
// The current thread lives in tp while the kernel runs (see trap.S).
register struct thread *current_thread __asm__("tp");
#endif

// A new thread of p that will enter user mode at pc with stack pointer sp, a0 = arg and
// a1 = its IPC buffer address. It is linked into p but not ready yet. NX_ERR_NO_MEMORY
// (budget or pages) or NX_ERR_NO_SPACE (p has NX_PROCESS_MAX_THREADS threads).
int thread_create(struct process *p, uint64_t pc, uint64_t sp, uint64_t arg, uint8_t priority,
                  struct thread **out);
// End t: take it off every queue and wait, unlink it from its process, drop the process's
// reference. The current thread is left DEAD for the scheduler to switch away from.
void thread_kill(struct thread *t);
// End the current thread, and its process with status 0 if it was the last thread.
_Noreturn void thread_exit(void);

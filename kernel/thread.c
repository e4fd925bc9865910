// Thread objects. Each thread owns THREAD_PAGES contiguous pages (the struct at the top, its
// kernel stack growing down below it, with a guard page under its alias) and one IPC buffer
// page mapped into its process, all charged to the process's budget.
//
// Lifetime: a new thread holds one reference on itself ("it runs"), handles hold the others.
// thread_kill ends it at once except for its memory: the running reference is dropped as soon
// as nothing executes on its kernel stack (by the scheduler of the hart it is current on, the
// killer's or another), and the pages go with the last reference.
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "thread.h"
#include "console.h"
#include "endpoint.h"
#include "handle.h"
#include "lib/string.h"
#include "hart.h"
#include "panic.h"
#include "process.h"
#include "sched.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/pagetable.h"
#include "arch/riscv/vm.h"

// A thread's pages hold the struct at their top and its kernel stack below it. The stack is
// used through its alias in the kernel stack region (vm.c), whose guard page below it turns
// an overflow into a fault (reported as such) instead of a write over the direct map.
#define THREAD_PAGES KSTACK_PAGES
#define THREAD_OFFSET (KSTACK_SIZE - ((sizeof(struct thread) + 15) & ~15UL))  // the struct

// The struct shares its pages with the kernel stack (not a slab slot: the stack needs the
// pages anyway, and the canary at its end detects an overflow into it).
_Static_assert(sizeof(struct thread) < 1280, "leave most of the pages to the stack");

// The physical address of t's pages.
static paddr_t thread_pages(const struct thread *t)
{
    return kva_to_pa(t) - THREAD_OFFSET;
}
_Static_assert(NX_PROCESS_MAX_THREADS <= 64, "thread_slots is one word");


static uint64_t ipc_buffer_va(uint32_t slot)
{
    return NX_IPC_BUFFER_BASE + (uint64_t)slot * PAGE_SIZE;
}

static void thread_destroy(struct kobject *obj)
{
    struct thread *t = (struct thread *)((char *)obj - offsetof(struct thread, obj));
    struct process *p = t->proc;
    vm_unmap_kstack(thread_pages(t));
    budget_free(&p->budget, thread_pages(t), THREAD_PAGES);
    kobject_unref(&p->obj);
}

// Take a free IPC buffer slot of p (thread_create checked there is one) and map a fresh page
// there.
static int map_ipc_buffer(struct process *p, struct thread *t)
{
    uint32_t slot = (uint32_t)__builtin_ctzll(~p->thread_slots);
    paddr_t pa = budget_alloc(&p->budget, 1);
    if (!pa)
        return NX_ERR_NO_MEMORY;
    uint64_t flags = pte_user_flags(NX_PROT_READ | NX_PROT_WRITE);
    if (pt_map(p->root, ipc_buffer_va(slot), pa, PAGE_SIZE, flags, 0)) {
        budget_free(&p->budget, pa, 1);
        return NX_ERR_NO_MEMORY;
    }
    p->thread_slots |= 1ull << slot;
    t->slot = slot;
    t->ipc = pa_to_kva(pa);
    return NX_OK;
}

static void unmap_ipc_buffer(struct process *p, struct thread *t)
{
    pt_unmap(p->root, ipc_buffer_va(t->slot), PAGE_SIZE, false);
    process_flush_tlb(p);
    budget_free(&p->budget, kva_to_pa(t->ipc), 1);
    p->thread_slots &= ~(1ull << t->slot);
    t->ipc = NULL;
}

int thread_create(struct process *p, uint64_t pc, uint64_t sp, uint64_t arg, uint8_t priority,
                  struct thread **out)
{
    if (p->state != PROCESS_ALIVE)
        return NX_ERR_BAD_STATE;
    if (p->thread_slots == UINT64_MAX)
        return NX_ERR_NO_SPACE;
    // Every page checked against the budget before the first is taken; only the kernel
    // running out of pages can still fail a step, whose pages the step then gives back.
    if (!budget_room(&p->budget, THREAD_PAGES + 1))
        return NX_ERR_NO_MEMORY;
    // The stack's pages need no zeroing, only the thread struct at their top.
    paddr_t pa = budget_alloc_unzeroed(&p->budget, THREAD_PAGES, THREAD_PAGES);
    if (!pa)
        return NX_ERR_NO_MEMORY;
    struct thread *t = (struct thread *)((char *)pa_to_kva(pa) + THREAD_OFFSET);
    memset(t, 0, KSTACK_SIZE - THREAD_OFFSET);
    uint64_t stack;
    int err = vm_map_kstack(pa, &stack);
    if (!err) {
        err = map_ipc_buffer(p, t);
        if (err)
            vm_unmap_kstack(pa);
    }
    if (err) {
        budget_free(&p->budget, pa, THREAD_PAGES);
        return err;
    }
    kobject_init(&t->obj, NX_OBJ_THREAD, thread_destroy);
    kobject_ref(&p->obj);
    t->kstack_top = stack + THREAD_OFFSET;
    t->tf.epc = pc;
    t->tf.regs[REG_SP] = sp;
    t->tf.regs[REG_A0] = arg;
    t->tf.regs[REG_A1] = ipc_buffer_va(t->slot);
    t->tf.status = SSTATUS_SPIE;  // SPP = U, FP off until first used (fpu.h)
    t->ctx.ra = (uint64_t)sched_thread_start;
    t->ctx.sp = t->kstack_top;
    t->proc = p;
    t->state = THREAD_BLOCKED;
    t->rq.priority = priority;
    t->affinity = AFFINITY_ANY;
    t->smp = smp;
    t->proc_next = p->threads;
    p->threads = t;
    *out = t;
    return NX_OK;
}

static void unlink_thread(struct process *p, struct thread *t)
{
    struct thread **pp = &p->threads;
    while (*pp != t)
        pp = &(*pp)->proc_next;
    *pp = t->proc_next;
}

void thread_kill(struct thread *t)
{
    struct process *p = t->proc;
    if (t->state == THREAD_DEAD)
        return;
    bool running = t->state == THREAD_RUNNING;
    if (running && t != current_thread) {
        // Current on another hart, which holds no lock: wait until it is out of user mode
        // (waiting for the lock this hart holds); it switches away as it gets it.
        hart_wait_out_of_user(t);
        t->dying = 1;
    }
    if (t->state == THREAD_BLOCKED)
        sched_cancel_wait(t);
    else if (t->state == THREAD_READY)
        sched_remove(t);
    endpoint_thread_exit(t);
    unmap_ipc_buffer(p, t);
    unlink_thread(p, t);
    fpu_forget(t);
    t->state = THREAD_DEAD;
    if (!running)
        kobject_unref(&t->obj);  // else the scheduler drops it once off t's stack
}

_Noreturn void thread_exit(void)
{
    struct thread *t = current_thread;
    struct process *p = t->proc;
    thread_kill(t);
    if (!p->threads) {
        process_report_exit(p, 0);
        process_end(p, 0);
    }
    sched_switch();
    panic("dead thread was scheduled");
}

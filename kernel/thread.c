// Thread objects. Each thread owns THREAD_PAGES contiguous pages: the struct at the bottom,
// its kernel stack growing down from the top.
#include <stddef.h>
#include "thread.h"
#include "panic.h"
#include "pmm.h"
#include "arch/riscv/csr.h"

#define THREAD_PAGES 2
#define THREAD_CANARY 0x6e657572u

_Static_assert(offsetof(struct thread, tf) == 0, "trap.S expects the trapframe first");
_Static_assert(offsetof(struct thread, kstack_top) == THREAD_KSTACK_TOP, "trap.S offset");
_Static_assert(offsetof(struct trapframe, epc) == TF_EPC, "trap.S offset");
_Static_assert(offsetof(struct trapframe, status) == TF_STATUS, "trap.S offset");
_Static_assert(offsetof(struct trapframe, cause) == TF_CAUSE, "trap.S offset");
_Static_assert(offsetof(struct trapframe, tval) == TF_TVAL, "trap.S offset");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trap.S frame size");
_Static_assert(sizeof(struct context) == CTX_SIZE, "switch.S context size");
_Static_assert(sizeof(struct thread) < 1024, "leave most of the pages to the stack");

void user_return(void);  // trap.S

struct thread *thread_create(struct process *p, uint64_t pc, uint64_t sp, uint64_t arg,
                             uint8_t priority)
{
    paddr_t pa = pmm_alloc_contig(THREAD_PAGES, 1);
    if (!pa)
        return NULL;
    struct thread *t = pa_to_kva(pa);
    t->kstack_top = (uint64_t)t + THREAD_PAGES * PAGE_SIZE;
    t->tf.epc = pc;
    t->tf.regs[REG_SP] = sp;
    t->tf.regs[REG_A0] = arg;
    t->tf.status = SSTATUS_SPIE;  // SPP = U, floating point off (user ABI is lp64)
    t->ctx.ra = (uint64_t)user_return;
    t->ctx.sp = t->kstack_top;
    t->proc = p;
    t->state = THREAD_BLOCKED;
    t->rq.priority = priority;
    t->canary = THREAD_CANARY;
    return t;
}

void thread_check_stack(const struct thread *t)
{
    if (t->canary != THREAD_CANARY)
        panic("kernel stack overflow in thread %p", (const void *)t);
}

void thread_free(struct thread *t)
{
    thread_check_stack(t);
    pmm_free_contig(kva_to_pa(t), THREAD_PAGES);
}

// C side of trap handling: interrupts, user faults (map a VMO page, or end the process) and
// kernel faults (panic).
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "aspace.h"
#include "clock.h"
#include "hart.h"
#include "console.h"
#include "irq.h"
#include "panic.h"
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/fpu.h"
#include "arch/riscv/plic.h"
#include "arch/riscv/trapframe.h"
#include "arch/riscv/vm.h"

void user_trap(struct thread *t);
void kernel_trap(struct trapframe *f);

static const char *cause_name(uint64_t cause)
{
    static const char *const names[] = {
        [CAUSE_INSN_MISALIGNED] = "misaligned instruction fetch",
        [CAUSE_INSN_ACCESS] = "instruction access fault",
        [CAUSE_ILLEGAL_INSN] = "illegal instruction",
        [CAUSE_BREAKPOINT] = "breakpoint",
        [CAUSE_LOAD_MISALIGNED] = "misaligned load",
        [CAUSE_LOAD_ACCESS] = "load access fault",
        [CAUSE_STORE_MISALIGNED] = "misaligned store",
        [CAUSE_STORE_ACCESS] = "store access fault",
        [CAUSE_ECALL_U] = "ecall from U-mode",
        [CAUSE_ECALL_S] = "ecall from S-mode",
        [CAUSE_INSN_PAGE_FAULT] = "instruction page fault",
        [CAUSE_LOAD_PAGE_FAULT] = "load page fault",
        [CAUSE_STORE_PAGE_FAULT] = "store page fault",
    };
    if (cause < sizeof(names) / sizeof(names[0]) && names[cause])
        return names[cause];
    return "unknown exception";
}

// Device interrupts go to their IRQ objects (irq.c), which also mask lines nobody owns.
static void external_interrupt(void)
{
    uint32_t line;
    while ((line = plic_claim()) != 0)
        irq_interrupt(line);
}

static void interrupt(uint64_t cause)
{
    switch (cause & ~SCAUSE_INTERRUPT) {
    case IRQ_S_TIMER: clock_interrupt(); break;
    case IRQ_S_EXT: external_interrupt(); break;
    case IRQ_S_SOFT: hart_ipi_interrupt(); break;
    default: kprintf("NEURON: spurious interrupt %lx\n", cause); break;
    }
}

// The access a page fault wanted (NX_PROT_*), or 0 if the cause is not a page fault.
static uint32_t fault_access(uint64_t cause)
{
    switch (cause) {
    case CAUSE_INSN_PAGE_FAULT: return NX_PROT_EXEC;
    case CAUSE_LOAD_PAGE_FAULT: return NX_PROT_READ;
    case CAUSE_STORE_PAGE_FAULT: return NX_PROT_WRITE;
    default: return 0;
    }
}

// Why a page of a paged VMO could not be had.
static const char *pager_error_name(int err)
{
    switch (err) {
    case NX_ERR_TIMED_OUT: return "page fault: the pager did not supply the page in time";
    case NX_ERR_PEER_CLOSED: return "page fault: the pager is gone or gave the page up";
    case NX_ERR_NO_SPACE: return "page fault: the pager's request queue is full";
    case NX_ERR_NOT_FOUND: return "page fault: past the end of the file (the pager has no such page)";
    default: return "page fault: the pager failed the page";
    }
}

void user_trap(struct thread *t)
{
    uint64_t cause = t->tf.cause, status = t->tf.status;
    fpu_trapped(t, status);
    if (cause & SCAUSE_INTERRUPT) {
        interrupt(cause);
        sched_preempt();
        return;
    }
    // A thread's first FP instruction traps: that is how it gets the FP registers (fpu.h).
    if (cause == CAUSE_ILLEGAL_INSN && fpu_claim(t, status))
        return;
    // A page fault inside a VMO mapping is how its pages get mapped (lazily).
    uint32_t access = fault_access(cause);
    int err = access ? aspace_fault(t->proc, t->tf.tval, access) : NX_ERR_BAD_ADDRESS;
    if (err == NX_ERR_NO_MEMORY)
        process_kill_current("out of memory for a page", t->tf.epc, t->tf.tval);
    if (err && err != NX_ERR_BAD_ADDRESS)  // a paged VMO's page (pager.h)
        process_kill_current(pager_error_name(err), t->tf.epc, t->tf.tval);
    if (err)
        process_kill_current(cause_name(cause), t->tf.epc, t->tf.tval);
}

static void dump_registers(const struct trapframe *f)
{
    static const char *const names[32] = {
        "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
        "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
        "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
    };
    for (int i = 1; i < 32; i++)
        kprintf("%4s %016lx%s", names[i], f->regs[i], i % 4 == 3 ? "\n" : "  ");
    kprintf("\n");
}

void kernel_trap(struct trapframe *f)
{
    if (f->cause & SCAUSE_INTERRUPT) {
        interrupt(f->cause);
        return;
    }
    console_panic();
    kprintf("\nNEURON PANIC: kernel trap: %s%s\n", cause_name(f->cause),
            vm_is_stack_guard(f->tval) ? " (kernel stack overflow)" : "");
    kprintf("scause %016lx  sepc %016lx  stval %016lx  sstatus %016lx\n", f->cause, f->epc,
            f->tval, f->status);
    dump_registers(f);
    panic("unrecoverable kernel fault");
}

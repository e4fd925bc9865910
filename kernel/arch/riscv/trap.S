// Trap entry and exit. One vector for both modes: sscratch holds the current thread while the
// hart runs user code and 0 while it runs kernel code, so the first instruction tells them apart.
#
// System calls take a short path: the syscall ABI treats ecall as a function call (see
// include/nexus/syscall.h), so only sp, gp, tp and the return pc are saved; the C handler
// keeps s0-s11 itself. Interrupts and faults from user mode save every register in the thread's
// trapframe. tp always holds the current thread while the kernel runs.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "arch/riscv/csr.h"
#include "arch/riscv/fpu.h"
#include "arch/riscv/trapframe.h"
#include "hart.h"

#define SYSCALL_ENTRY(num, name, ...) .dword sys_##name;
#define SYSCALL_ONE(...) + 1
#define SYSCALL_COUNT (0 NX_SYSCALLS(SYSCALL_ONE))

// Save or load every register but sp, tp and t0 (each path treats those itself).
    .macro gprs op, base
    \op ra, TF_REG(1)(\base)
    \op gp, TF_REG(3)(\base)
    \op t1, TF_REG(6)(\base)
    \op t2, TF_REG(7)(\base)
    \op s0, TF_REG(8)(\base)
    \op s1, TF_REG(9)(\base)
    \op a0, TF_REG(10)(\base)
    \op a1, TF_REG(11)(\base)
    \op a2, TF_REG(12)(\base)
    \op a3, TF_REG(13)(\base)
    \op a4, TF_REG(14)(\base)
    \op a5, TF_REG(15)(\base)
    \op a6, TF_REG(16)(\base)
    \op a7, TF_REG(17)(\base)
    \op s2, TF_REG(18)(\base)
    \op s3, TF_REG(19)(\base)
    \op s4, TF_REG(20)(\base)
    \op s5, TF_REG(21)(\base)
    \op s6, TF_REG(22)(\base)
    \op s7, TF_REG(23)(\base)
    \op s8, TF_REG(24)(\base)
    \op s9, TF_REG(25)(\base)
    \op s10, TF_REG(26)(\base)
    \op s11, TF_REG(27)(\base)
    \op t3, TF_REG(28)(\base)
    \op t4, TF_REG(29)(\base)
    \op t5, TF_REG(30)(\base)
    \op t6, TF_REG(31)(\base)
    .endm

// Record why and where the trap happened (clobbers t0).
    .macro trap_csrs base
    csrr t0, sepc
    sd t0, TF_EPC(\base)
    csrr t0, sstatus
    sd t0, TF_STATUS(\base)
    csrr t0, scause
    sd t0, TF_CAUSE(\base)
    csrr t0, stval
    sd t0, TF_TVAL(\base)
    .endm


// The big lock (hart.c): {word, unused, sleepers}, word = BIG_LOCK_WRITER while held
// exclusive, plus the count of shared holders. The uncontended paths are here, where a call
// would cost saving the syscall's arguments: set the writer bit (or add one) and go on if
// the word was 0 (had no writer bit); release by clearing the bit (taking one off), then wake
// the harts asleep waiting (if any).
    .macro big_lock lock, old
    la \lock, big_lock
    li \old, BIG_LOCK_WRITER
    amoor.w.aq \old, \old, (\lock)
    beqz \old, .Ltaken\@
    mv t0, \old
    la t1, big_lock_wait
    call call_keeping_args
.Ltaken\@:
    .endm

    .macro big_lock_shared hart, lock, old
    la \lock, big_lock
    li \old, 1
    amoadd.w.aq \old, \old, (\lock)
    bgez \old, .Ltaken\@  // the writer bit is the sign bit of the loaded word
    mv t0, \hart
    la t1, big_lock_wait_shared
    call call_keeping_args
.Ltaken\@:
    .endm

// Release what the hart in t0 holds.
    .macro big_unlock lock, tmp
    la \lock, big_lock
    lw \tmp, HART_LOCK_SHARED(t0)
    bnez \tmp, .Lshared\@
    li \tmp, ~BIG_LOCK_WRITER
    amoand.w.rl zero, \tmp, (\lock)
    j .Lreleased\@
.Lshared\@:
    sw zero, HART_LOCK_SHARED(t0)
    li \tmp, -1
    amoadd.w.rl zero, \tmp, (\lock)
.Lreleased\@:
    fence rw, rw
    lw \tmp, 8(\lock)
    beqz \tmp, .Lnone\@
    la t1, big_lock_wake_sleepers
    call call_keeping_args
.Lnone\@:
    .endm

// Call the handler of syscall a7 with the arguments in a0..a6; a0 = its result, or
// NX_ERR_BAD_SYSCALL for a number past the table.
    .macro dispatch
    li t1, SYSCALL_COUNT
    bgeu a7, t1, .Lbad\@
    la t0, syscall_table
    slli t1, a7, 3
    add t0, t0, t1
    ld t0, 0(t0)
    jalr t0
    j .Ldone\@
.Lbad\@:
    li a0, NX_ERR_BAD_SYSCALL
.Ldone\@:
    .endm

// From user mode, with several harts: out of user mode, then the lock; a thread killed by
// another hart meanwhile (THREAD_DYING) goes no further.
    .macro enter_kernel
    ld t0, THREAD_HART(tp)
    sw zero, HART_IN_USER(t0)
    big_lock t1, t2
    lw t1, THREAD_DYING(tp)
    bnez t1, thread_dying
    .endm

    .macro leave_kernel
    ld t0, THREAD_HART(tp)
    li t1, 1
    sw t1, HART_IN_USER(t0)
    big_unlock t2, t1
    .endm

// The slow paths, out of line: call the C function in t1 with t0 as its argument, every
// argument register kept (a syscall's arguments, or its result), temporaries and ra clobbered.
call_keeping_args:
    addi sp, sp, -80
    sd ra, 0(sp)
    sd a0, 8(sp)
    sd a1, 16(sp)
    sd a2, 24(sp)
    sd a3, 32(sp)
    sd a4, 40(sp)
    sd a5, 48(sp)
    sd a6, 56(sp)
    sd a7, 64(sp)
    mv a0, t0
    jalr t1
    ld ra, 0(sp)
    ld a0, 8(sp)
    ld a1, 16(sp)
    ld a2, 24(sp)
    ld a3, 32(sp)
    ld a4, 40(sp)
    ld a5, 48(sp)
    ld a6, 56(sp)
    ld a7, 64(sp)
    addi sp, sp, 80
    ret

    .section .text
    .align 4
    .globl trap_entry
trap_entry:
    csrrw tp, sscratch, tp
    beqz tp, kernel_entry
    sd sp, TF_REG(2)(tp)
    csrr sp, scause  // sp is free until the kernel stack: t0 stays the user's for the slow path
    addi sp, sp, -CAUSE_ECALL_U
    bnez sp, user_trap_slow
    ld sp, THREAD_KSTACK_TOP(tp)

    csrrw t0, sscratch, zero  // user tp; sscratch = 0 while in the kernel
    sd t0, TF_REG(4)(tp)
    sd gp, TF_REG(3)(tp)  // another thread may run before this one returns
    csrr t0, sepc
    addi t0, t0, 4
    sd t0, TF_EPC(tp)
    lw t1, THREAD_SMP(tp)
    bnez t1, syscall_smp
    li t1, SYSCALL_COUNT
    bgeu a7, t1, bad_syscall
    la t0, syscall_table
    slli t1, a7, 3
    add t0, t0, t1
    ld t0, 0(t0)
    jalr t0
syscall_dispatched:  // a handler returns here; ipc_switch tells its callers by it
syscall_exit:  // a0 = result, tp = thread returning to user
    // a1..a6 are the thread's message registers (IPC results)
    ld a1, THREAD_OUT+0(tp)
    ld a2, THREAD_OUT+8(tp)
    ld a3, THREAD_OUT+16(tp)
    ld a4, THREAD_OUT+24(tp)
    ld a5, THREAD_OUT+32(tp)
    ld a6, THREAD_OUT+40(tp)
syscall_exit_message:  // the same with a1..a6 already loaded
    ld t0, TF_EPC(tp)
    csrw sepc, t0
    csrw sscratch, tp
    // The other registers the ABI says an ecall clobbers are zeroed, so no kernel value is
    // ever handed back.
    ld gp, TF_REG(3)(tp)
    ld sp, TF_REG(2)(tp)
    ld tp, TF_REG(4)(tp)
    li ra, 0
    li t0, 0
    li t1, 0
    li t2, 0
    li t3, 0
    li t4, 0
    li t5, 0
    li t6, 0
    li a7, 0
    sret

bad_syscall:
    li a0, NX_ERR_BAD_SYSCALL
    j syscall_exit

// long ipc_switch(from, a1..a6, to) (trapframe.h), for sched_ipc_switch. Called straight
// from the one-hart dispatch (ra = syscall_dispatched: the handler and everything after it
// tail calls), the thread leaving has nothing on its kernel stack: its context is the user's
// s0-s11 and ipc_resume. If the thread coming left the same way, its registers come back and
// it returns to user mode at once, with its message registers from a1..a6 and NX_OK (nothing
// to reap: a switch from a dying thread is always followed by the reap, so there is no
// zombie while a thread makes a syscall).
ipc_resume:  // load_context returns here to a thread ipc_switch switched out
    ld sp, THREAD_KSTACK_TOP(tp)
    call sched_ipc_resumed
    j syscall_exit

    .globl ipc_switch
ipc_switch:
    li t0, SSTATUS_FS  // FP off: fpu.h
    csrc sstatus, t0
    la t0, syscall_dispatched
    bne ra, t0, ipc_switch_framed
    la t0, ipc_resume
    sd t0, CTX_RA(a0)  // sp needs no saving: the kernel stack's top (ipc_resume)
    context_s sd, a0
    ld t1, CTX_RA(a7)
    bne t1, t0, ipc_switch_general
    context_s ld, a7
    li a0, NX_OK
    j syscall_exit_message
ipc_switch_general:  // the thread coming left another way: its own way back
    mv a1, a7
    j load_context
ipc_switch_framed:  // a caller with a frame: the plain switch
    addi sp, sp, -16
    sd ra, 0(sp)
    mv a1, a7
    call switch_context
    ld ra, 0(sp)
    addi sp, sp, 16
    tail sched_ipc_resumed
// With several harts, the lock around the call. A thread keeps to one of the two paths (smp
// is set before the first thread is made), and a blocked syscall returns the way it came,
// so the one-hart path needs no test on the way out. A syscall with a shared handler
// (syscall.c) takes the lock shared; the handler takes it exclusive itself (and calls the
// general handler) when it cannot finish shared.
syscall_smp:  // the arguments are in a0..a7: only temporaries are used
    li t1, SYSCALL_COUNT
    bgeu a7, t1, 1f
    la t0, syscall_shared_table
    slli t1, a7, 3
    add t0, t0, t1
    ld t0, 0(t0)
    bnez t0, syscall_shared
1:  enter_kernel
    dispatch
    leave_kernel
    j syscall_exit

syscall_shared:
    ld t0, THREAD_HART(tp)
    sw zero, HART_IN_USER(t0)
    big_lock_shared t0, t1, t2
    ld t0, THREAD_HART(tp)  // the slow path of the take kept only the arguments
    li t1, 1
    sw t1, HART_LOCK_SHARED(t0)
    lw t1, THREAD_DYING(tp)
    beqz t1, 1f
    call big_lock_exclusive_instead  // killed meanwhile: goes on to thread_dying
1:  la t0, syscall_shared_table
    slli t1, a7, 3
    add t0, t0, t1
    ld t0, 0(t0)
    jalr t0
    leave_kernel
    j syscall_exit

user_trap_slow:
    ld sp, THREAD_KSTACK_TOP(tp)
    sd t0, TF_REG(5)(tp)
    gprs sd, tp
    csrrw t0, sscratch, zero
    sd t0, TF_REG(4)(tp)
    trap_csrs tp
    lw t0, THREAD_SMP(tp)
    beqz t0, 1f
    enter_kernel
1:  mv a0, tp
    call user_trap

    // Resume the thread in tp with every register from its trapframe. New threads start here.
    .globl user_return
user_return:
    lw t0, THREAD_SMP(tp)
    beqz t0, 1f
    leave_kernel
1:  ld t0, TF_EPC(tp)
    csrw sepc, t0
    ld t0, TF_STATUS(tp)
    csrw sstatus, t0
    csrw sscratch, tp
    gprs ld, tp
    ld sp, TF_REG(2)(tp)
    ld t0, TF_REG(5)(tp)
    ld tp, TF_REG(4)(tp)
    sret

// A trap taken in S-mode: an interrupt while the hart idles, or a kernel bug. Neither nests
// (interrupts stay off meanwhile; a bug panics), so it runs on its own trap stack, with the
// frame in trapframe layout at its top so a panic can print every register. The stack that
// was running may be unusable: a kernel stack overflow faults on its guard page with sp there.
kernel_entry:
    csrr tp, sscratch  // the kernel's tp: the current thread, and through it the hart
    ld tp, THREAD_HART(tp)
    ld tp, HART_TRAP_FRAME(tp)
    sd sp, TF_REG(2)(tp)
    mv sp, tp
    csrrw tp, sscratch, zero  // back to the kernel's tp; sscratch stays 0
    sd tp, TF_REG(4)(sp)
    sd t0, TF_REG(5)(sp)
    gprs sd, sp
    trap_csrs sp
    mv a0, sp
    call kernel_trap
    ld t0, TF_EPC(sp)
    csrw sepc, t0
    ld t0, TF_STATUS(sp)
    csrw sstatus, t0
    gprs ld, sp
    ld t0, TF_REG(5)(sp)
    ld sp, TF_REG(2)(sp)
    sret

// The handlers by number, from NX_SYSCALLS: each is called with the seven argument registers,
// which kernel/syscall.h makes exact (every parameter is a whole register).
    .section .rodata
    .align 3
syscall_table:
    NX_SYSCALLS(SYSCALL_ENTRY)

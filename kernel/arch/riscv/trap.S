// Trap entry and exit. One vector for both modes: sscratch holds the current thread while the
// hart runs user code and 0 while it runs kernel code, so the first instruction tells them apart.
#
// System calls take a short path: the syscall ABI treats ecall as a function call (see
// include/nexus/syscall.h), so only sp, tp and the return pc are saved; the C handler keeps
// s0-s11 itself. Interrupts and faults from user mode save every register in the thread's
// trapframe. tp always holds the current thread while the kernel runs.
#include "arch/riscv/trapframe.h"

    .section .text
    .align 4
    .globl trap_entry
trap_entry:
    csrrw tp, sscratch, tp
    beqz tp, kernel_entry
    sd sp, TF_REG(2)(tp)
    sd t0, TF_REG(5)(tp)
    ld sp, THREAD_KSTACK_TOP(tp)
    csrr t0, scause
    addi t0, t0, -8  // CAUSE_ECALL_U
    bnez t0, user_trap_slow

    csrrw t0, sscratch, zero  // user tp; sscratch = 0 while in the kernel
    sd t0, TF_REG(4)(tp)
    csrr t0, sepc
    addi t0, t0, 4
    sd t0, TF_EPC(tp)
    ld t1, syscall_count
    bgeu a7, t1, 1f
    la t0, syscall_table
    slli t1, a7, 3
    add t0, t0, t1
    ld t0, 0(t0)
    jalr t0
    j syscall_return
1:  li a0, -1  // NX_ERR_BAD_SYSCALL

    .globl syscall_return
syscall_return:  // a0 = result, tp = thread returning to user
    ld t0, TF_EPC(tp)
    csrw sepc, t0
    csrw sscratch, tp
    ld sp, TF_REG(2)(tp)
    ld tp, TF_REG(4)(tp)
    // Never hand kernel values back in the registers the ABI says an ecall clobbers.
    li ra, 0
    li t0, 0
    li t1, 0
    li t2, 0
    li t3, 0
    li t4, 0
    li t5, 0
    li t6, 0
    li a1, 0
    li a2, 0
    li a3, 0
    li a4, 0
    li a5, 0
    li a6, 0
    li a7, 0
    sret

user_trap_slow:
    sd ra, TF_REG(1)(tp)
    sd gp, TF_REG(3)(tp)
    sd t1, TF_REG(6)(tp)
    sd t2, TF_REG(7)(tp)
    sd s0, TF_REG(8)(tp)
    sd s1, TF_REG(9)(tp)
    sd a0, TF_REG(10)(tp)
    sd a1, TF_REG(11)(tp)
    sd a2, TF_REG(12)(tp)
    sd a3, TF_REG(13)(tp)
    sd a4, TF_REG(14)(tp)
    sd a5, TF_REG(15)(tp)
    sd a6, TF_REG(16)(tp)
    sd a7, TF_REG(17)(tp)
    sd s2, TF_REG(18)(tp)
    sd s3, TF_REG(19)(tp)
    sd s4, TF_REG(20)(tp)
    sd s5, TF_REG(21)(tp)
    sd s6, TF_REG(22)(tp)
    sd s7, TF_REG(23)(tp)
    sd s8, TF_REG(24)(tp)
    sd s9, TF_REG(25)(tp)
    sd s10, TF_REG(26)(tp)
    sd s11, TF_REG(27)(tp)
    sd t3, TF_REG(28)(tp)
    sd t4, TF_REG(29)(tp)
    sd t5, TF_REG(30)(tp)
    sd t6, TF_REG(31)(tp)
    csrrw t0, sscratch, zero
    sd t0, TF_REG(4)(tp)
    csrr t0, sepc
    sd t0, TF_EPC(tp)
    csrr t0, sstatus
    sd t0, TF_STATUS(tp)
    csrr t0, scause
    sd t0, TF_CAUSE(tp)
    csrr t0, stval
    sd t0, TF_TVAL(tp)
    mv a0, tp
    call user_trap

    // Resume the thread in tp with every register from its trapframe. New threads start here.
    .globl user_return
user_return:
    ld t0, TF_EPC(tp)
    csrw sepc, t0
    ld t0, TF_STATUS(tp)
    csrw sstatus, t0
    csrw sscratch, tp
    ld ra, TF_REG(1)(tp)
    ld sp, TF_REG(2)(tp)
    ld gp, TF_REG(3)(tp)
    ld t0, TF_REG(5)(tp)
    ld t1, TF_REG(6)(tp)
    ld t2, TF_REG(7)(tp)
    ld s0, TF_REG(8)(tp)
    ld s1, TF_REG(9)(tp)
    ld a0, TF_REG(10)(tp)
    ld a1, TF_REG(11)(tp)
    ld a2, TF_REG(12)(tp)
    ld a3, TF_REG(13)(tp)
    ld a4, TF_REG(14)(tp)
    ld a5, TF_REG(15)(tp)
    ld a6, TF_REG(16)(tp)
    ld a7, TF_REG(17)(tp)
    ld s2, TF_REG(18)(tp)
    ld s3, TF_REG(19)(tp)
    ld s4, TF_REG(20)(tp)
    ld s5, TF_REG(21)(tp)
    ld s6, TF_REG(22)(tp)
    ld s7, TF_REG(23)(tp)
    ld s8, TF_REG(24)(tp)
    ld s9, TF_REG(25)(tp)
    ld s10, TF_REG(26)(tp)
    ld s11, TF_REG(27)(tp)
    ld t3, TF_REG(28)(tp)
    ld t4, TF_REG(29)(tp)
    ld t5, TF_REG(30)(tp)
    ld t6, TF_REG(31)(tp)
    ld tp, TF_REG(4)(tp)
    sret

// A trap taken in S-mode: an interrupt while the hart idles, or a kernel bug. The frame goes
// on the current kernel stack in trapframe layout so a panic can print every register.
kernel_entry:
    csrrw tp, sscratch, zero  // back to the kernel's tp; sscratch stays 0
    addi sp, sp, -TF_SIZE
    sd ra, TF_REG(1)(sp)
    sd gp, TF_REG(3)(sp)
    sd tp, TF_REG(4)(sp)
    sd t0, TF_REG(5)(sp)
    sd t1, TF_REG(6)(sp)
    sd t2, TF_REG(7)(sp)
    sd s0, TF_REG(8)(sp)
    sd s1, TF_REG(9)(sp)
    sd a0, TF_REG(10)(sp)
    sd a1, TF_REG(11)(sp)
    sd a2, TF_REG(12)(sp)
    sd a3, TF_REG(13)(sp)
    sd a4, TF_REG(14)(sp)
    sd a5, TF_REG(15)(sp)
    sd a6, TF_REG(16)(sp)
    sd a7, TF_REG(17)(sp)
    sd s2, TF_REG(18)(sp)
    sd s3, TF_REG(19)(sp)
    sd s4, TF_REG(20)(sp)
    sd s5, TF_REG(21)(sp)
    sd s6, TF_REG(22)(sp)
    sd s7, TF_REG(23)(sp)
    sd s8, TF_REG(24)(sp)
    sd s9, TF_REG(25)(sp)
    sd s10, TF_REG(26)(sp)
    sd s11, TF_REG(27)(sp)
    sd t3, TF_REG(28)(sp)
    sd t4, TF_REG(29)(sp)
    sd t5, TF_REG(30)(sp)
    sd t6, TF_REG(31)(sp)
    addi t0, sp, TF_SIZE
    sd t0, TF_REG(2)(sp)
    csrr t0, sepc
    sd t0, TF_EPC(sp)
    csrr t0, sstatus
    sd t0, TF_STATUS(sp)
    csrr t0, scause
    sd t0, TF_CAUSE(sp)
    csrr t0, stval
    sd t0, TF_TVAL(sp)
    mv a0, sp
    call kernel_trap
    ld t0, TF_EPC(sp)
    csrw sepc, t0
    ld t0, TF_STATUS(sp)
    csrw sstatus, t0
    ld ra, TF_REG(1)(sp)
    ld t0, TF_REG(5)(sp)
    ld t1, TF_REG(6)(sp)
    ld t2, TF_REG(7)(sp)
    ld a0, TF_REG(10)(sp)
    ld a1, TF_REG(11)(sp)
    ld a2, TF_REG(12)(sp)
    ld a3, TF_REG(13)(sp)
    ld a4, TF_REG(14)(sp)
    ld a5, TF_REG(15)(sp)
    ld a6, TF_REG(16)(sp)
    ld a7, TF_REG(17)(sp)
    ld t3, TF_REG(28)(sp)
    ld t4, TF_REG(29)(sp)
    ld t5, TF_REG(30)(sp)
    ld t6, TF_REG(31)(sp)
    addi sp, sp, TF_SIZE
    sret

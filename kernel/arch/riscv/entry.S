// Kernel entry from OpenSBI: a0 = hart id, a1 = physical address of the device tree, MMU off,
// running at the load address (0x80200000). Turn on a boot page table that maps the first
// GiB of RAM both at its physical address and at the kernel's link address (and the direct
// map), jump high, clear
// BSS (not the stacks: see below) and call kmain(hartid, dtb, entry_instret).
#include "arch/riscv/csr.h"
#include "arch/riscv/pte.h"
#include "arch/riscv/sbi.h"

#include "arch/riscv/trapframe.h"

    .section .text.entry
    .globl _start
_start:
    rdinstret s2  // for the boot-time benchmark: first kernel instruction
    // One hart boots the kernel. Firmware that lets several in here (OpenSBI keeps them, but
    // not every boot chain does) gets the others back, stopped through SBI HSM: harts_start
    // starts them at secondary_entry once the kernel is up.
    la t0, boot_lottery
    li t1, 1
    amoswap.w t1, t1, (t0)
    bnez t1, lost_lottery
    mv s0, a0
    mv s1, a1
    li tp, 0                        // no current thread yet (OpenSBI leaves its own tp)
    csrw sie, zero
    csrw stvec, zero
    la t0, boot_pagetable  // pc-relative: the physical address for now
    srli t0, t0, PAGE_SHIFT
    li t1, SATP_SV39
    or t0, t0, t1
    sfence.vma
    csrw satp, t0
    sfence.vma
    ld t0, high_entry  // an absolute (linked, high) address
    jr t0

high:
    la sp, boot_stack_top
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  mv a0, s0
    mv a1, s1
    mv a2, s2
    call kmain
3:  wfi
    j 3b

lost_lottery:
    li a7, SBI_EXT_HSM
    li a6, SBI_HSM_HART_STOP
    ecall
5:  wfi  // hart_stop does not return; if it fails, stay out of the way
    j 5b

// Another hart, started by SBI HSM (harts.c): a0 = hart id, a1 = its index in hart_boot_sp,
// MMU off. Through the boot page table to the link address, like _start, then onto the
// kernel's page table (hart_satp), the stack the boot hart prepared there, and into C.
    .globl secondary_entry
secondary_entry:
    li tp, 0
    csrw sie, zero
    csrw stvec, zero
    la t0, boot_pagetable
    srli t0, t0, PAGE_SHIFT
    li t1, SATP_SV39
    or t0, t0, t1
    sfence.vma
    csrw satp, t0
    sfence.vma
    ld t0, secondary_high_entry
    jr t0
secondary_high:
    ld t0, hart_satp
    csrw satp, t0
    sfence.vma
    la t0, hart_boot_sp
    slli t1, a1, 3
    add t0, t0, t1
    ld sp, 0(t0)
    call secondary_main
4:  wfi
    j 4b

    .section .rodata
    .align 3
high_entry:
    .dword high
secondary_high_entry:
    .dword secondary_high

// The boot page table, of gigapages: the GiB of RAM the kernel is loaded into (V R W X A D) at
// its physical address (the identity map for the jump) and at the kernel's link address; and
// the direct map of the low 4 GiB, RAM and device registers (V R W A D), as vm.c's table has
// it, so that kmain can read the device tree and write the serial port before that table is
// built. kmain replaces this table with one that enforces W^X.
#define BOOT_RAM 0x80000000
#define BOOT_GIGAPAGE ((BOOT_RAM >> PAGE_SHIFT << PTE_PPN_SHIFT) | PTE_V | PTE_RWX | PTE_A | PTE_D)
#define DIRECT_GIGAPAGE(gib) (((gib) << (30 - PAGE_SHIFT) << PTE_PPN_SHIFT) | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define GIGAPAGE_INDEX(va) (((va) >> (PAGE_SHIFT + 2 * 9)) & (PT_ENTRIES - 1))
#define IDENTITY GIGAPAGE_INDEX(BOOT_RAM)
#define DIRECT GIGAPAGE_INDEX(DIRECT_MAP_BASE)
#define DIRECT_GIGAPAGES (DIRECT_MAP_SIZE >> 30)
#define LINKED GIGAPAGE_INDEX(KERNEL_VA_OFFSET + BOOT_RAM)
    .section .data
    .align 2
boot_lottery:  // in .data, not .bss: _start clears the bss after the lottery
    .word 0

    .align 12
    .globl boot_pagetable
boot_pagetable:
    .zero IDENTITY * 8
    .dword BOOT_GIGAPAGE
    .zero (DIRECT - IDENTITY - 1) * 8
    .dword DIRECT_GIGAPAGE(0), DIRECT_GIGAPAGE(1), DIRECT_GIGAPAGE(2), DIRECT_GIGAPAGE(3)
    .zero (LINKED - DIRECT - DIRECT_GIGAPAGES) * 8
    .dword BOOT_GIGAPAGE
    .zero (PT_ENTRIES - LINKED - 1) * 8
#if DIRECT_GIGAPAGES != 4
#error "the boot table's direct map has four gigapages"
#endif

// The kernel's own stacks, each above an unmapped guard page (vm.c leaves them out of the
// kernel page table): the boot stack, on which the idle loop runs too, and the trap stack
// that traps taken in S-mode use (trap.S), with their frame at its top. A stack is written
// before it is read, so they stay out of the bss that _start clears (kernel.ld): 32 KiB
// less to clear at every boot.
    .section .stacks, "aw", @nobits
    .align 12
    .globl boot_stack_guard
boot_stack_guard:
    .zero 4096
boot_stack:
    .zero 4 * 4096
boot_stack_top:
    .globl trap_stack_guard
trap_stack_guard:
    .zero 4096
    .zero 2 * 4096 - TF_SIZE
    .globl trap_frame
trap_frame:
    .zero TF_SIZE

#pragma once
// The kernel's address space and the kernel half shared by every process.
#include <stdbool.h>
#include "arch/riscv/csr.h"
#include "arch/riscv/memlayout.h"

// Build the W^X kernel page table (with the kernel stack region for RAM [ram, ram + size))
// and switch to it.
void vm_init_kernel(paddr_t ram, uint64_t size);
// Bumped whenever a kernel stack is mapped: a hart whose kernel stack entries may be older
// (it may have cached them invalid) fences before it runs a thread new to it (sched.c).
extern uint64_t kstack_generation;
// Map the KSTACK_PAGES at pa (aligned to KSTACK_PAGES pages, in RAM) as a kernel stack with a
// guard below it; *stack = its lowest address (its top is KSTACK_SIZE above).
// NX_ERR_NO_MEMORY when a page table is needed and none is left.
int vm_map_kstack(paddr_t pa, uint64_t *stack);
void vm_unmap_kstack(paddr_t pa);
// Is va in a guard page below a kernel stack (a fault there is a kernel stack overflow)?
bool vm_is_stack_guard(uint64_t va);
// A new root for a process: empty user half, kernel half shared. 0 when out of memory.
paddr_t vm_create_user_root(void);
// Free a process's page tables and user pages (switches to the kernel table first if needed).
void vm_destroy_user_root(paddr_t root);
// satp of the kernel's own page table (for a hart that has no thread yet).
uint64_t vm_kernel_satp(void);

// Address spaces are told apart in the TLB by ASIDs when the hart has them (probed at
// boot): a switch between processes then flushes nothing, and a change to one process's
// page table fences only that ASID, and only on the harts the process ran on. A process
// beyond the ASIDs there are gets ASID 0, whose every switch flushes the whole TLB.
//
// The satp value (mode, ASID, root) for a new process with this root; vm_release_satp
// retires the ASID when the process ends (no hart may be in that address space any more).
uint64_t vm_assign_satp(paddr_t root);
void vm_release_satp(uint64_t satp);
// Run in this address space (inline: every switch between processes does it).
static inline void vm_activate(uint64_t satp)
{
    csr_write(satp, satp);
    if (!(satp & SATP_ASID_MASK))
        sfence_vma_all();
}
// Forget this hart's cached translations of the address space satp, after its page-table
// entries changed (non-leaf ones too: pt_unmap may free tables), and, synchronously, those
// of the other harts in `harts`.
void vm_flush_space(uint64_t satp, uint64_t harts);

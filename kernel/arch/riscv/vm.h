#pragma once
// The kernel's address space and the kernel half shared by every process.
#include <stdbool.h>
#include "arch/riscv/csr.h"
#include "arch/riscv/memlayout.h"

// Build the W^X kernel page table (with the kernel stack region for RAM [ram, ram + size))
// and switch to it.
void vm_init_kernel(paddr_t ram, uint64_t size);
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
// Run with this root's address space (inline: every switch between processes does it).
static inline void vm_activate(paddr_t root)
{
    csr_write(satp, SATP_SV39 | (root >> PAGE_SHIFT));
    sfence_vma_all();
}
// Forget every cached translation, after page-table entries changed. Always global: a
// page-granular fence does not drop cached non-leaf entries, and pt_unmap may free tables;
// without ASIDs every address-space switch flushes everything anyway.
void vm_flush_tlb(void);
// satp of the kernel's own page table (for a hart that has no thread yet).
uint64_t vm_kernel_satp(void);

#pragma once
// The kernel's address space and the kernel half shared by every process.
#include "arch/riscv/memlayout.h"

// Build the W^X kernel page table and switch to it.
void vm_init_kernel(void);
// A new root for a process: empty user half, kernel half shared. 0 when out of memory.
paddr_t vm_create_user_root(void);
// Free a process's page tables and user pages (switches to the kernel table first if needed).
void vm_destroy_user_root(paddr_t root);
// Run with this root's address space.
void vm_activate(paddr_t root);
// Forget cached translations of [va, va + size) after their entries changed (no ASIDs: any
// address space's entries, since a switch flushes everything anyway).
void vm_flush(uint64_t va, uint64_t size);

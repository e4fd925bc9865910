#pragma once
// Where things live in physical and virtual memory (Sv39). See docs/boot.md. Shared with the
// assembly (entry.S).
#include "arch/riscv/const.h"

#define PAGE_SIZE UL(4096)
#define PAGE_SHIFT 12
#define PAGE_ROUND_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_ROUND_DOWN(x) ((x) & ~(PAGE_SIZE - 1))

// The kernel image runs at its physical address plus KERNEL_VA_OFFSET (top 2 GiB of Sv39).
#define KERNEL_VA_OFFSET UL(0xffffffff00000000)
// All physical memory below 4 GiB (RAM and device registers) is also mapped at DIRECT_MAP_BASE.
#define DIRECT_MAP_BASE UL(0xffffffc000000000)
#define DIRECT_MAP_SIZE (4UL << 30)

// Kernel stacks of threads are mapped a second time in their own region (vm.c), each with an
// unmapped guard of the same size below it, so that an overflow faults instead of writing
// over whatever lies below in the direct map. The KSTACK_PAGES at physical address pa
// (aligned to KSTACK_PAGES pages) appear at KSTACK_BASE + 2 * (pa - RAM base) + KSTACK_SIZE.
#define KSTACK_PAGES 2
#define KSTACK_SIZE (KSTACK_PAGES * PAGE_SIZE)
#define KSTACK_BASE UL(0xffffffe000000000)

// User space: [USER_VA_MIN, USER_STACK_TOP). Program segments must lie below USER_VA_LIMIT;
// the region above it holds the initial stack.
#define USER_VA_MIN 0x10000ULL
#define USER_VA_LIMIT 0x3f00000000ULL
#define USER_STACK_TOP 0x3ffffff000UL
#define USER_STACK_SIZE (16 * PAGE_SIZE)  // 64 KiB

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef uint64_t paddr_t;

#ifdef NEXUS_HOST
// Host unit tests hand the page-table and allocator code ordinary host memory.
static inline void *pa_to_kva(paddr_t pa) { return (void *)(uintptr_t)pa; }
static inline paddr_t kva_to_pa(const void *va) { return (paddr_t)(uintptr_t)va; }
#else
static inline void *pa_to_kva(paddr_t pa) { return (void *)(pa + DIRECT_MAP_BASE); }
static inline paddr_t kva_to_pa(const void *va) { return (paddr_t)(uintptr_t)va - DIRECT_MAP_BASE; }
#endif
#endif  // !__ASSEMBLER__

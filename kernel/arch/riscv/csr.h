#pragma once
// RISC-V supervisor CSRs and instructions. Only arch code includes this header; the
// constants are shared with the assembly (trap.S, entry.S).
#include "arch/riscv/const.h"

#define SSTATUS_SIE  (UL(1) << 1)
#define SSTATUS_SPIE (UL(1) << 5)
#define SSTATUS_SPP  (UL(1) << 8)
#define SSTATUS_SUM  (UL(1) << 18)

#define SIE_SSIE (UL(1) << 1)
#define SIE_STIE (UL(1) << 5)
#define SIE_SEIE (UL(1) << 9)

// scause: the interrupt bit, exception codes, interrupt codes.
#define SCAUSE_INTERRUPT (UL(1) << 63)
#define CAUSE_INSN_MISALIGNED 0
#define CAUSE_INSN_ACCESS 1
#define CAUSE_ILLEGAL_INSN 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_LOAD_MISALIGNED 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_STORE_MISALIGNED 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_ECALL_U 8
#define CAUSE_ECALL_S 9
#define CAUSE_INSN_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9

#define SATP_SV39 (UL(8) << 60)
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK (UL(0xffff) << SATP_ASID_SHIFT)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"((uint64_t)(val)))
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"rK"((uint64_t)(bits)))
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"rK"((uint64_t)(bits)))

static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
// Only the leaf entry of va changed (every address space's).
static inline void sfence_vma_page(uint64_t va)
{
    __asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}
static inline void wfi(void) { __asm__ volatile("wfi"); }
// An enabled interrupt is pending: what wakes wfi (with SIE clear too).
static inline bool irq_pending(void) { return (csr_read(sip) & csr_read(sie)) != 0; }
static inline void irq_enable(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void irq_disable(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline uint64_t rdtime(void) { uint64_t v; __asm__ volatile("rdtime %0" : "=r"(v)); return v; }
static inline uint64_t rdinstret(void) { uint64_t v; __asm__ volatile("rdinstret %0" : "=r"(v)); return v; }
#endif  // !__ASSEMBLER__

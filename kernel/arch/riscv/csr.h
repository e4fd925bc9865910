#pragma once
// RISC-V supervisor CSRs and instructions. Only arch code includes this header.
#include <stdint.h>

#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)
#define SSTATUS_SUM  (1UL << 18)

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

#define SCAUSE_INTERRUPT (1UL << 63)
enum scause_code {
    CAUSE_INSN_MISALIGNED = 0, CAUSE_INSN_ACCESS = 1, CAUSE_ILLEGAL_INSN = 2,
    CAUSE_BREAKPOINT = 3, CAUSE_LOAD_MISALIGNED = 4, CAUSE_LOAD_ACCESS = 5,
    CAUSE_STORE_MISALIGNED = 6, CAUSE_STORE_ACCESS = 7, CAUSE_ECALL_U = 8,
    CAUSE_ECALL_S = 9, CAUSE_INSN_PAGE_FAULT = 12, CAUSE_LOAD_PAGE_FAULT = 13,
    CAUSE_STORE_PAGE_FAULT = 15,
};
enum { IRQ_S_SOFT = 1, IRQ_S_TIMER = 5, IRQ_S_EXT = 9 };

#define SATP_SV39 (8UL << 60)

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
static inline void irq_enable(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void irq_disable(void) { csr_clear(sstatus, SSTATUS_SIE); }
static inline uint64_t rdtime(void) { uint64_t v; __asm__ volatile("rdtime %0" : "=r"(v)); return v; }
static inline uint64_t rdinstret(void) { uint64_t v; __asm__ volatile("rdinstret %0" : "=r"(v)); return v; }

// PLIC register map: priority[irq] at 4*irq, enable bits at 0x2000 + 0x80*ctx, threshold at
// 0x200000 + 0x1000*ctx, claim/complete 4 bytes after it. QEMU virt numbers contexts
// 2*hart (M-mode) and 2*hart+1 (S-mode).
#include "arch/riscv/plic.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/memlayout.h"

static struct {
    volatile uint32_t *base;
    uint32_t ndev;
    uint32_t ctx;
} plic;

static volatile uint32_t *reg(uint64_t offset) { return plic.base + offset / 4; }

void plic_init(uint64_t base_pa, uint32_t ndev, uint32_t hartid)
{
    plic.base = pa_to_kva(base_pa);
    plic.ndev = ndev;
    plic.ctx = 2 * hartid + 1;
    for (uint32_t irq = 1; irq <= ndev; irq++)
        plic_disable(irq);
    *reg(0x200000 + 0x1000 * plic.ctx) = 0;  // threshold: accept every priority > 0
    csr_set(sie, SIE_SEIE);
}

static void set_enable(uint32_t irq, int on)
{
    volatile uint32_t *word = reg(0x2000 + 0x80 * plic.ctx + 4 * (irq / 32));
    if (on)
        *word |= 1u << (irq % 32);
    else
        *word &= ~(1u << (irq % 32));
}

void plic_enable(uint32_t irq)
{
    if (irq == 0 || irq > plic.ndev)
        return;
    *reg(4 * irq) = 1;
    set_enable(irq, 1);
}

void plic_disable(uint32_t irq)
{
    if (irq == 0 || irq > plic.ndev)
        return;
    set_enable(irq, 0);
    *reg(4 * irq) = 0;
}

uint32_t plic_claim(void)
{
    return *reg(0x200004 + 0x1000 * plic.ctx);
}

void plic_complete(uint32_t irq)
{
    *reg(0x200004 + 0x1000 * plic.ctx) = irq;
}

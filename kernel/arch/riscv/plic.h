#pragma once
// The platform-level interrupt controller (RISC-V PLIC spec 1.0.0), S-mode context of one hart.
#include <stdint.h>

void plic_init(uint64_t base_pa, uint32_t ndev, uint32_t hartid);
void plic_enable(uint32_t irq);
void plic_disable(uint32_t irq);
uint32_t plic_claim(void);          // 0 when nothing is pending
void plic_complete(uint32_t irq);

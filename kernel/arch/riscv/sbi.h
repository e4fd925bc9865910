#pragma once
// Calls into the SBI firmware (OpenSBI) running in M-mode.

// Hart state management, for the assembly too (entry.S stops a hart that lost the lottery).
#define SBI_EXT_HSM 0x48534D  /* "HSM" */
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1

#ifndef __ASSEMBLER__
#include <stdint.h>

void sbi_console_putchar(int c);
void sbi_set_timer(uint64_t stime_value);
_Noreturn void sbi_shutdown(void);
// Start hart hartid in S-mode at physical address start_pa, MMU off, a0 = hartid,
// a1 = opaque. Returns at once (the hart starts asynchronously); 0 or an SBI error.
long sbi_hart_start(uint64_t hartid, uint64_t start_pa, uint64_t opaque);
// The harts hart_mask_base + i for each bit i of hart_mask (hart ids): a supervisor software
// interrupt on each; or, synchronously (it returns once they have), an sfence.vma of
// [start, start + size) on each (size 0: everything), of one ASID's entries or of all.
long sbi_send_ipi(uint64_t hart_mask, uint64_t hart_mask_base);
long sbi_remote_sfence_vma(uint64_t hart_mask, uint64_t base, uint64_t start, uint64_t size);
long sbi_remote_sfence_vma_asid(uint64_t hart_mask, uint64_t base, uint64_t start,
                                uint64_t size, uint64_t asid);
#endif

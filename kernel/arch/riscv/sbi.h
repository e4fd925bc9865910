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
#endif

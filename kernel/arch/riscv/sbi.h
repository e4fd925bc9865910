#pragma once
// Calls into the SBI firmware (OpenSBI) running in M-mode.
#include <stdint.h>

void sbi_console_putchar(int c);
void sbi_set_timer(uint64_t stime_value);
_Noreturn void sbi_shutdown(void);

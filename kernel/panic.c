// Kernel panic: report and power the machine off, so a test harness sees the end at once.
#include <stdarg.h>
#include "panic.h"
#include "console.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"

_Noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    irq_disable();
    console_panic();
    kprintf("NEURON PANIC: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\nNEURON: halted\n");
    sbi_shutdown();
}

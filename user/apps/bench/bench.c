// Instruction-count benchmarks run inside the booted system (make bench runs QEMU with
// -icount shift=0 so instret is exact). Prints "BENCH <name> <value>" lines for the harness.
#include <nx/nx.h>

#define ITERATIONS 10000

static void report(const char *name, uint64_t value)
{
    nx_printf("BENCH %s %lu\n", name, value);
}

// Instructions per round trip of the bare syscall, minus the loop's own cost.
static uint64_t null_syscall(void)
{
    uint64_t loop_start = nx_rdinstret();
    for (volatile int i = 0; i < ITERATIONS; i++)
        ;
    uint64_t loop_cost = nx_rdinstret() - loop_start;
    uint64_t start = nx_rdinstret();
    for (volatile int i = 0; i < ITERATIONS; i++)
        nx_nop();
    return (nx_rdinstret() - start - loop_cost) / ITERATIONS;
}

int main(void)
{
    report("first_user_instret", nx_start_instret);
    report("null_syscall_instr", null_syscall());
    return 0;
}

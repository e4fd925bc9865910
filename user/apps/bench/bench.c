// Instruction-count benchmarks run inside the booted system (make bench runs QEMU with
// -icount shift=0 so instret is exact). Prints "BENCH <name> <value>" lines for the harness.
#include <nx/nx.h>
#include "bench.h"

void report(const char *name, uint64_t value)
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

// ---- thread switch through yield ----

static uint64_t partner_stack[512] __attribute__((aligned(16)));
static volatile int partner_stop;

static void yield_partner(long unused)
{
    (void)unused;
    while (!partner_stop)
        nx_yield();
    nx_thread_exit();
}

// Two threads of one priority yield to each other: each main-loop turn is two switches.
static uint64_t yield_switch(void)
{
    long t = nx_thread_create(nx_self, (long)yield_partner, (long)&partner_stack[512], 0,
                              PRIO_USER_DEFAULT);
    nx_yield();  // the partner is now in its loop
    uint64_t start = nx_rdinstret();
    for (int i = 0; i < ITERATIONS; i++)
        nx_yield();
    uint64_t cost = nx_rdinstret() - start;
    partner_stop = 1;
    nx_yield();  // let it exit
    nx_handle_close(t);
    return cost / (2 * ITERATIONS);
}

int main(void)
{
    report("first_user_instret", nx_start_instret);
    report("null_syscall_instr", null_syscall());
    bench_vm();
    report("yield_switch_instr", yield_switch());
    bench_ipc();
    return 0;
}

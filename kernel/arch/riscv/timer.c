// Timer programming. stimecmp is CSR 0x14d (Sstc); writing all ones both disarms the timer
// and clears a pending interrupt, like sbi_set_timer(-1).
#include "arch/riscv/timer.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "hart.h"

#define NEVER UINT64_MAX
#define NS_PER_S 1000000000ULL

// Set at boot; each hart's deadline (NEVER when disarmed) is in its struct hart.
static struct {
    uint64_t hz;
    bool sstc;
} timer;

static void program(uint64_t deadline)
{
    this_hart()->timer_deadline = deadline;
    if (timer.sstc)
        __asm__ volatile("csrw 0x14d, %0" ::"r"(deadline));
    else
        sbi_set_timer(deadline);
}

void timer_init(uint64_t timebase_hz, bool has_sstc)
{
    timer.hz = timebase_hz;
    timer.sstc = has_sstc;
    timer_start_hart();
}

void timer_start_hart(void)
{
    program(NEVER);
    csr_set(sie, SIE_STIE);
}

uint64_t timer_now(void)
{
    return rdtime();
}

uint64_t timer_ticks_to_ns(uint64_t ticks)
{
    return ticks / timer.hz * NS_PER_S + ticks % timer.hz * NS_PER_S / timer.hz;
}

uint64_t timer_ns_to_ticks(uint64_t ns)
{
    return ns / NS_PER_S * timer.hz + ns % NS_PER_S * timer.hz / NS_PER_S;
}

void timer_arm(uint64_t deadline)
{
    program(deadline);
}

void timer_disarm(void)
{
    if (this_hart()->timer_deadline != NEVER)
        program(NEVER);
}

bool timer_armed(void)
{
    return this_hart()->timer_deadline != NEVER;
}

void timer_ack(void)
{
    program(NEVER);
}


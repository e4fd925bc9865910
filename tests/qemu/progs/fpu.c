// User floating point (kernel/arch/riscv/fpu.h). Several copies run at once, each with two
// threads, all at one priority so the time slice switches between them all the time. Each
// thread fills the 32 FP registers and the rounding mode with values of its own and checks
// them over and over for 60 ms: a value another thread left, or one lost in a switch, is a
// mismatch. Registers read before the first FP instruction must be zero (nothing crosses from
// another process), and FP arithmetic must give exact results.
#include <stdatomic.h>
#include <nx/thread.h>
#define TEST_NAME "fpu"
#include "expect.h"
#include "fregs.h"

#define HOLD_TICKS 600000   // 60 ms of the 10 MHz time base

struct holder {
    uint64_t base, deadline, frm;
    long mismatches;
    nx_handle_t done;
};

static void hold(struct holder *h)
{
    h->mismatches = fregs_hold(h->base, h->deadline, h->frm);
}

static void hold_thread(void *arg)
{
    struct holder *h = arg;
    hold(h);
    nx_notify_signal(h->done, 1);
}

// Sums whose exact value integers give: sqrt of perfect squares, halves doubled, and a
// single-precision sum below 2^24.
static void arithmetic(void)
{
    volatile double d = 0;
    for (long i = 1; i <= 20000; i++)
        d += __builtin_sqrt((double)(i * i));
    expect("sum of sqrt(i*i), i <= 20000", (long)d, 20000L * 20001 / 2);
    volatile double h = 0;
    for (long i = 1; i <= 20000; i++)
        h += (double)i * 0.5 * 2.0;
    expect("sum of i*0.5*2.0", (long)h, 20000L * 20001 / 2);
    volatile float f = 0;
    for (int i = 1; i <= 4000; i++)
        f += (float)i;
    expect("single-precision sum", (long)f, 4000L * 4001 / 2);
    expect("7.0 / 2.0 * 4.0", (long)(7.0 / (volatile double){ 2.0 } * 4.0), 14);
}

int main(void)
{
    expect("registers zero at first use", fregs_nonzero(), 0);
    struct nx_process_info self;
    nx_process_info(nx_self, &self);
    uint64_t base = (uint64_t)self.pid << 40, deadline = now_ticks() + HOLD_TICKS;
    long done = nx_notification_create();
    struct holder other = { base | 1ull << 32, deadline, (self.pid + 1) % 5, -1,
                            (nx_handle_t)done };
    struct holder mine = { base, deadline, self.pid % 5, -1, 0 };
    long t = nx_thread_start(hold_thread, &other, self.priority, 0);
    expect("second thread", t > 0, 1);
    hold(&mine);
    uint64_t bits;
    nx_notify_wait_bits((nx_handle_t)done, NX_DEADLINE_NEVER, &bits);
    expect("registers kept across switches (main thread)", mine.mismatches, 0);
    expect("registers kept across switches (second thread)", other.mismatches, 0);
    arithmetic();
    nx_printf("fpu: %d failures\n", failures);
    return failures != 0;
}

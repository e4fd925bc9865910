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

#define HOLD_TICKS 600000   // 60 ms of the 10 MHz time base

// Set f<i> = base + i and the rounding mode to frm, then check them all until rdtime reaches
// deadline; returns the mismatches. Saves the callee-saved fs0-fs11 it clobbers.
long fregs_hold(uint64_t base, uint64_t deadline, uint64_t frm);
// How many of f0-f31 and fcsr are not zero.
long fregs_nonzero(void);

// Each register's line of an assembly loop, for f0..f31 (and fs0..fs11).
#define EACH_FREG(M)                                                                          \
    M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)     \
    M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23) M(24) M(25) M(26) M(27) M(28) M(29)       \
    M(30) M(31)
#define EACH_CALLEE_SAVED(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)
#define SAVE(i) "  fsd fs" #i ", " #i "*8(sp)\n"
#define RESTORE(i) "  fld fs" #i ", " #i "*8(sp)\n"
#define SET(i) "  addi t0, a0, " #i "\n  fmv.d.x f" #i ", t0\n"
#define CHECK(i) "  fmv.x.d t0, f" #i "\n  addi t1, a0, " #i "\n  sub t0, t0, t1\n" \
                 "  snez t0, t0\n  add a3, a3, t0\n"
#define NONZERO(i) "  fmv.x.d t0, f" #i "\n  snez t0, t0\n  add a0, a0, t0\n"

__asm__(".text\n"
        ".globl fregs_hold\n"
        "fregs_hold:\n"
        "  addi sp, sp, -96\n"
        EACH_CALLEE_SAVED(SAVE)
        EACH_FREG(SET)
        "  fsrm a2\n"
        "  li a3, 0\n"
        "1:\n"
        EACH_FREG(CHECK)
        "  frrm t0\n"
        "  sub t0, t0, a2\n"
        "  snez t0, t0\n"
        "  add a3, a3, t0\n"
        "  rdtime t2\n"
        "  bltu t2, a1, 1b\n"
        "  fsrm zero\n"
        EACH_CALLEE_SAVED(RESTORE)
        "  addi sp, sp, 96\n"
        "  mv a0, a3\n"
        "  ret\n"
        ".globl fregs_nonzero\n"
        "fregs_nonzero:\n"
        "  li a0, 0\n"
        EACH_FREG(NONZERO)
        "  frcsr t0\n"
        "  snez t0, t0\n"
        "  add a0, a0, t0\n"
        "  ret\n");

static uint64_t now_ticks(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

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

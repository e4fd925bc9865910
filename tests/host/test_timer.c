// Timer objects through their syscalls, over the real clock (kernel/clock.c) and timer queue:
// a timer fires inside its window and never before its deadline, timers whose windows overlap
// share one interrupt, cancel and destroy leave the hardware timer off, bad arguments fail.
// The hardware timer is a model at 10 MHz (100 ns a tick, like QEMU virt) that the test
// advances; an "interrupt" is one call of clock_interrupt when the armed tick is reached.
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "power.h"
#include "timer.h"
#include "support/fake_kernel.h"
#include "syscall.h"
#include "arch/riscv/timer.h"

#define NS_PER_TICK 100
#define MS 1000000ULL
#define NEVER UINT64_MAX

static struct {
    uint64_t now;       // ticks
    uint64_t armed_at;  // ticks, NEVER when off
} hw = { 0, NEVER };

uint64_t timer_now(void) { return hw.now; }
uint64_t timer_ticks_to_ns(uint64_t ticks) { return ticks * NS_PER_TICK; }
uint64_t timer_ns_to_ticks(uint64_t ns) { return ns / NS_PER_TICK; }
void timer_arm(uint64_t deadline) { hw.armed_at = deadline; }
void timer_disarm(void) { hw.armed_at = NEVER; }
bool timer_armed(void) { return hw.armed_at != NEVER; }
void timer_ack(void) { hw.armed_at = NEVER; }

static struct notification notif;
static nx_handle_t notif_h;

// Let time run to `ns`, taking each interrupt when its tick comes (at once if armed in the
// past, as the hardware does). Returns how many interrupts were taken.
static uint64_t run_until(uint64_t ns)
{
    uint64_t before = clock_irq_count();
    while (hw.armed_at != NEVER && hw.armed_at * NS_PER_TICK <= ns) {
        if (hw.armed_at > hw.now)
            hw.now = hw.armed_at;
        clock_interrupt();
    }
    hw.now = ns / NS_PER_TICK;
    return clock_irq_count() - before;
}

static int setup(void **state)
{
    (void)state;
    hw.now = 0;  // the queue is empty between tests, so the clock may start again
    hw.armed_at = NEVER;
    fake_reset(128);
    notif_h = fake_notification(&notif, NX_RIGHTS_ALL);
    power_set_mode(NX_POWER_PERFORMANCE);   // no least slack: windows exactly as asked
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fake_close_all();
    assert_int_equal(fake.object_pages, 0);
    assert_int_equal(fake_process.obj.refcount, 1);
    assert_int_equal(notif.obj.refcount, 1);
    assert_false(timer_armed());  // tickless: nothing left armed
    return 0;
}

static long create(uint64_t bits)
{
    long h = sys_timer_create(notif_h, (long)bits);
    assert_true(h > 0);
    return h;
}

static void fires_inside_its_window(void **state)
{
    (void)state;
    long h = create(0x10);
    uint32_t type, rights;
    assert_int_equal(handle_info(&fake_handles, (nx_handle_t)h, &type, &rights), NX_OK);
    assert_int_equal(type, NX_OBJ_TIMER);
    assert_int_equal(rights, TIMER_RIGHTS);
    assert_false(timer_armed());  // created disarmed

    uint64_t start = clock_now();
    assert_int_equal(sys_timer_set(h, start + 10 * MS, 2 * MS), NX_OK);
    assert_true(timer_armed());
    assert_int_equal(run_until(start + 10 * MS - 1), 0);
    assert_int_equal(notif.bits, 0);
    assert_int_equal(run_until(start + 12 * MS), 1);
    assert_int_equal(notif.bits, 0x10);
    assert_int_equal(hw.now * NS_PER_TICK, start + 12 * MS);  // at the window's end
    assert_false(timer_armed());

    // One-shot: it stays quiet until set again.
    notif.bits = 0;
    assert_int_equal(run_until(start + 100 * MS), 0);
    assert_int_equal(sys_timer_set(h, start + 101 * MS, 0), NX_OK);
    assert_int_equal(run_until(start + 200 * MS), 1);
    assert_int_equal(notif.bits, 0x10);
}

// 100 timers whose windows all contain one instant fire with one interrupt.
static void overlapping_windows_share_one_interrupt(void **state)
{
    (void)state;
    uint64_t base = clock_now() + MS;
    for (int i = 0; i < 100; i++) {
        long h = create(1ULL << (i % 64));
        // deadlines spread over 1 ms, windows 2 ms long: all contain base + 1 ms
        assert_int_equal(sys_timer_set(h, base + (uint64_t)i * 10000, 2 * MS), NX_OK);
    }
    assert_int_equal(run_until(base + 10 * MS), 1);
    assert_int_equal(fake.signals, 100);
    assert_int_equal(notif.bits, UINT64_MAX);
}

// Windows that do not overlap need their own interrupts; a later timer whose window overlaps
// another's rides along with it.
static void separate_windows_separate_interrupts(void **state)
{
    (void)state;
    uint64_t base = clock_now();
    long a = create(1), b = create(2), c = create(4);
    assert_int_equal(sys_timer_set(a, base + 1 * MS, 0), NX_OK);
    assert_int_equal(sys_timer_set(b, base + 5 * MS, 0), NX_OK);
    assert_int_equal(sys_timer_set(c, base + 4 * MS, 2 * MS), NX_OK);
    assert_int_equal(run_until(base + 2 * MS), 1);
    assert_int_equal(notif.bits, 1);
    assert_int_equal(run_until(base + 10 * MS), 1);  // b and c together at 5 ms
    assert_int_equal(notif.bits, 7);
}

static void cancel_and_reset(void **state)
{
    (void)state;
    uint64_t base = clock_now();
    long h = create(1);
    assert_int_equal(sys_timer_set(h, base + MS, 0), NX_OK);
    assert_int_equal(sys_timer_cancel(h), NX_OK);
    assert_false(timer_armed());
    assert_int_equal(sys_timer_cancel(h), NX_OK);  // disarmed already: no effect
    assert_int_equal(run_until(base + 10 * MS), 0);
    assert_int_equal(fake.signals, 0);

    // A new setting replaces the pending one.
    assert_int_equal(sys_timer_set(h, base + 20 * MS, 0), NX_OK);
    assert_int_equal(sys_timer_set(h, base + 30 * MS, 0), NX_OK);
    assert_int_equal(run_until(base + 29 * MS), 0);
    assert_int_equal(run_until(base + 40 * MS), 1);
    assert_int_equal(fake.signals, 1);

    // NX_DEADLINE_NEVER disarms too.
    assert_int_equal(sys_timer_set(h, base + 50 * MS, 0), NX_OK);
    assert_int_equal(sys_timer_set(h, NX_DEADLINE_NEVER, 0), NX_OK);
    assert_false(timer_armed());
}

static void deadline_in_the_past_fires_at_once(void **state)
{
    (void)state;
    run_until(50 * MS);
    long h = create(1);
    assert_int_equal(sys_timer_set(h, 0, 0), NX_OK);
    assert_true(timer_armed());
    assert_int_equal(run_until(clock_now()), 1);
    assert_int_equal(fake.signals, 1);
}

static void last_close_disarms(void **state)
{
    (void)state;
    long h = create(1);
    assert_int_equal(sys_timer_set(h, clock_now() + MS, 0), NX_OK);
    assert_int_equal(handle_close(&fake_handles, (nx_handle_t)h), NX_OK);
    assert_false(timer_armed());
    assert_int_equal(fake.object_pages, 0);
    assert_int_equal(run_until(clock_now() + 10 * MS), 0);
}

static void bad_arguments(void **state)
{
    (void)state;
    nx_handle_t no_signal, no_write;
    assert_int_equal(handle_duplicate(&fake_handles, notif_h, NX_RIGHTS_ALL & ~NX_RIGHT_SIGNAL,
                                      &no_signal), NX_OK);
    assert_int_equal(sys_timer_create(0, 1), NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_timer_create(no_signal, 1), NX_ERR_ACCESS);
    assert_int_equal(sys_timer_create(notif_h, 0), NX_ERR_INVALID);
    long h = create(1);
    assert_int_equal(sys_timer_create(h, 1), NX_ERR_WRONG_TYPE);
    assert_int_equal(handle_duplicate(&fake_handles, (nx_handle_t)h,
                                      TIMER_RIGHTS & ~NX_RIGHT_WRITE, &no_write), NX_OK);

    assert_int_equal(sys_timer_set(0, 0, 0), NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_timer_set(notif_h, 0, 0), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_timer_set(no_write, 0, 0), NX_ERR_ACCESS);
    assert_int_equal(sys_timer_set(h, MS, TIMER_SLACK_MAX_NS + 1), NX_ERR_INVALID);
    assert_int_equal(sys_timer_set(h, MS, UINT64_MAX), NX_ERR_INVALID);
    assert_int_equal(sys_timer_cancel(0), NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_timer_cancel(notif_h), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_timer_cancel(no_write), NX_ERR_ACCESS);
    assert_false(timer_armed());  // no failed call armed anything
    assert_int_equal(fake.object_pages, 1);

    fake_process.budget.limit = 1;
    struct fake_state before = fake_state(&fake_process), after;
    assert_int_equal(sys_timer_create(notif_h, 1), NX_ERR_NO_MEMORY);
    after = fake_state(&fake_process);
    assert_memory_equal(&after, &before, sizeof(before));
    assert_int_equal(sys_timer_set(h, UINT64_MAX - 1, TIMER_SLACK_MAX_NS), NX_OK);  // saturates
    assert_int_equal(run_until(UINT64_MAX - 2), 0);
    assert_int_equal(sys_timer_cancel(h), NX_OK);
}

// Check, then act: with the table full, no timer is made and undone.
static void full_table_makes_nothing(void **state)
{
    (void)state;
    nx_handle_t h;
    while (handle_duplicate(&fake_handles, notif_h, NX_RIGHTS_SAME, &h) == NX_OK)
        ;
    struct fake_state before = fake_state(&fake_process);
    assert_int_equal(sys_timer_create(notif_h, 1), NX_ERR_NO_SPACE);
    struct fake_state after = fake_state(&fake_process);
    assert_memory_equal(&after, &before, sizeof(before));
    assert_int_equal(notif.obj.refcount, before.handles + 1);  // its handles and the test's
}

// Timers at 10 ms and 30 ms with no slack of their own, each mode: how many interrupts.
static uint64_t two_timers(enum nx_power_mode mode, uint64_t second_ms)
{
    power_set_mode(mode);
    uint64_t base = clock_now();
    long a = create(1), b = create(2);
    assert_int_equal(sys_timer_set(a, base + 10 * MS, 0), NX_OK);
    assert_int_equal(sys_timer_set(b, base + second_ms * MS, 0), NX_OK);
    assert_int_equal(run_until(base + 10 * MS - 1), 0);   // never before the deadline
    uint64_t irqs = run_until(base + 200 * MS);
    assert_int_equal(notif.bits, 3);
    notif.bits = 0;
    assert_int_equal(handle_close(&fake_handles, (nx_handle_t)a), NX_OK);
    assert_int_equal(handle_close(&fake_handles, (nx_handle_t)b), NX_OK);
    return irqs;
}

// The power mode raises every timer's slack to its least: saver's 50 ms window takes the
// timer 20 ms later along, balanced's 1 ms only one 0.5 ms later, performance neither.
static void power_mode_sets_least_slack(void **state)
{
    (void)state;
    assert_int_equal(two_timers(NX_POWER_PERFORMANCE, 30), 2);
    assert_int_equal(two_timers(NX_POWER_SAVER, 30), 1);
    assert_int_equal(two_timers(NX_POWER_BALANCED, 30), 2);
    assert_int_equal(two_timers(NX_POWER_PERFORMANCE, 10), 1);   // the same deadline
    // Saver: fired at the window's end, 50 ms after the deadline; a longer slack of the
    // timer's own is kept.
    power_set_mode(NX_POWER_SAVER);
    long h = create(1);
    uint64_t base = clock_now();
    assert_int_equal(sys_timer_set(h, base + 10 * MS, 0), NX_OK);
    assert_int_equal(run_until(base + 60 * MS - 1), 0);
    assert_int_equal(run_until(base + 60 * MS), 1);
    base = clock_now();
    assert_int_equal(sys_timer_set(h, base + 10 * MS, 200 * MS), NX_OK);
    assert_int_equal(run_until(base + 210 * MS - 1), 0);
    assert_int_equal(run_until(base + 210 * MS), 1);
    assert_int_equal(power_mode(), NX_POWER_SAVER);
    assert_int_equal(power_idle_poll_ns(), 0);
    power_set_mode(NX_POWER_PERFORMANCE);
    assert_int_equal(power_idle_poll_ns(), NX_POWER_IDLE_POLL_NS);
}

// nx_system_power_mode: the device resource with WRITE, a mode in range; a refusal changes
// nothing.
static void power_mode_syscall_checks_everything(void **state)
{
    (void)state;
    static struct kobject res;
    kobject_init(&res, NX_OBJ_RESOURCE, NULL);
    nx_handle_t r, only_write, r_no_write;
    assert_int_equal(handle_install(&fake_handles, &res, NX_RIGHTS_ALL, &r), NX_OK);
    assert_int_equal(handle_duplicate(&fake_handles, r, NX_RIGHT_WRITE, &only_write), NX_OK);
    assert_int_equal(handle_duplicate(&fake_handles, r, NX_RIGHTS_ALL & ~NX_RIGHT_WRITE,
                                      &r_no_write), NX_OK);
    assert_int_equal(sys_system_power_mode(only_write, NX_POWER_SAVER), NX_POWER_PERFORMANCE);
    assert_int_equal(sys_system_power_mode(r, NX_POWER_BALANCED), NX_POWER_SAVER);
    assert_int_equal(sys_system_power_mode(r_no_write, NX_POWER_SAVER), NX_ERR_ACCESS);
    assert_int_equal(sys_system_power_mode(notif_h, NX_POWER_SAVER), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_system_power_mode(0, NX_POWER_SAVER), NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_system_power_mode(r | (1ull << 32), NX_POWER_SAVER), NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_system_power_mode(r, NX_POWER_MODES), NX_ERR_INVALID);
    assert_int_equal(sys_system_power_mode(r, UINT64_MAX), NX_ERR_INVALID);
    assert_int_equal(power_mode(), NX_POWER_BALANCED);   // unchanged by every refusal
    power_set_mode(NX_POWER_PERFORMANCE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(fires_inside_its_window, setup, teardown),
        cmocka_unit_test_setup_teardown(overlapping_windows_share_one_interrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(separate_windows_separate_interrupts, setup, teardown),
        cmocka_unit_test_setup_teardown(cancel_and_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(deadline_in_the_past_fires_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(last_close_disarms, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(power_mode_sets_least_slack, setup, teardown),
        cmocka_unit_test_setup_teardown(power_mode_syscall_checks_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(full_table_makes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

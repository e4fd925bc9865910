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
        cmocka_unit_test_setup_teardown(full_table_makes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

// The settings service's watch table (user/services/settingsd/watchers.c) against fakes of
// the system: handle h's notification "fails" when failing[h], its process "ended" when
// ended[h]; every close is counted, so no handle is leaked or closed twice.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include "../../user/services/settingsd/watchers.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define HANDLES 128
static bool failing[HANDLES], ended[HANDLES];
static unsigned closed[HANDLES];
static uint64_t signalled[HANDLES];

static long fake_signal(nx_handle_t n, uint64_t bits)
{
    if (failing[n])
        return NX_ERR_BAD_HANDLE;
    signalled[n] |= bits;
    return NX_OK;
}

static bool fake_ended(nx_handle_t p)
{
    return ended[p];
}

static void fake_close(nx_handle_t h)
{
    closed[h]++;
}

static const struct watcher_ops ops = { fake_signal, fake_ended, fake_close };

static void reset(void)
{
    memset(failing, 0, sizeof(failing));
    memset(ended, 0, sizeof(ended));
    memset(closed, 0, sizeof(closed));
    memset(signalled, 0, sizeof(signalled));
}

// Watcher i: notification 2 + 2i, process 3 + 2i, bit i.
static struct watcher nth(size_t i)
{
    return (struct watcher){ (nx_handle_t)(2 + 2 * i), (nx_handle_t)(3 + 2 * i), 1ull << i };
}

static void fill(struct watchers *t)
{
    *t = (struct watchers){ 0 };
    for (size_t i = 0; i < NX_SETTINGS_WATCHERS; i++) {
        struct watcher w = nth(i);
        assert_int_equal(watchers_add(t, &w), NX_OK);
    }
}

static void test_full_at_the_limit(void **state)
{
    reset();
    struct watchers t;
    fill(&t);
    struct watcher extra = nth(NX_SETTINGS_WATCHERS);
    assert_int_equal(watchers_add(&t, &extra), NX_ERR_NO_SPACE);
    assert_int_equal(t.n, NX_SETTINGS_WATCHERS);
    assert_int_equal(watchers_signal(&t, &ops), NX_SETTINGS_WATCHERS);
    for (size_t i = 0; i < NX_SETTINGS_WATCHERS; i++)
        assert_int_equal(signalled[nth(i).notif], nth(i).bits);
    for (size_t h = 0; h < HANDLES; h++)
        assert_int_equal(closed[h], 0);
}

static void test_failed_signal_drops(void **state)
{
    reset();
    struct watchers t;
    fill(&t);
    failing[nth(0).notif] = failing[nth(7).notif] = true;
    failing[nth(NX_SETTINGS_WATCHERS - 1).notif] = true;
    assert_int_equal(watchers_signal(&t, &ops), NX_SETTINGS_WATCHERS - 3);
    assert_int_equal(t.n, NX_SETTINGS_WATCHERS - 3);
    for (size_t i = 0; i < NX_SETTINGS_WATCHERS; i++) {
        bool gone = i == 0 || i == 7 || i == NX_SETTINGS_WATCHERS - 1;
        assert_int_equal(closed[nth(i).notif], gone);
        assert_int_equal(closed[nth(i).proc], gone);
        assert_int_equal(signalled[nth(i).notif], gone ? 0 : nth(i).bits);
    }
    // Room again: a new watcher fits, and is signalled with the rest.
    struct watcher w = nth(NX_SETTINGS_WATCHERS);
    assert_int_equal(watchers_add(&t, &w), NX_OK);
    assert_int_equal(watchers_signal(&t, &ops), NX_SETTINGS_WATCHERS - 2);
    assert_int_equal(signalled[w.notif], w.bits);
}

static void test_ended_processes_reaped(void **state)
{
    reset();
    struct watchers t;
    fill(&t);
    assert_int_equal(watchers_reap(&t, &ops), 0);
    for (size_t i = 0; i < NX_SETTINGS_WATCHERS; i += 2)   // every other one, the last too
        ended[nth(i).proc] = true;
    ended[nth(NX_SETTINGS_WATCHERS - 1).proc] = true;
    assert_int_equal(watchers_reap(&t, &ops), NX_SETTINGS_WATCHERS / 2 + 1);
    assert_int_equal(t.n, NX_SETTINGS_WATCHERS / 2 - 1);
    for (size_t i = 0; i < t.n; i++)
        assert_false(ended[t.w[i].proc]);
    assert_int_equal(watchers_reap(&t, &ops), 0);
    for (size_t h = 0; h < HANDLES; h++)
        assert_true(closed[h] <= 1);
    for (size_t i = 0; i < NX_SETTINGS_WATCHERS; i++)
        assert_int_equal(closed[nth(i).notif], ended[nth(i).proc]);
    // Everyone gone: an empty table signals nobody.
    for (size_t i = 0; i < NX_SETTINGS_WATCHERS; i++)
        ended[nth(i).proc] = true;
    watchers_reap(&t, &ops);
    assert_int_equal(t.n, 0);
    assert_int_equal(watchers_signal(&t, &ops), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_at_the_limit),
        cmocka_unit_test(test_failed_signal_drops),
        cmocka_unit_test(test_ended_processes_reaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

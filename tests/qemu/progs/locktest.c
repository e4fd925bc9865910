// A session of the login screen's that tries to get over the lock (docs/login.md, "The lock
// layer"; case gui_lock_layer_and_inactivity_lock): the greeter of that case starts it
// instead of the desktop (`-- session=/boot/locktest`). It is refused the lock layer, asks
// the greeter to lock, waits until the lock screen is up, then puts up a fullscreen surface
// and a top surface (both red) over where the lock is, and prints every key it is given
// ("locktest: key C"): the case checks that the lock screen stays on top and that what is
// typed while it is up never reaches this program. After the unlock its red covers the
// screen and keys reach it; a 'q' ends it (and so the session).
#include <string.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/session.h>
#include <nx/startup.h>
#include <nx/wm.h>

#define TEST_NAME "locktest"
#include "expect.h"

#define BIT_WM 1ull
#define CALL_NS 10000000000ull
#define LOCK_WAIT_NS 100000000ull   // between looks at whether the lock screen is up
#define LOCK_TRIES 100

static struct nx_wm wm;
static nx_handle_t notif;

// Whether the login screen's surface (titled "Login") is the active window: the lock is up.
static bool locked(void)
{
    struct nx_wm_stats st;
    return nx_wm_stats(&wm, &st) == NX_OK && !strcmp(st.active_title, "Login");
}

static long red_surface(int32_t w, int32_t h, uint32_t flags, struct nx_wm_surface *s)
{
    long err = nx_wm_surface_create(&wm, w, h, 100, 100, flags, "locktest", s);
    if (err)
        return err;
    struct nx_gfx_rect all = { 0, 0, w, h };
    nx_gfx_fill(&s->gfx, all, nx_gfx_rgb(220, 20, 20));
    return nx_wm_present(&wm, s, &all, 1);
}

static void print_keys_until_q(void)
{
    for (;;) {
        struct nx_wm_event ev;
        long err;
        while ((err = nx_wm_poll_event(&wm, &ev)) == NX_OK) {
            if (ev.type != NX_WM_EV_KEY || ev.key.state != 1 || !ev.key.codepoint)
                continue;
            nx_printf("locktest: key %c\n", (char)ev.key.codepoint);
            if (ev.key.codepoint == 'q')
                return;
        }
        if (err != NX_ERR_NOT_FOUND)
            return;
        uint64_t bits;
        if (nx_ring_prepare_sleep(&wm.events))
            nx_notify_wait_bits(notif, NX_DEADLINE_NEVER, &bits);
        nx_ring_end_sleep(&wm.events);
    }
}

int main(void)
{
    nx_handle_t session = nx_startup_handle(NX_SESSION_SERVICE);
    long n = nx_notification_create();
    notif = n < 0 ? NX_HANDLE_INVALID : (nx_handle_t)n;
    if (n < 0 || nx_wm_connect(&wm, notif, BIT_WM) != NX_OK) {
        nx_printf("locktest: no compositor WRONG\n");
        return 1;
    }
    struct nx_wm_surface lock, full, top;
    expect("the lock layer refused", nx_wm_surface_create(&wm, wm.screen_w, wm.screen_h, 0, 0,
           NX_WM_SURFACE_FULLSCREEN | NX_WM_SURFACE_LOCK, "fake lock", &lock), NX_ERR_ACCESS);
    expect("lock", nx_rpc_call(session, NX_SESSION_LOCK, NULL, 0, NULL, 0,
                               (uint64_t)nx_clock_get() + CALL_NS), NX_OK);
    int tries = 0;
    uint64_t bits;
    while (!locked() && ++tries < LOCK_TRIES)
        nx_notify_wait_bits(notif, (uint64_t)nx_clock_get() + LOCK_WAIT_NS, &bits);
    expect("the lock screen up", locked(), 1);
    expect("a fullscreen surface", red_surface(wm.screen_w, wm.screen_h,
                                               NX_WM_SURFACE_FULLSCREEN, &full), NX_OK);
    expect("a top surface", red_surface(300, 200, NX_WM_SURFACE_TOP, &top), NX_OK);
    expect("the lock screen still active", locked(), 1);
    nx_printf("locktest: covering\n");
    print_keys_until_q();
    return failures;
}

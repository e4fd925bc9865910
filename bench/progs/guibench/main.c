// make bench (bench/run_bench.py, manifest bench.gui, with make gui's GPU, keyboard and
// tablet): the graphical session's figures.
//   gui_idle_wakeups_per_s, gui_idle_busy_instr_per_s: once the session (the compositor, the
//     Terminal and its nsh) has settled, this program sleeps IDLE_SPAN of virtual time; the
//     timer interrupts beyond the one its deadline asked for, and the instructions the hart
//     retired while not halted, per second. With one hart idle, whatever wakes a thread is an
//     interrupt: a timer's, counted, or a device's, which the busy instructions would show.
//   key_to_pixel_instr, key_to_pixel_wait_ns: the harness then types KEYS keys into the
//     Terminal through QMP; the compositor times each press from the input driver's stamp to
//     the GPU driver's reply to the last flush after it (NX_WM_STATS): per key, the
//     instructions (halted time left out) and the halted time.
// With the argument "desktop" (manifests desktop + bench.desktop: the desktop, no Terminal):
//   desktop_idle_wakeups_per_s, desktop_idle_busy_instr_per_s: the same idle span over the
//     desktop's session (its bar and clock, the compositor, the drivers);
//   launch_app_instr, launch_app_wait_ns: the harness opens the launcher and types "ter"
//     (4 presses); then Enter: the compositor's key timing of that one press, from its stamp
//     to the GPU driver's reply to the last flush it caused (the launcher closed, the
//     Terminal's window with nsh's greeting), instructions (halted time left out) and the
//     halted time.
// With the argument "login" (the default manifest, its login screen, plus bench.login):
//   login_to_desktop_instr, login_to_desktop_wait_ns: once the login screen and the machine
//     have settled (the users service's first-boot hashes done), the harness types nexus, Tab,
//     nexus; then Enter: the compositor's key timing of that press, from its stamp to the GPU
//     driver's reply to the last flush it caused ("Checking", the hash, the session started,
//     the login screen gone, the desktop's first bar), halted time apart;
//   login_hash_instr: then this program's own nx_users_login of nexus: the users service's
//     check (the argon2id hash, NX_ARGON2_DEFAULT) and the call, halted time apart.
// Then powers off through proc.
#include <string.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/users.h>
#include <nx/wm.h>

#define MS 1000000ull
#define NS_PER_S 1000000000ull
#define IDLE_SPAN (10000 * MS)
#define POLL_SPAN (1000 * MS)  // between looks at the compositor's counters (not during IDLE_SPAN)
#define KEYS 20                // bench/run_bench.py types as many
#define LOGIN_KEYS 11          // the same: "nexus", Tab, "nexus"
#define KEY_WAIT_POLLS 600     // give up after that many looks

#define CONNECT_TRIES 60       // looks for the compositor, POLL_SPAN apart
#define QUIET_PCT 95           // settled: the harts halted for that share of a POLL_SPAN

static struct nx_wm wm;
static nx_handle_t notif, sleeper;  // the compositor's events; nobody's (sleeps)

static void sleep_for(uint64_t ns)
{
    uint64_t bits;
    nx_notify_wait_bits(sleeper, (uint64_t)nx_clock_get() + ns, &bits);
}

// Settled: a frame has been composed (the Terminal is up), no frame since the last look,
// and the harts sat halted for QUIET_PCT of the span (a first boot's users service hashes
// the first accounts at priority 8 for a second or so, drawing nothing).
static long settle(void)
{
    struct nx_wm_stats st;
    uint64_t before = 0;
    long harts = nx_system_info(NX_INFO_HARTS);
    for (;;) {
        uint64_t t0 = (uint64_t)nx_clock_get();
        uint64_t h0 = (uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET);
        sleep_for(POLL_SPAN);
        uint64_t halted = (uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET) - h0;
        uint64_t span = ((uint64_t)nx_clock_get() - t0) * (uint64_t)harts;
        long err = nx_wm_stats(&wm, &st);
        if (err)
            return err;
        if (st.presents && st.frames == before && halted * 100 >= span * QUIET_PCT)
            return NX_OK;
        before = st.frames;
    }
}

static uint64_t per_s(uint64_t n, uint64_t span)
{
    return (n * NS_PER_S + span / 2) / span;
}

static void idle(const char *name)
{
    uint64_t start = (uint64_t)nx_clock_get(), instret = nx_rdinstret();
    long irqs = nx_system_info(NX_INFO_TIMER_IRQS), halted = nx_system_info(NX_INFO_IDLE_INSTRET);
    sleep_for(IDLE_SPAN);
    uint64_t busy = nx_rdinstret() - instret -
                    (uint64_t)(nx_system_info(NX_INFO_IDLE_INSTRET) - halted);
    uint64_t took = (uint64_t)(nx_system_info(NX_INFO_TIMER_IRQS) - irqs);
    uint64_t span = (uint64_t)nx_clock_get() - start;
    nx_printf("guibench: idle for %lu ns: %lu timer interrupt(s), 1 asked for; %lu instructions "
              "not halted\n", (unsigned long)span, (unsigned long)took, (unsigned long)busy);
    nx_printf("BENCH %s_idle_wakeups_per_s %lu\n", name,
              (unsigned long)per_s(took > 0 ? took - 1 : 0, span));
    nx_printf("BENCH %s_idle_busy_instr_per_s %lu\n", name, (unsigned long)per_s(busy, span));
}

static long keys(void)
{
    struct nx_wm_stats st;
    long err = nx_wm_stats(&wm, &st);
    if (err)
        return err;
    uint64_t frames = st.frames;
    nx_printf("guibench: type %d keys\n", KEYS);
    for (int i = 0; i < KEY_WAIT_POLLS; i++) {
        err = nx_wm_stats(&wm, &st);
        if (err)
            return err;
        if (st.keys_timed >= KEYS)
            break;
        sleep_for(POLL_SPAN);
    }
    sleep_for(POLL_SPAN);  // the last key's flushes, if more than one
    err = nx_wm_stats(&wm, &st);
    if (err)
        return err;
    if (st.keys_timed != KEYS)
        return NX_ERR_BAD_STATE;
    nx_printf("guibench: %lu frames for %d keys\n", (unsigned long)(st.frames - frames), KEYS);
    nx_printf("BENCH key_to_pixel_instr %lu\n",
              (unsigned long)((st.key_to_flush_ns - st.key_to_flush_halted_ns) / KEYS));
    nx_printf("BENCH key_to_pixel_wait_ns %lu\n", (unsigned long)(st.key_to_flush_halted_ns / KEYS));
    nx_printf("BENCH key_to_pixel_compose_instr %lu\n", (unsigned long)st.last_frame_instr);
    nx_printf("BENCH key_to_pixel_flush_instr %lu\n", (unsigned long)st.last_flush_instr);
    return NX_OK;
}

// Polls the compositor's counters until done(st) holds and no frame came for a POLL_SPAN.
static long wait_until(bool (*done)(const struct nx_wm_stats *, uint64_t), uint64_t arg,
                       struct nx_wm_stats *st)
{
    uint64_t frames = UINT64_MAX;
    for (int i = 0; i < KEY_WAIT_POLLS; i++) {
        long err = nx_wm_stats(&wm, st);
        if (err)
            return err;
        if (done(st, arg) && st->frames == frames)
            return NX_OK;
        frames = st->frames;
        sleep_for(POLL_SPAN);
    }
    return NX_ERR_TIMED_OUT;
}

static bool keys_timed(const struct nx_wm_stats *st, uint64_t n)
{
    return st->keys_timed >= n;
}

static bool terminal_active(const struct nx_wm_stats *st, uint64_t unused)
{
    (void)unused;
    return !strncmp(st->active_title, "Terminal", sizeof st->active_title);
}

// The state when Enter is asked for (what done() compares with).
static struct nx_wm_stats at_enter;

// Ask the harness (as who) for `presses` key presses, then for Enter: the compositor's
// timing of that one press up to the last flush before done() held (BENCH <figure>_instr,
// halted time left out, and <figure>_wait_ns, the halted time).
static long enter_timed(const char *who, const char *typing, uint64_t presses,
                        bool (*done)(const struct nx_wm_stats *, uint64_t), const char *figure)
{
    struct nx_wm_stats before, after;
    long err = nx_wm_stats(&wm, &before);
    if (err)
        return err;
    nx_printf("%s: %s\n", who, typing);
    if ((err = wait_until(keys_timed, before.keys_timed + presses, &at_enter)))
        return err;
    nx_printf("%s: press Enter\n", who);
    if ((err = wait_until(done, 0, &after)))
        return err;
    if (after.keys_timed != at_enter.keys_timed + 1)
        return NX_ERR_BAD_STATE;
    uint64_t halted = after.key_to_flush_halted_ns - at_enter.key_to_flush_halted_ns;
    nx_printf("%s: %lu frames, the active surface \"%s\"\n", who,
              (unsigned long)(after.frames - at_enter.frames), after.active_title);
    nx_printf("BENCH %s_instr %lu\n", figure,
              (unsigned long)(after.key_to_flush_ns - at_enter.key_to_flush_ns - halted));
    nx_printf("BENCH %s_wait_ns %lu\n", figure, (unsigned long)halted);
    return NX_OK;
}

static long launch(void)
{
    return enter_timed("deskbench", "open the launcher and type ter", 4, terminal_active,
                       "launch_app");
}

// The login screen gone (the active surface's title changed) and the desktop's bar presented:
// at least the "Checking" frame and one more presented since Enter.
static bool desktop_up(const struct nx_wm_stats *st, uint64_t unused)
{
    (void)unused;
    return strncmp(st->active_title, at_enter.active_title, sizeof st->active_title) &&
           st->presents >= at_enter.presents + 2;
}

// Busy instructions (halted time left out) of one nx_users_login of the first account.
static long hash(void)
{
    struct nx_users_login_rep rep;
    uint64_t halted = (uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET), start = nx_rdinstret();
    long err = nx_users_login("nexus", "nexus", &rep);
    uint64_t busy = nx_rdinstret() - start -
                    ((uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET) - halted);
    if (err)
        return err;
    struct nx_argon2_params p = NX_ARGON2_DEFAULT;
    nx_printf("loginbench: argon2id m=%u KiB t=%u p=%u\n", p.m_kib, p.t, p.p);
    nx_printf("BENCH login_hash_instr %lu\n", (unsigned long)busy);
    return NX_OK;
}

static long login(void)
{
    long err = enter_timed("loginbench", "type the name and the password", LOGIN_KEYS,
                           desktop_up, "login_to_desktop");
    return err ? err : hash();
}

static long bench(const char *mode)
{
    long err = nx_wm_connect(&wm, notif, 1);
    for (int i = 1; i < CONNECT_TRIES && err == NX_ERR_NOT_FOUND; i++) {  // not up yet
        sleep_for(POLL_SPAN);
        err = nx_wm_connect(&wm, notif, 1);
    }
    if (!err)
        err = settle();
    if (err)
        return err;
    if (!strcmp(mode, "login"))
        return login();
    bool desktop = !strcmp(mode, "desktop");
    idle(desktop ? "desktop" : "gui");
    return desktop ? launch() : keys();
}

int main(int argc, char **argv)
{
    notif = (nx_handle_t)nx_notification_create();
    sleeper = (nx_handle_t)nx_notification_create();
    long err = bench(argc > 1 ? argv[1] : "");
    if (err != NX_OK)
        nx_printf("guibench: the session's figures failed (%ld)\n", err);
    nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                NX_DEADLINE_NEVER);
    return (int)err;
}

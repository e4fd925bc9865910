// greeter: the login screen (docs/login.md). A screen-sized surface of the compositor shows
// the clock, the date and a form; Enter has the users service check the name and password
// (the service imposes the delay after wrong ones, shown here, input refused until it ends),
// and success starts the user's session (nx/session.h) as its session manifest says:
// /boot/desktop.session, or the Terminal's without one (or /boot/NAME.session for the
// argument session=NAME), in the user's namespace. The
// screen goes; when the session's process ends (logout) it comes back. The session may call
// the "session" endpoint this process serves: lock (the screen on top, asking the same user's
// password) and logout (its process killed).
//
// One notification wakes it for everything: the compositor's events (BIT_WM), its one timer
// (BIT_TIMER: the next minute for the clock, or the end of a delay; one-shot, with slack),
// the session's end (BIT_SESSION), the session's calls (BIT_CALL, from the serving
// thread) and a change of the settings (BIT_SETTINGS: the theme, the clock's time zone, the
// lock delay). The password is wiped after the check and never logged.
//
// The screen lies in the compositor's lock layer (NX_WM_SURFACE_LOCK), which only this
// process's `wm` grant (badged NX_BADGE_LOCK by init: `grant=wm:lock`) may use, so nothing a
// session puts up goes over it or gets input while it is up. The inactivity lock: while a
// session runs unlocked, the compositor is asked to say when no input has come for the
// setting lock_delay_s (NX_WM_IDLE_WATCH); its NX_WM_EV_IDLE locks like NX_SESSION_LOCK.
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nexus/errors.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/session.h>
#include <nx/settings.h>
#include <nx/startup.h>
#include <nx/thread.h>
#include <nx/time.h>
#include <nx/users.h>
#include "screen.h"

#define BIT_WM      (1ull << 0)
#define BIT_TIMER   (1ull << 1)
#define BIT_SESSION (1ull << 2)
#define BIT_CALL    (1ull << 3)
#define BIT_SETTINGS (1ull << 4)
#define DESKTOP "desktop"          // the session manifests tried: /boot/NAME.session
#define TERMINAL "terminal"
#define CLOCK_SLACK_NS 1000000000ull  // the clock may turn up to 1 s late: timers coalesce
#define MINUTE_NS (60 * NX_NS_PER_S)
#define CONNECT_TRIES 50           // the compositor not up yet: tries, CONNECT_NS apart
#define CONNECT_NS 100000000ull
#define CALL_LOCK   1u
#define CALL_LOGOUT 2u

static struct {
    struct nx_wm wm;
    struct screen screen;
    nx_handle_t notif, timer, serve;
    nx_handle_t session;           // the session's process, 0 when none
    char user[NX_USER_NAME_MAX + 1];
    bool locked;
    uint32_t layer;                // NX_WM_SURFACE_LOCK when granted wm:lock, else 0
    uint64_t retry_at;             // nx_clock_get time before which input is refused
    _Atomic uint32_t badge;        // the current session's badge on serve (0: none)
    _Atomic uint32_t calls;        // CALL_* asked since the main loop last looked
    uint32_t sessions;             // sessions started (badges are 1 + this)
    const char *manifest;          // the session manifest's NAME, if the argument names one
    struct nx_settings settings;   // the settings service's (its defaults without it)
} g;

// ---- the session's endpoint (its own thread) ----

static long on_call(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    if (req->badge == 0 || req->badge != atomic_load(&g.badge))
        return NX_ERR_ACCESS;   // a handle of a session that has ended
    atomic_fetch_or(&g.calls, req->op == NX_SESSION_LOCK ? CALL_LOCK : CALL_LOGOUT);
    nx_notify_signal(g.notif, BIT_CALL);
    return NX_OK;
}

static void serve_thread(void *arg)
{
    (void)arg;
    static const struct nx_rpc_op ops[] = {
        { NX_SESSION_LOCK, 0, 0, on_call },
        { NX_SESSION_LOGOUT, 0, 0, on_call },
    };
    const struct nx_rpc_server srv = { ops, sizeof ops / sizeof ops[0], NULL, NULL };
    long err = nx_rpc_serve(g.serve, &srv);
    nx_log(NX_LOG_ERROR, "the session endpoint failed (%ld)", err);
}

// ---- the clock and the timer ----

static void arm_timer(void)
{
    uint64_t now = (uint64_t)nx_clock_get(), unix_ns, deadline = NX_DEADLINE_NEVER;
    if (g.screen.shown && nx_wallclock_get(&unix_ns) == NX_OK) {
        screen_set_time(&g.screen, nx_settings_local_s(&g.settings, unix_ns / NX_NS_PER_S));
        deadline = now + MINUTE_NS - unix_ns % MINUTE_NS;
    }
    if (g.retry_at > now && g.retry_at < deadline)
        deadline = g.retry_at;
    nx_timer_set(g.timer, (long)deadline, (long)(deadline == g.retry_at ? 0 : CLOCK_SLACK_NS));
}

// The screen's look from g.settings; the clock as shown in the log (not each minute: at start
// and when the zone changes).
static void watch_idle(void);

static void apply_settings(uint32_t keys)
{
    if (keys & (1u << NX_SETTING_LOCK_DELAY))
        watch_idle();  // the running session's watch at the new delay
    if (keys & (1u << NX_SETTING_THEME))
        screen_set_theme(&g.screen, nx_settings_dark(&g.settings));
    if (keys & (1u << NX_SETTING_TIME_ZONE)) {
        arm_timer();
        nx_log(NX_LOG_INFO, "clock %s, %s (%s)", g.screen.clock_text, g.screen.date_text,
               g.settings.value[NX_SETTING_TIME_ZONE]);
    }
}

static bool waiting(void)
{
    return g.retry_at > (uint64_t)nx_clock_get();
}

// ---- the session ----

// The session manifest (read at each login: a changed one applies to the next session) into
// spec; what it names that this process does not hold is logged and left out.
static long read_session_manifest(struct nx_session_spec *spec)
{
    static struct nx_session_manifest m;
    struct nx_app_error why;
    const char *name = g.manifest ? g.manifest : DESKTOP;
    long err = nx_session_manifest_read(name, &m, spec, &why);
    if (err == NX_ERR_NOT_FOUND && !g.manifest)
        err = nx_session_manifest_read(name = TERMINAL, &m, spec, &why);
    if (err) {
        nx_log(NX_LOG_ERROR, "session manifest %s" NX_SESSION_SUFFIX " line %u: %s (%ld)", name,
               why.line, why.why, err);
        return err;
    }
    for (size_t i = 0; i < spec->npassed; i++)
        if (!strcmp(spec->passed[i], NX_WM_SERVICE)) {
            // Its badge opens the lock layer: a session holding it could cover the lock.
            nx_log(NX_LOG_ERROR, "session manifest %s" NX_SESSION_SUFFIX ": '%s' is the login "
                   "screen's own: refused", name, NX_WM_SERVICE);
            return NX_ERR_ACCESS;
        }
    for (size_t i = 0; i < spec->npassed; i++)
        if (!nx_startup_handle(spec->passed[i]) && strncmp(spec->passed[i], "dir:", 4))
            nx_log(NX_LOG_WARN, "session manifest %s" NX_SESSION_SUFFIX ": '%s' is not held "
                   "here: left out", name, spec->passed[i]);
    return NX_OK;
}

static long start_session(const char *name, const char *home)
{
    uint32_t badge = ++g.sessions;
    long ep = nx_endpoint_mint(g.serve, badge, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER |
                                                   NX_RIGHT_DUPLICATE);
    if (ep < 0)
        return ep;
    struct nx_named_handle extra[] = { { NX_SESSION_SERVICE, (nx_handle_t)ep } };
    struct nx_session_spec spec = { .user = name, .home = home, .extra = extra, .nextra = 1 };
    long err = read_session_manifest(&spec);
    if (err) {
        nx_handle_close((nx_handle_t)ep);
        return err;
    }
    nx_handle_t proc;
    atomic_store(&g.badge, badge);
    err = nx_session_start(&spec, &proc);
    if (!err && (err = nx_process_watch(proc, g.notif, BIT_SESSION))) {
        nx_process_kill(proc);
        nx_handle_close(proc);
    }
    if (err) {
        atomic_store(&g.badge, 0);
        return err;
    }
    g.session = proc;
    snprintf(g.user, sizeof g.user, "%s", name);
    nx_log(NX_LOG_INFO, "session of %s started: %s", name, spec.program);
    return NX_OK;
}

// The compositor gone (restarting) or broken: the screen cannot be shown, so no session may
// run on unlocked: it is killed, and the greeter exits for init to start it again (it then
// connects to the compositor's new instance).
static void lost_compositor(long err)
{
    nx_log(NX_LOG_ERROR, "the compositor is gone (%ld): ending the session and exiting", err);
    if (g.session)
        nx_process_kill(g.session);
    exit(1);
}

static void show(const char *locked_user)
{
    long err = screen_show(&g.screen, &g.wm, locked_user, g.layer);
    if (err)
        lost_compositor(err);
    arm_timer();
}

// ---- the inactivity lock ----

// The setting lock_delay_s (docs/settings.md): 0 (never) or 30..3600 s. Without a settings
// service, or with a value it should never give, the default (300 s).
static uint32_t lock_delay_s(void)
{
    struct nx_settings s;
    nx_settings_defaults(&s);
    char value[NX_SETTING_VALUE_MAX + 1], canon[NX_SETTING_VALUE_MAX + 1];
    long n = nx_settings_get(nx_setting_name(NX_SETTING_LOCK_DELAY), value, sizeof value);
    if (n >= 0 && nx_setting_check(NX_SETTING_LOCK_DELAY, value, (size_t)n, canon, NULL, 0) ==
                      NX_OK)
        memcpy(s.value[NX_SETTING_LOCK_DELAY], canon, sizeof canon);
    return nx_settings_lock_delay_s(&s);
}

// The compositor's idle watch for the session running unlocked (read again each time: a
// changed delay applies from the next session start or unlock), else none.
static void watch_idle(void)
{
    uint32_t delay = g.session && !g.locked ? lock_delay_s() : 0;
    long err = nx_wm_idle_watch(&g.wm, delay);
    if (err)
        nx_log(NX_LOG_WARN, "no inactivity lock: the compositor refused the watch (%ld)", err);
}

static void lock(void)
{
    g.locked = true;
    show(g.user);
    watch_idle();   // none while locked
}

static void session_ended(void)
{
    nx_handle_close(g.session);
    g.session = 0;
    atomic_store(&g.badge, 0);
    atomic_store(&g.calls, 0);
    nx_log(NX_LOG_INFO, "session of %s ended", g.user);
    g.user[0] = '\0';
    if (g.locked)
        screen_hide(&g.screen);
    g.locked = false;
    show(NULL);
    watch_idle();
}

static void session_calls(void)
{
    uint32_t calls = atomic_exchange(&g.calls, 0);
    if (!g.session)
        return;
    if (calls & CALL_LOGOUT) {
        nx_process_kill(g.session);   // BIT_SESSION follows
    } else if ((calls & CALL_LOCK) && !g.locked) {
        lock();
    }
}

// ---- the form ----

// What a refusal says (the delay's end kept in g.retry_at).
static void refused(long err, const struct nx_users_login_rep *rep)
{
    char text[SCREEN_MESSAGE_MAX];
    unsigned s = (rep->retry_ms + 999) / 1000;
    switch (err) {
    case NX_ERR_ACCESS:
    case NX_ERR_TIMED_OUT:
        snprintf(text, sizeof text, "Wrong user name or password. Try again in %u s.", s);
        nx_log(NX_LOG_INFO, "login refused: next try in %u s", s);
        break;
    case NX_ERR_BAD_STATE:
        snprintf(text, sizeof text, "The user database is damaged: only '%s' can log in.",
                 NX_USERS_RECOVERY);
        break;
    case NX_ERR_TOO_BIG:
    case NX_ERR_INVALID:
        snprintf(text, sizeof text, "Not a valid user name or password.");
        break;
    default:
        snprintf(text, sizeof text, "The users service failed (%ld).", err);
    }
    g.retry_at = (uint64_t)nx_clock_get() + (uint64_t)rep->retry_ms * 1000000ull;
    screen_message(&g.screen, text, true);
}

// Enter: the check, then the session (or back to it, when locked).
static void submit(void)
{
    char name[NX_USER_NAME_MAX + 1], password[NX_PASSWORD_MAX + 1];
    struct nx_field *f = &g.screen.name;
    if (g.locked)
        snprintf(name, sizeof name, "%s", g.user);
    else
        snprintf(name, sizeof name, "%.*s", (int)f->len, f->buf);
    memcpy(password, g.screen.password.buf, g.screen.password.len);
    password[g.screen.password.len] = '\0';
    screen_clear_password(&g.screen);
    if (!name[0]) {
        nx_ui_focus(&g.screen.ui, &f->base);
        return;
    }
    screen_message(&g.screen, "Checking\xe2\x80\xa6", false);
    g.screen.frame_pending = false;   // shown now: the check takes a while
    screen_present(&g.screen);
    struct nx_users_login_rep rep = { 0 };
    long err = nx_users_login(name, password, &rep);
    memset(password, 0, sizeof password);
    __asm__ volatile("" ::"r"(password) : "memory");  // the wipe is not optimised away
    if (err) {
        refused(err, &rep);
        arm_timer();
        return;
    }
    screen_message(&g.screen, "", false);
    if (g.locked) {
        g.locked = false;
        screen_hide(&g.screen);
        watch_idle();
        return;
    }
    err = start_session(name, rep.home);
    if (err) {
        char text[SCREEN_MESSAGE_MAX];
        snprintf(text, sizeof text, "Cannot start the session (%ld).", err);
        screen_message(&g.screen, text, true);
        nx_log(NX_LOG_ERROR, "cannot start the session of %s (%ld)", name, err);
        return;
    }
    screen_hide(&g.screen);
    arm_timer();
    watch_idle();
}

static void event(const struct nx_wm_event *ev)
{
    if (ev->type == NX_WM_EV_FRAME_DONE) {
        g.screen.frame_pending = false;
        return;
    }
    if (ev->type == NX_WM_EV_IDLE) {
        if (g.session && !g.locked) {
            nx_log(NX_LOG_INFO, "session of %s locked: no input for %u s", g.user, ev->value);
            lock();
        }
        return;
    }
    if (!g.screen.shown || ev->surface != g.screen.surf.id)
        return;
    if (waiting() && (ev->type == NX_WM_EV_KEY || ev->type == NX_WM_EV_POINTER))
        return;   // input refused until the delay ends
    struct nx_widget *done = nx_ui_event(&g.screen.ui, ev);
    if (!done)
        return;
    if (done == &g.screen.name.base)
        nx_ui_focus(&g.screen.ui, &g.screen.password.base);
    else
        submit();
}

static void drain_events(void)
{
    struct nx_wm_event ev;
    long err;
    while ((err = nx_wm_poll_event(&g.wm, &ev)) == NX_OK)
        event(&ev);
    if (err != NX_ERR_NOT_FOUND)
        lost_compositor(err);
}

static void timer_fired(void)
{
    if (g.retry_at && !waiting()) {
        g.retry_at = 0;
        screen_message(&g.screen, "Wrong user name or password.", true);
    }
    arm_timer();
}

static void loop(void)
{
    for (;;) {
        drain_events();
        long err = screen_present(&g.screen);
        if (err)
            lost_compositor(err);
        uint64_t bits = 0;
        if (nx_ring_prepare_sleep(&g.wm.events))
            nx_notify_wait_bits(g.notif, NX_DEADLINE_NEVER, &bits);
        nx_ring_end_sleep(&g.wm.events);
        if (bits & BIT_SESSION)
            session_ended();
        if (bits & BIT_CALL)
            session_calls();
        if (bits & BIT_TIMER)
            timer_fired();
        if (bits & BIT_SETTINGS)
            apply_settings(nx_settings_refresh(&g.settings));
    }
}

// ---- start ----

// Through the `wm` grant (its badge lets the screen use the lock layer), else looked up (a
// manifest without `grant=wm:lock`: the screen is a plain fullscreen surface, which a
// session's later surfaces could cover; said at WARN).
static long connect_once(nx_handle_t granted)
{
    if (granted != NX_HANDLE_INVALID)
        return nx_wm_connect_at(&g.wm, granted, g.notif, BIT_WM);
    return nx_wm_connect(&g.wm, g.notif, BIT_WM);
}

static long connect_compositor(void)
{
    uint64_t give_up = (uint64_t)nx_clock_get() + CONNECT_TRIES * CONNECT_NS, bits;
    nx_handle_t granted = nx_startup_handle(NX_WM_SERVICE);
    long err = NX_ERR_NOT_FOUND;
    while (!nx_wm_display_gone() && (err = connect_once(granted)) != NX_OK &&
           (uint64_t)nx_clock_get() < give_up)
        nx_notify_wait_bits(g.notif, (uint64_t)nx_clock_get() + CONNECT_NS, &bits);
    g.layer = granted != NX_HANDLE_INVALID ? NX_WM_SURFACE_LOCK : 0;
    if (!err && !g.layer)
        nx_log(NX_LOG_WARN, "no wm grant: the lock screen is not in the lock layer");
    return err;
}

static long make_objects(void)
{
    long n = nx_notification_create();
    long t = n < 0 ? n : nx_timer_create((nx_handle_t)n, BIT_TIMER);
    long ep = t < 0 ? t : nx_endpoint_create();
    if (ep < 0)
        return ep;
    g.notif = (nx_handle_t)n;
    g.timer = (nx_handle_t)t;
    g.serve = (nx_handle_t)ep;
    long err = nx_settings_follow(&g.settings, g.notif, BIT_SETTINGS);
    if (err)
        nx_log(NX_LOG_INFO, "no settings service (%ld): the defaults", err);
    struct nx_process_info self;
    err = nx_process_info(nx_self, &self);
    long th = err ? err : nx_thread_start(serve_thread, NULL, self.priority, 0);
    return th < 0 ? th : NX_OK;
}

// Arguments (the manifest's, after "--"): session=NAME, the session manifest.
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "session=", 8))
            g.manifest = argv[i] + 8;
    long err = make_objects();
    if (!err)
        err = screen_init(&g.screen);
    if (err) {
        fprintf(stderr, "greeter: cannot start (%ld)\n", err);
        return 1;
    }
    if ((err = connect_compositor())) {
        if (nx_wm_display_gone())
            fprintf(stderr, "greeter: no display: exiting\n");
        else
            fprintf(stderr, "greeter: no compositor (%ld): exiting\n", err);
        return 0;
    }
    show(NULL);
    apply_settings(1u << NX_SETTING_THEME | 1u << NX_SETTING_TIME_ZONE);
    loop();
}

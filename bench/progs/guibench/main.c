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
// Then powers off through proc.
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/wm.h>

#define MS 1000000ull
#define NS_PER_S 1000000000ull
#define IDLE_SPAN (10000 * MS)
#define POLL_SPAN (1000 * MS)  // between looks at the compositor's counters (not during IDLE_SPAN)
#define KEYS 20                // bench/run_bench.py types as many
#define KEY_WAIT_POLLS 600     // give up after that many looks

#define CONNECT_TRIES 60       // looks for the compositor, POLL_SPAN apart

static struct nx_wm wm;
static nx_handle_t notif, sleeper;  // the compositor's events; nobody's (sleeps)

static void sleep_for(uint64_t ns)
{
    uint64_t bits;
    nx_notify_wait_bits(sleeper, (uint64_t)nx_clock_get() + ns, &bits);
}

// Settled: a frame has been composed (the Terminal is up) and no frame since the last look.
static long settle(void)
{
    struct nx_wm_stats st;
    uint64_t before = 0;
    for (;;) {
        sleep_for(POLL_SPAN);
        long err = nx_wm_stats(&wm, &st);
        if (err)
            return err;
        if (st.presents && st.frames == before)
            return NX_OK;
        before = st.frames;
    }
}

static uint64_t per_s(uint64_t n, uint64_t span)
{
    return (n * NS_PER_S + span / 2) / span;
}

static void idle(void)
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
    nx_printf("BENCH gui_idle_wakeups_per_s %lu\n",
              (unsigned long)per_s(took > 0 ? took - 1 : 0, span));
    nx_printf("BENCH gui_idle_busy_instr_per_s %lu\n", (unsigned long)per_s(busy, span));
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

static long bench(void)
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
    idle();
    return keys();
}

int main(void)
{
    notif = (nx_handle_t)nx_notification_create();
    sleeper = (nx_handle_t)nx_notification_create();
    long err = bench();
    if (err != NX_OK)
        nx_printf("guibench: the session's figures failed (%ld)\n", err);
    nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                NX_DEADLINE_NEVER);
    return (int)err;
}

// make bench (bench/run_bench.py, manifest bench.wm, with a GPU): the compositor's figures,
// from its counters (NX_WM_STATS), in bytes and instructions:
//   present_bytes_copied_windowed: a present of a whole 640x400 window (its damage copied once);
//   present_bytes_copied_fullscreen: a present of a whole fullscreen surface (scanned out
//     straight from its VMO: 0);
//   compose_fullframe_instr: the composition of the whole 1280x800 screen (the window, its
//     frame and the background; the flush to the GPU not included), after the fullscreen
//     surface is gone.
// Then powers off through proc.
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/wm.h>

#define EVENTS 1ull

static struct nx_wm wm;
static nx_handle_t notif;

// Present all of s and wait for its FRAME_DONE.
static long present_all(struct nx_wm_surface *s)
{
    struct nx_gfx_rect all = { 0, 0, s->gfx.width, s->gfx.height };
    long err = nx_wm_present(&wm, s, &all, 1);
    struct nx_wm_event ev;
    while (!err) {
        err = nx_wm_poll_event(&wm, &ev);
        if (!err && ev.type == NX_WM_EV_FRAME_DONE && ev.surface == s->id)
            return NX_OK;
        if (err == NX_ERR_NOT_FOUND && nx_ring_prepare_sleep(&wm.events)) {
            uint64_t bits;
            err = nx_notify_wait_bits(notif, NX_DEADLINE_NEVER, &bits);
            nx_ring_end_sleep(&wm.events);
        } else if (err == NX_ERR_NOT_FOUND) {
            err = NX_OK;
        }
    }
    return err;
}

static long frame_bytes(struct nx_wm_surface *s, uint64_t *bytes)
{
    struct nx_wm_stats st;
    long err = present_all(s);
    if (!err)
        err = nx_wm_stats(&wm, &st);
    *bytes = st.last_frame_bytes;
    return err;
}

static long bench(void)
{
    struct nx_wm_surface win, full;
    uint64_t windowed, fullscreen;
    struct nx_wm_stats st;
    long err = nx_wm_connect(&wm, notif, EVENTS);
    if (!err)
        err = nx_wm_surface_create(&wm, 640, 400, 100, 100, NX_WM_SURFACE_OPAQUE, "Bench", &win);
    if (!err)
        err = present_all(&win);  // its first frame: the window's frame composed too
    if (!err)
        err = frame_bytes(&win, &windowed);
    if (!err)
        err = nx_wm_surface_create(&wm, wm.screen_w, wm.screen_h, 0, 0,
                                   NX_WM_SURFACE_FULLSCREEN | NX_WM_SURFACE_OPAQUE, "Full", &full);
    if (!err)
        err = present_all(&full);  // the switch to the direct scanout
    if (!err)
        err = frame_bytes(&full, &fullscreen);
    if (err)
        return err;
    // The whole screen composed again: the compositor takes its own "compose" signal before
    // the next call (the kernel alternates signals and calls), so the stats are that frame's.
    nx_wm_surface_destroy(&wm, &full);
    err = nx_wm_stats(&wm, &st);
    if (err)
        return err;
    if (st.last_frame_bytes != (uint64_t)wm.screen_w * wm.screen_h * 4)
        return NX_ERR_BAD_STATE;  // not the full frame after all
    nx_printf("BENCH present_bytes_copied_windowed %lu\n", (unsigned long)windowed);
    nx_printf("BENCH present_bytes_copied_fullscreen %lu\n", (unsigned long)fullscreen);
    nx_printf("BENCH compose_fullframe_instr %lu\n", (unsigned long)st.last_frame_instr);
    return NX_OK;
}

int main(void)
{
    notif = (nx_handle_t)nx_notification_create();
    long err = bench();
    if (err != NX_OK)
        nx_printf("wmbench: the compositor's figures failed (%ld)\n", err);
    nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                NX_DEADLINE_NEVER);
    return (int)err;
}

// End-to-end test of the compositor (docs/compositor.md; run_tests.py
// check_wm_windows, manifest wm): two windows of known colours and a child process's third,
// every bad request refused with its error, the bytes a present copies (windowed and
// fullscreen), then steps driven by the keys the harness sends through QMP to the focused
// window (and a drag of a window's corner, which it answers with a resize): 'k' kills the child (its window must vanish), 'f' shows a fullscreen surface
// (scanned out directly), 'q' removes it, kills the compositor and reconnects to the new one,
// whose window waits for a last 'q'.
#define TEST_NAME "wmtest"
#include <string.h>
#include <nx/gfx.h>
#include <nx/glyph_atlas.h>
#include <nx/gpu.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/wm.h>
#include "expect.h"
#include "services.h"

#define EVENTS 1ull
#define KEY_K 37
#define KEY_F 33
#define KEY_Q 16
#define RED 0xffd02020u
#define GREEN 0xff20b040u
#define BLUE 0xff2040d0u
#define YELLOW 0xfff0c020u
#define WHITE 0xffffffffu

static struct nx_wm wm;
static nx_handle_t notif;
static struct nx_wm_surface red, green;

static void fill(struct nx_wm_surface *s, uint32_t color)
{
    for (int32_t y = 0; y < s->gfx.height; y++)
        for (int32_t x = 0; x < s->gfx.width; x++)
            s->gfx.pixels[(size_t)y * s->gfx.stride + x] = color;
}

// The next event, waiting for it (at most 10 s: NX_ERR_TIMED_OUT).
static long next_event(struct nx_wm *w, nx_handle_t n, struct nx_wm_event *ev)
{
    uint64_t end = (uint64_t)nx_clock_get() + 10000 * MS;
    for (;;) {
        long err = nx_wm_poll_event(w, ev);
        if (err != NX_ERR_NOT_FOUND)
            return err;
        if (nx_ring_prepare_sleep(&w->events)) {
            uint64_t bits;
            err = nx_notify_wait_bits(n, end, &bits);
            nx_ring_end_sleep(&w->events);
            if (err)
                return err;
        }
    }
}

// Wait for the FRAME_DONE of surface id (other events are skipped): NX_OK or the error.
static long frame_done(struct nx_wm *w, nx_handle_t n, uint32_t id)
{
    struct nx_wm_event ev;
    long err;
    while ((err = next_event(w, n, &ev)) == NX_OK)
        if (ev.type == NX_WM_EV_FRAME_DONE && ev.surface == id)
            return NX_OK;
    return err;
}

static long present_all(struct nx_wm *w, nx_handle_t n, struct nx_wm_surface *s)
{
    struct nx_gfx_rect all = { 0, 0, s->gfx.width, s->gfx.height };
    long err = nx_wm_present(w, s, &all, 1);
    return err ? err : frame_done(w, n, s->id);
}

// A window of color, presented and on the screen.
static long window(struct nx_wm *w, nx_handle_t n, struct nx_wm_surface *s, int32_t x,
                   int32_t y, int32_t width, int32_t height, uint32_t color, const char *title)
{
    long err = nx_wm_surface_create(w, width, height, x, y, 0, title, s);
    if (err)
        return err;
    fill(s, color);
    return present_all(w, n, s);
}

// ---- the child: a client of its own, killed by the parent ----

static void child(nx_handle_t svcmgr)
{
    struct nx_wm mine;
    struct nx_wm_surface blue;
    long n = nx_notification_create();
    struct nx_rpc_call c = { .op = NX_SVCMGR_LOOKUP, .req = NX_WM_SERVICE,
                             .req_len = sizeof NX_WM_SERVICE, .deadline = NX_DEADLINE_NEVER };
    long err = nx_rpc(svcmgr, &c);
    if (!err)
        err = nx_wm_connect_at(&mine, c.recv.h[0], (nx_handle_t)n, EVENTS);
    if (!err)
        err = window(&mine, (nx_handle_t)n, &blue, 700, 400, 160, 100, BLUE, "Blue");
    nx_printf("wmtest: child window up (%ld)\n", err);
    uint64_t bits;
    nx_notify_wait_bits((nx_handle_t)n, NX_DEADLINE_NEVER, &bits);  // never reads its ring
}

// ---- bad requests: raw calls past the library ----

static long raw_create(int32_t w, int32_t h, int32_t stride, uint32_t flags, size_t vmo_size,
                       uint32_t rights)
{
    long vmo = nx_vmo_create((long)vmo_size);
    if (vmo < 0)
        return vmo;
    struct nx_wm_surface_create req = { w, h, stride, 10, 40, flags, "bad" };
    struct nx_wm_surface_reply rep;
    struct nx_rpc_call c = { .op = NX_WM_SURFACE_CREATE, .req = &req, .req_len = sizeof req,
                             .send = { 1, { (nx_handle_t)vmo }, { rights } },
                             .rep = &rep, .rep_cap = sizeof rep,
                             .deadline = NX_DEADLINE_NEVER };
    long err = nx_rpc(wm.ep, &c);
    nx_rpc_close_handles(&c.recv);
    nx_handle_close(vmo);
    if (err == NX_OK) {  // not expected: take it down again
        struct nx_wm_surface_ref ref = { rep.id };
        nx_rpc_call(wm.ep, NX_WM_SURFACE_DESTROY, &ref, sizeof ref, NULL, 0, NX_DEADLINE_NEVER);
    }
    return err;
}

static long raw_present(uint32_t id, uint32_t n, struct nx_gfx_rect r)
{
    struct nx_wm_present p = { id, n, { r } };
    return nx_rpc_call(wm.ep, NX_WM_PRESENT, &p, sizeof p, NULL, 0, NX_DEADLINE_NEVER);
}

static void bad_requests(void)
{
    const uint32_t rw = NX_RIGHT_READ | NX_RIGHT_MAP | NX_XFER_COPY;
    expect("a zero surface refused", raw_create(0, 10, 40, 0, 4096, rw), NX_ERR_INVALID);
    expect("a surface wider than the screen refused",
           raw_create(wm.screen_w + 1, 10, (wm.screen_w + 1) * 4, 0, 1 << 20, rw), NX_ERR_TOO_BIG);
    expect("a stride below the width refused", raw_create(100, 10, 396, 0, 8192, rw),
           NX_ERR_INVALID);
    expect("a VMO without MAP refused",
           raw_create(100, 10, 400, 0, 8192, NX_RIGHT_READ | NX_XFER_COPY), NX_ERR_ACCESS);
    expect("a VMO too small refused", raw_create(200, 150, 800, 0, 4096, rw), NX_ERR_TOO_BIG);
    expect("a fullscreen VMO without DMA refused",
           raw_create(wm.screen_w, wm.screen_h, wm.screen_w * 4, NX_WM_SURFACE_FULLSCREEN,
                      (size_t)wm.screen_w * wm.screen_h * 4, rw), NX_ERR_ACCESS);
    expect("a fullscreen surface not the screen's size refused",
           raw_create(100, 10, 400, NX_WM_SURFACE_FULLSCREEN, 8192,
                      rw | NX_RIGHT_DMA | NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE), NX_ERR_INVALID);
    expect("unknown flags refused", raw_create(100, 10, 400, 1u << 7, 8192, rw), NX_ERR_INVALID);
    struct nx_gfx_rect r = { 0, 0, 10, 10 };
    expect("a present of no surface refused", raw_present(99, 1, r), NX_ERR_NOT_FOUND);
    expect("a present of 0 rectangles refused", raw_present(green.id, 0, r), NX_ERR_INVALID);
    expect("a present of 17 rectangles refused", raw_present(green.id, NX_WM_MAX_DAMAGE + 1, r),
           NX_ERR_INVALID);
    struct nx_gfx_rect outside = { 5000, -7000, 100000, 3 };
    expect("damage outside the surface clipped", raw_present(green.id, 1, outside), NX_OK);
    expect("its frame done", frame_done(&wm, notif, green.id), NX_OK);
}

// The shared glyph atlas: read-only, sealed, and a valid atlas with the interface's faces.
static void glyph_atlas(void)
{
    nx_handle_t vmo;
    size_t size = 0;
    struct nx_glyph_atlas atlas;
    expect("the glyph atlas", nx_wm_glyph_atlas(&wm, &vmo), NX_OK);
    long info = nx_handle_info(vmo);
    expect("its rights: READ and MAP only", info < 0 ? info : nx_handle_info_rights(info),
           NX_RIGHT_READ | NX_RIGHT_MAP);
    long va = nx_vmo_map_readonly(vmo, &size);
    expect("it maps read-only", va < 0 ? va : NX_OK, NX_OK);
    if (va < 0)
        return;
    expect("it attaches", nx_glyph_atlas_attach(&atlas, (const void *)va, size), NX_OK);
    nx_printf("wmtest: the atlas has %u faces, %u glyphs\n", (unsigned)atlas.nfaces,
              (unsigned)atlas.nglyphs);
}

// The GPU driver answers anyone its mode, but only the compositor (its owner) the rest.
static void gpu_owner(void)
{
    nx_handle_t gpu = nx_startup_handle("gpu");
    struct nx_gpu_info info = { 0, 0 };
    expect("the GPU's mode to a stranger",
           nx_rpc_call(gpu, NX_GPU_INFO, NULL, 0, &info, sizeof info, NX_DEADLINE_NEVER), NX_OK);
    expect("the mode is the compositor's screen", info.width == (uint32_t)wm.screen_w &&
           info.height == (uint32_t)wm.screen_h, 1);
    struct nx_gpu_flush f = { 2, 1, { { 0, 0, 10, 10 } } };
    expect("a flush by a stranger refused",
           nx_rpc_call(gpu, NX_GPU_FLUSH, &f, sizeof f, NULL, 0, NX_DEADLINE_NEVER), NX_ERR_ACCESS);
    struct nx_gpu_resource r = { 0 };
    expect("a scanout by a stranger refused",
           nx_rpc_call(gpu, NX_GPU_SCANOUT, &r, sizeof r, NULL, 0, NX_DEADLINE_NEVER),
           NX_ERR_ACCESS);
}

// A present of a w x h rectangle of s: the bytes its frame copied (or the error).
static long present_bytes(struct nx_wm_surface *s, int32_t w, int32_t h, uint64_t *direct)
{
    struct nx_gfx_rect r = { 10, 10, w, h };
    struct nx_wm_stats st;
    long err = nx_wm_present(&wm, s, &r, 1);
    if (!err)
        err = frame_done(&wm, notif, s->id);
    if (!err)
        err = nx_wm_stats(&wm, &st);
    if (err)
        return err;
    *direct = st.direct_frames;
    return (long)st.last_frame_bytes;
}

static void fullscreen(void)
{
    struct nx_wm_surface fs;
    uint64_t before, after;
    long err = nx_wm_surface_create(&wm, wm.screen_w, wm.screen_h, 0, 0,
                                    NX_WM_SURFACE_FULLSCREEN | NX_WM_SURFACE_OPAQUE, "Full", &fs);
    expect("a fullscreen surface", err, NX_OK);
    fill(&fs, YELLOW);
    expect("its first frame", present_all(&wm, notif, &fs), NX_OK);
    present_bytes(&fs, 1, 1, &before);
    long bytes = present_bytes(&fs, 100, 100, &after);
    nx_printf("wmtest: fullscreen present of 100x100 copied %ld bytes\n", bytes);
    expect("a fullscreen present copies nothing", bytes, 0);
    expect("it is a direct scanout", after > before, 1);
    // The GPU driver killed: the compositor takes the new instance's display and attaches the
    // surface again, still scanned out with no copy.
    kill_and_watch_restart(nx_startup_handle("proc"), "gpu");
    present_bytes(&fs, 1, 1, &before);
    bytes = present_bytes(&fs, 100, 100, &after);
    nx_printf("wmtest: after the GPU's restart, a fullscreen present copied %ld bytes\n", bytes);
    expect("still no copy", bytes, 0);
    expect("still a direct scanout", after > before, 1);
    nx_printf("wmtest: fullscreen up\n");
    struct nx_wm_event ev;
    while ((err = next_event(&wm, notif, &ev)) == NX_OK &&
           !(ev.type == NX_WM_EV_KEY && ev.key.code == KEY_Q && ev.key.state == 1))
        ;
    nx_wm_surface_destroy(&wm, &fs);
    nx_printf("wmtest: fullscreen gone\n");
}

// The compositor killed through init's proc: the old connection fails, a new one works.
static void compositor_restart(void)
{
    nx_handle_t proc = nx_startup_handle("proc");
    struct nx_proc_entry e = { 0 };
    expect("the compositor is in the process list", find(proc, "wm", &e), NX_OK);
    struct nx_proc_kill_req k = { e.pid };
    expect("kill it", nx_rpc_call(proc, NX_PROC_KILL, &k, sizeof k, NULL, 0, NX_DEADLINE_NEVER),
           NX_OK);
    struct nx_gfx_rect r = { 0, 0, 10, 10 };
    long err = nx_wm_present(&wm, &green, &r, 1);
    expect("a present to the dead compositor fails", err < 0, 1);
    nx_printf("wmtest: it failed with %ld\n", err);
    nx_wm_disconnect(&wm);
    uint64_t end = (uint64_t)nx_clock_get() + 5000 * MS;
    while ((err = nx_wm_connect(&wm, notif, EVENTS)) != NX_OK && (uint64_t)nx_clock_get() < end)
        nap(50);
    expect("reconnected to the new compositor", err, NX_OK);
    struct nx_wm_surface white;
    expect("a window on it", window(&wm, notif, &white, 500, 300, 120, 80, WHITE, "Again"), NX_OK);
    nx_printf("wmtest: reconnected\n");
    // The window stays until a key reaches it through the new compositor.
    struct nx_wm_event ev;
    while ((err = next_event(&wm, notif, &ev)) == NX_OK && ev.type != NX_WM_EV_KEY)
        ;
    expect("a key through the new compositor", err == NX_OK ? ev.key.codepoint : (uint32_t)err,
           'q');
}

// The harness's keys, to the focused window: 'k', 'f', 'q' in turn.
static void steps(nx_handle_t kid)
{
    struct nx_wm_event ev;
    long err;
    while ((err = next_event(&wm, notif, &ev)) == NX_OK) {
        if (ev.type == NX_WM_EV_FOCUS && ev.value == 1)
            nx_printf("wmtest: %s focused\n", ev.surface == red.id ? "red" : "green");
        if (ev.type == NX_WM_EV_CONFIGURE && ev.surface == red.id) {
            // The user dragged red's corner: draw at the size asked.
            err = nx_wm_surface_resize(&wm, &red, ev.configure.w, ev.configure.h);
            fill(&red, RED);
            if (!err)
                err = present_all(&wm, notif, &red);
            expect("resized as asked", err, NX_OK);
            nx_printf("wmtest: red resized to %dx%d\n", (int)red.gfx.width, (int)red.gfx.height);
        }
        if (ev.type != NX_WM_EV_KEY || ev.key.state != 1)
            continue;
        nx_printf("wmtest: key %u (U+%04x) to %s\n", ev.key.code, (unsigned)ev.key.codepoint,
                  ev.surface == red.id ? "red" : "other");
        if (ev.key.code == KEY_K) {
            expect("the key comes with its character", ev.key.codepoint, 'k');
            struct nx_wm_stats st = { 0 };
            nx_wm_stats(&wm, &st);
            nx_printf("wmtest: %llu events dropped\n", (unsigned long long)st.events_dropped);
            expect("the child's full ring dropped events", st.events_dropped > 0, 1);
            expect("kill the child", nx_process_kill(kid), NX_OK);
            nx_printf("wmtest: child killed\n");
        } else if (ev.key.code == KEY_F) {
            // K's press was followed by a flush (the child's window went): it was timed.
            // (The halted time is instret: comparable with the clock under -icount only.)
            struct nx_wm_stats st = { 0 };
            nx_wm_stats(&wm, &st);
            expect("key presses timed to the flushes after them",
                   st.keys_timed > 0 && st.key_to_flush_ns > 0, 1);
            fullscreen();
            compositor_restart();
            return;
        }
    }
    expect("events until the last step", err, NX_OK);
}

int main(void)
{
    notif = (nx_handle_t)nx_notification_create();
    expect("connect", nx_wm_connect(&wm, notif, EVENTS), NX_OK);
    nx_printf("wmtest: screen %dx%d\n", (int)wm.screen_w, (int)wm.screen_h);
    expect("the red window", window(&wm, notif, &red, 100, 100, 200, 150, RED, "Red"), NX_OK);
    expect("the green window", window(&wm, notif, &green, 250, 180, 200, 150, GREEN, "Green"),
           NX_OK);
    bad_requests();
    glyph_atlas();
    gpu_owner();
    uint64_t direct;
    long bytes = present_bytes(&green, 50, 40, &direct);
    nx_printf("wmtest: windowed present of 50x40 copied %ld bytes\n", bytes);
    expect("a windowed present copies its damage once", bytes, 50 * 40 * 4);
    // The child has no startup handles: it looks the service up through a copy of ours.
    long mgr = nx_handle_duplicate(nx_startup_handle("svcmgr"), NX_RIGHTS_SAME);
    long kid = nx_spawn("wmchild", 256, child, (nx_handle_t)mgr);
    expect("the child started", kid < 0 ? kid : NX_OK, NX_OK);
    nx_printf("wmtest: windows up\n");
    steps((nx_handle_t)kid);
    nx_printf("wmtest: %d failures\n", failures);
    return failures != 0;
}

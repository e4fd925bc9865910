// Terminal: a window of the compositor (nx/wm.h) showing an nsh running on a pair of pipes
// (shell.c), through the emulator (vt*.c) and its drawing (render.c). docs/terminal.md.
//
// One notification wakes it for everything: nsh's output (the pipe's reader notification,
// NX_PIPE_BIT_IO and NX_PIPE_BIT_GONE), the compositor's events (BIT_WM) and nsh's end
// (BIT_SHELL). Each wake-up drains every source, then draws the cells that changed and
// presents only those; no timer runs (the cursor does not blink) except while the
// compositor is being reconnected to.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>
#include <nx/settings.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/wm.h>
#include "render.h"
#include "shell.h"
#include "vt.h"

#define BIT_WM (1ull << 2)
#define BIT_SHELL (1ull << 3)
#define COLS 80
#define ROWS 25
#define FONT "/boot/DejaVuSansMono.ttf"
#define FONT_PX 16
#define CACHE_BYTES (256u << 10)
#define OUTPUT_CHUNK 4096           // nsh output fed per wake-up before events are looked at
#define RECONNECT_TRIES 50          // the compositor gone: tries, RECONNECT_NS apart
#define RECONNECT_NS 100000000ull
#define CLIP_MAX 16384              // bytes a copy keeps
#define WHEEL_LINES 3
#define CASCADE 5                   // window places: (40, 40), (72, 72), ... (168, 168)
#define SHELL_GRACE_NS 2000000000ull  // nsh closed its output: how long it has to end alone

struct terminal {
    struct nx_wm wm;
    struct nx_wm_surface surf;
    bool connected, frame_pending, quit, shell_ended;
    int reconnect_tries;
    int place;                      // of CASCADE; a Terminal opened from here takes the next
    nx_handle_t wait, signal;       // the one notification
    struct shell sh;
    struct vt vt;
    struct nx_font font;
    struct nx_face face;
    struct nx_glyph_cache cache;
    struct term_render r;
    uint32_t buttons;               // pointer buttons held
    bool selecting;
    char clip[CLIP_MAX];
    size_t clip_len;
};

static struct terminal t;

// ---- to nsh ----

static void to_shell(const void *bytes, size_t len)
{
    if (len)
        nx_pipe_write(&t.sh.in, bytes, len, 0);  // full (nsh not reading): dropped
}

static void vt_reply(void *ctx, const char *bytes, size_t len)
{
    (void)ctx;
    to_shell(bytes, len);
}

static void paste(void)
{
    vt_scroll_view(&t.vt, -VT_SCROLLBACK);
    to_shell(t.clip, t.clip_len);
}

// ---- the window ----

static long open_window(void)
{
    long err = nx_wm_connect(&t.wm, t.signal, BIT_WM);
    if (err)
        return err;
    int32_t w = t.vt.cols * t.r.cell_w, h = t.vt.rows * t.r.cell_h;
    int32_t at = 40 + t.place * 32;
    err = nx_wm_surface_create(&t.wm, w, h, at, at, NX_WM_SURFACE_OPAQUE, "Terminal", &t.surf);
    if (err) {
        nx_wm_disconnect(&t.wm);
        return err;
    }
    t.connected = true;
    t.frame_pending = false;
    vt_damage_all(&t.vt);
    return NX_OK;
}

// A call failed: the compositor may be gone (restarting). Reconnect later.
static void lost_window(long err)
{
    if (err != NX_ERR_PEER_CLOSED && err != NX_ERR_BAD_STATE && err != NX_ERR_TIMED_OUT)
        return;
    fprintf(stderr, "terminal: the compositor is gone (%ld): reconnecting\n", err);
    nx_wm_surface_destroy(&t.wm, &t.surf);  // our mapping and VMO go; a new one comes
    nx_wm_disconnect(&t.wm);
    t.connected = false;
    t.reconnect_tries = 0;
}

static void reconnect(void)
{
    if (open_window() == NX_OK)
        return;
    if (++t.reconnect_tries >= RECONNECT_TRIES) {
        fprintf(stderr, "terminal: the compositor did not come back: exiting\n");
        t.quit = true;
    }
}

static void present(void)
{
    struct nx_gfx_rect rects[NX_WM_MAX_DAMAGE];
    size_t n = term_render(&t.r, &t.vt, &t.surf.gfx, rects, NX_WM_MAX_DAMAGE);
    if (n == 0)
        return;
    long err = nx_wm_present(&t.wm, &t.surf, rects, n);
    if (err)
        lost_window(err);
    else
        t.frame_pending = true;
}

static void configure(int32_t w, int32_t h)
{
    int cols, rows;
    term_render_grid(&t.r, w, h, &cols, &rows);
    long err = nx_wm_surface_resize(&t.wm, &t.surf, w, h);
    if (err) {
        lost_window(err);
        return;
    }
    vt_resize(&t.vt, cols, rows);  // out of memory: the old grid stays, drawn in the new size
    vt_damage_all(&t.vt);
    t.frame_pending = false;
}

// ---- input ----

static bool key_shortcut(const struct nx_wm_event *ev)
{
    unsigned mods = ev->key.mods, code = ev->key.code;
    bool ctrl_shift = (mods & NX_WM_MOD_CTRL) && (mods & NX_WM_MOD_SHIFT);
    if (ctrl_shift && code == NX_KEY_N) {
        long err = ev->key.state == 1 ? terminal_open_another((t.place + 1) % CASCADE) : 0;
        if (err)  // (a held key's repeats open nothing more)
            fprintf(stderr, "terminal: cannot open another (%ld)\n", err);
        return true;
    }
    if (ctrl_shift && code == NX_KEY_V) {
        paste();
        return true;
    }
    if (ctrl_shift && code == NX_KEY_C)
        return true;  // the selection is copied when the button is released
    if ((mods & NX_WM_MOD_SHIFT) && (code == NX_KEY_PAGEUP || code == NX_KEY_PAGEDOWN)) {
        int page = t.vt.rows / 2 > 0 ? t.vt.rows / 2 : 1;
        vt_scroll_view(&t.vt, code == NX_KEY_PAGEUP ? page : -page);
        return true;
    }
    return false;
}

static void key(const struct nx_wm_event *ev)
{
    if (ev->key.state == 0 || key_shortcut(ev))
        return;
    char out[VT_KEY_BYTES_MAX];
    size_t n = vt_key(&t.vt, ev->key.code, ev->key.codepoint, ev->key.mods, out);
    if (n) {
        vt_scroll_view(&t.vt, -VT_SCROLLBACK);  // typing shows the live screen again
        vt_select_clear(&t.vt);
        to_shell(out, n);
    }
}

static void cell_at(int32_t x, int32_t y, int *row, int *col)
{
    *col = x < 0 ? -1 : x / t.r.cell_w;
    *row = y < 0 ? -1 : y / t.r.cell_h;
}

// Press-drag-release selects (and copies on release); the middle button pastes.
static void pointer(const struct nx_wm_event *ev)
{
    uint32_t pressed = ev->pointer.buttons & ~t.buttons, released = t.buttons & ~ev->pointer.buttons;
    t.buttons = ev->pointer.buttons;
    int row, col;
    cell_at(ev->pointer.x, ev->pointer.y, &row, &col);
    if (pressed & NX_WM_BUTTON_LEFT) {
        vt_select_start(&t.vt, row, col);
        t.selecting = true;
    } else if (t.selecting) {
        vt_select_extend(&t.vt, row, col);
    }
    if ((released & NX_WM_BUTTON_LEFT) && t.selecting) {
        t.selecting = false;
        if (t.vt.sel_anchor.line == t.vt.sel_head.line && t.vt.sel_anchor.col == t.vt.sel_head.col)
            vt_select_clear(&t.vt);  // a click, not a selection: the clipboard stays
        else
            t.clip_len = vt_selection_text(&t.vt, t.clip, sizeof t.clip);
    }
    if (pressed & NX_WM_BUTTON_MIDDLE)
        paste();
}

static void event(const struct nx_wm_event *ev)
{
    switch (ev->type) {
    case NX_WM_EV_KEY: key(ev); break;
    case NX_WM_EV_POINTER: pointer(ev); break;
    case NX_WM_EV_SCROLL:  // evdev's REL_WHEEL: up (away from the user) is positive: back
        vt_scroll_view(&t.vt, ev->scroll.dy * WHEEL_LINES);
        break;
    case NX_WM_EV_FRAME_DONE: t.frame_pending = false; break;
    case NX_WM_EV_CLOSE: t.quit = true; break;
    case NX_WM_EV_CONFIGURE: configure(ev->configure.w, ev->configure.h); break;
    }
}

static void drain_events(void)
{
    struct nx_wm_event ev;
    long err = NX_ERR_NOT_FOUND;
    while (t.connected && !t.quit && (err = nx_wm_poll_event(&t.wm, &ev)) == NX_OK)
        event(&ev);
    if (t.connected && err != NX_ERR_NOT_FOUND && !t.quit)
        lost_window(err);
}

// ---- nsh's output ----

// Up to OUTPUT_CHUNK bytes into the emulator (the rest on the next round, so keys and
// frames are not starved by a flood). nx_pipe_read_some's result: bytes, 0 at the end,
// NX_ERR_TIMED_OUT when there is nothing now, NX_ERR_BAD_STATE.
static long drain_output(void)
{
    char buf[OUTPUT_CHUNK];
    bool wake;
    long n = nx_pipe_read_some(&t.sh.out, buf, sizeof buf, &wake);
    if (wake)
        nx_notify_signal(t.sh.out.h.signal, NX_PIPE_BIT_IO);
    if (n > 0)
        vt_write(&t.vt, buf, (size_t)n);
    return n;
}

// Sleep until a source has something, unless one already does.
static void sleep_for_work(void)
{
    bool wm_empty = !t.connected || nx_ring_prepare_sleep(&t.wm.events);
    bool out_empty = nx_ring_prepare_sleep(&t.sh.out.ring);
    uint64_t bits = 0;
    if (wm_empty && out_empty) {
        uint64_t deadline = t.connected ? NX_DEADLINE_NEVER : (uint64_t)nx_clock_get() + RECONNECT_NS;
        nx_notify_wait_bits(t.wait, deadline, &bits);
    }
    if (t.connected)
        nx_ring_end_sleep(&t.wm.events);
    nx_ring_end_sleep(&t.sh.out.ring);
    nx_pipe_take_bits(&t.sh.out, bits);
    if (bits & BIT_SHELL)
        t.shell_ended = true;
}

// ---- start ----

static long load_font(void)
{
    long err = nx_font_map(FONT, &t.font);
    if (!err)
        err = nx_face_init(&t.face, &t.font, FONT_PX, 0);
    return err ? err : nx_glyph_cache_alloc(&t.cache, CACHE_BYTES);
}

// nsh closed its output (`exit`): it is ending. Wait for that, at most SHELL_GRACE_NS, so it
// ends by itself (its own status, not a kill) before shell_stop kills what is left of it.
static void await_shell_end(void)
{
    uint64_t deadline = (uint64_t)nx_clock_get() + SHELL_GRACE_NS, bits;
    while (!t.shell_ended && (uint64_t)nx_clock_get() < deadline)
        if (nx_notify_wait_bits(t.wait, deadline, &bits) == NX_OK && (bits & BIT_SHELL))
            t.shell_ended = true;
}

static int run(void)
{
    while (!t.quit) {
        long n = drain_output();
        if (n == 0 || n == NX_ERR_BAD_STATE || (t.shell_ended && n == NX_ERR_TIMED_OUT))
            break;  // nsh closed its output, or ended and all it printed was read
        drain_events();
        if (!t.connected && !t.quit)
            reconnect();
        if (t.connected && !t.frame_pending && !t.quit)
            present();
        if (!t.quit)
            sleep_for_work();
    }
    if (!t.quit)
        await_shell_end();
    shell_stop(&t.sh);
    if (t.connected) {
        nx_wm_surface_destroy(&t.wm, &t.surf);
        nx_wm_disconnect(&t.wm);
    }
    return 0;
}

// argv[1]: the window's place (0 .. CASCADE - 1), given by the Terminal that opened this one.
int main(int argc, char **argv)
{
    t.place = argc > 1 ? (argv[1][0] - '0') % CASCADE : 0;
    if (t.place < 0)
        t.place = 0;
    long err = load_font();
    if (err) {
        fprintf(stderr, "terminal: no font %s (%ld)\n", FONT, err);
        return 1;
    }
    // The theme as it is now (docs/settings.md): a Terminal opened after a change has the new one.
    term_render_init(&t.r, &t.cache, &t.face,
                     nx_settings_theme_dark() ? &term_palette_dark : &term_palette_light);
    struct vt_callbacks cb = { .reply = vt_reply };
    if (vt_init(&t.vt, COLS, ROWS, &cb)) {
        fprintf(stderr, "terminal: out of memory\n");
        return 1;
    }
    t.vt.newline_crlf = true;
    err = shell_prepare(&t.sh, &t.wait, &t.signal);
    if (err) {
        fprintf(stderr, "terminal: cannot make nsh's pipes (%ld)\n", err);
        return 1;
    }
    // The compositor may not be up yet: a few tries, before nsh is started at all.
    uint64_t give_up = (uint64_t)nx_clock_get() + RECONNECT_TRIES * RECONNECT_NS, bits;
    bool absent;
    while (!(absent = nx_wm_display_gone()) && (err = open_window()) != NX_OK &&
           (uint64_t)nx_clock_get() < give_up)
        nx_notify_wait_bits(t.wait, (uint64_t)nx_clock_get() + RECONNECT_NS, &bits);
    if (absent || err) {
        if (absent)
            fprintf(stderr, "terminal: no display: exiting\n");
        else
            fprintf(stderr, "terminal: no compositor (%ld): exiting\n", err);
        return 0;
    }
    err = shell_start(&t.sh, t.signal, BIT_SHELL);
    if (err) {
        fprintf(stderr, "terminal: cannot start nsh (%ld)\n", err);
        shell_stop(&t.sh);
        return 1;
    }
    return run();
}

// Composition (comp.h): the screen's damage, split among the windows over it (region.c), is
// copied once per pixel from the topmost window's surface (or its frame, or the background)
// into the scanout buffer, then flushed by the GPU driver. A fullscreen surface on top is
// scanned out straight from its VMO: its presents are flushes only.
#include <stdlib.h>
#include <string.h>
#include <nx/bootfs.h>
#include <nx/gpu.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/startup.h>
#include <nx/text.h>
#include "comp.h"

#define PAGE 4096ul
#define BACKGROUND 0x00203040u
#define FRAME_FOCUSED 0x003070c0u
#define FRAME_IDLE 0x00687078u
#define TITLE_TEXT 0xffffffffu
#define CLOSE_FILL 0x00d04040u
#define TITLE_PX 14
#define GLYPH_CACHE_BYTES (256u << 10)

// The title font, from the sealed boot archive (granted `bootfs`; fonts come only from there).
#define TITLE_FONT "DejaVuSans.ttf"

static struct nx_font font;
static struct nx_face face;
static struct nx_glyph_cache glyphs;
static bool have_text;
// The scanout buffer's and the cursor image's VMOs, kept: a restarted GPU driver gets them
// again (display_attach).
static nx_handle_t fb_vmo, cursor_vmo;

// ---- the GPU ----

// A new VMO of size bytes (*vmo), mapped here read-write (*px).
static long vmo_new(size_t size, nx_handle_t *vmo, uint32_t **px)
{
    long h = nx_vmo_create((long)size);
    long va = h < 0 ? h : nx_vm_map(nx_self, h, 0, 0, (long)size, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0) {
        if (h >= 0)
            nx_handle_close(h);
        return va;
    }
    *vmo = (nx_handle_t)h;
    *px = (uint32_t *)va;
    return NX_OK;
}

// vmo attached to the GPU as a w x h resource (a copy of the handle goes): its id.
static long attach(nx_handle_t vmo, uint32_t w, uint32_t h, uint32_t flags)
{
    struct nx_gpu_attach a = { w, h, flags };
    struct nx_gpu_resource r;
    long err = gpu_call_handle(NX_GPU_ATTACH, &a, sizeof a, vmo,
                               NX_RIGHT_READ | NX_RIGHT_DMA | NX_XFER_COPY, &r, sizeof r);
    return err ? err : r.id;
}

static long scanout(uint32_t id)
{
    struct nx_gpu_resource r = { id };
    return gpu_call(NX_GPU_SCANOUT, &r, sizeof r, NULL, 0);
}

// ---- the cursor: an arrow, black-edged white, its tip the hot spot ----

static void draw_arrow(uint32_t *px)
{
    static const char *const rows[] = {
        "X", "XX", "X.X", "X..X", "X...X", "X....X", "X.....X", "X......X", "X.......X",
        "X........X", "X.....XXXXX", "X..X..X", "X.X X..X", "XX  X..X", "X    X..X",
        "     X..X", "      XX",
    };
    for (size_t y = 0; y < sizeof rows / sizeof rows[0]; y++)
        for (size_t x = 0; rows[y][x]; x++)
            if (rows[y][x] != ' ')
                px[y * NX_GPU_CURSOR_SIZE + x] = rows[y][x] == 'X' ? 0xff000000u : 0xffffffffu;
}

// The cursor image attached and shown at (x, y).
static void cursor_attach(int32_t x, int32_t y)
{
    long id = cursor_vmo ? attach(cursor_vmo, NX_GPU_CURSOR_SIZE, NX_GPU_CURSOR_SIZE,
                                  NX_GPU_ATTACH_ALPHA)
                         : NX_ERR_NO_MEMORY;
    struct nx_gpu_cursor c = { id > 0 ? (uint32_t)id : 0, 0, 0, x, y };
    long err = id < 0 ? id : gpu_call(NX_GPU_CURSOR, &c, sizeof c, NULL, 0);
    if (err)
        nx_log(NX_LOG_WARN, "no hardware cursor (%ld)", err);
}

static void text_start(void)
{
    void *mem = malloc(GLYPH_CACHE_BYTES);
    struct nx_bootfs fs;
    const void *data = NULL;
    size_t size = 0;
    have_text = mem && !nx_bootfs_open(nx_startup_handle("bootfs"), &fs) &&
                !nx_bootfs_find(&fs, TITLE_FONT, &data, &size) &&
                !nx_font_init(&font, data, size) &&
                !nx_face_init(&face, &font, TITLE_PX, NX_FACE_KERNING) &&
                !nx_glyph_cache_init(&glyphs, mem, GLYPH_CACHE_BYTES);
    if (!have_text)
        nx_log(NX_LOG_WARN, "no title font: titles are not drawn");
}

long compose_start(void)
{
    size_t size = ((size_t)C.sw * (size_t)C.sh * 4 + PAGE - 1) & ~(PAGE - 1);
    long err = vmo_new(size, &fb_vmo, &C.fb);
    if (err)
        return err;
    uint32_t *px;
    if (vmo_new(NX_GPU_CURSOR_SIZE * NX_GPU_CURSOR_SIZE * 4, &cursor_vmo, &px) == NX_OK)
        draw_arrow(px);
    nx_gfx_damage_init(&C.damage, (struct nx_gfx_rect){ 0, 0, C.sw, C.sh });
    text_start();
    return display_attach(C.sw / 2, C.sh / 2);
}

void fullscreen_attach(int w)
{
    struct window *s = &C.win[w];
    long id = attach(s->vmo, (uint32_t)C.sw, (uint32_t)C.sh, 0);
    if (id < 0)
        nx_log(NX_LOG_WARN, "a fullscreen surface is composed: the GPU refused it (%ld)", id);
    s->gpu_res = id < 0 ? 0 : (uint32_t)id;
}

long display_attach(int32_t cursor_x, int32_t cursor_y)
{
    for (int w = 0; w < WM_MAX_WINDOWS; w++)
        C.win[w].gpu_res = 0;  // the previous driver's resources are gone
    C.direct = -1;
    long id = attach(fb_vmo, (uint32_t)C.sw, (uint32_t)C.sh, 0);
    long err = id < 0 ? id : scanout((uint32_t)id);
    if (err)
        return err;
    C.fb_res = (uint32_t)id;
    for (int w = 0; w < WM_MAX_WINDOWS; w++)
        if (C.win[w].used && C.win[w].vmo)
            fullscreen_attach(w);
    cursor_attach(cursor_x, cursor_y);
    damage_screen((struct nx_gfx_rect){ 0, 0, C.sw, C.sh });
    stack_changed();
    compose();
    return NX_OK;
}

// ---- damage ----

void ask_compose(void)
{
    if (!C.compose_asked && C.notif)
        nx_notify_signal(C.notif, (long)BIT_COMPOSE);
    C.compose_asked = true;
}

void damage_screen(struct nx_gfx_rect r)
{
    nx_gfx_damage_add(&C.damage, r);
    ask_compose();
}

static void add_uncovered(void *ctx, int layer, struct nx_gfx_rect piece)
{
    (void)ctx;
    if (layer < 0)
        damage_screen(piece);
}

void damage_visible(int win, struct nx_gfx_rect r)
{
    struct nx_gfx_rect frames[WM_MAX_WINDOWS];
    wm_stack_frames(&C.stack, C.geom, frames);
    int depth = wm_stack_depth(&C.stack, win);
    if (depth >= 0)
        region_split(frames, 0, depth, nx_gfx_rect_intersect(r, wm_frame(&C.geom[win])),
                     add_uncovered, NULL);
}

// ---- frames ----

static void draw_close(struct nx_gfx_surface *s, struct nx_gfx_rect b)
{
    nx_gfx_fill(s, b, CLOSE_FILL);
    for (int32_t i = 4; i < WM_CLOSE - 4; i++) {  // the X: two diagonals, 2 px wide
        nx_gfx_fill(s, (struct nx_gfx_rect){ b.x + i, b.y + i, 2, 1 }, 0xffffffffu);
        nx_gfx_fill(s, (struct nx_gfx_rect){ b.x + WM_CLOSE - 2 - i, b.y + i, 2, 1 }, 0xffffffffu);
    }
}

static void bar_draw(int w)
{
    struct wm_geom *g = &C.geom[w];
    struct nx_gfx_rect t = wm_title_bar(g), b = wm_close_button(g);
    struct nx_gfx_surface s = { C.win[w].bar, t.w, t.h, t.w };
    nx_gfx_fill(&s, (struct nx_gfx_rect){ 0, 0, t.w, t.h }, w == C.focus ? FRAME_FOCUSED : FRAME_IDLE);
    if (have_text) {
        // Clipped short of the close button.
        struct nx_gfx_surface text = { s.pixels, b.x - t.x - 4, t.h, t.w };
        int32_t base = (WM_TITLE_H + face.ascent + face.descent) / 2;
        nx_text_draw(&text, &glyphs, &face, 8, base, C.win[w].title, strlen(C.win[w].title),
                     TITLE_TEXT, NULL);
    }
    draw_close(&s, (struct nx_gfx_rect){ b.x - t.x, b.y - t.y, WM_CLOSE, WM_CLOSE });
}

long bar_make(int w)
{
    if (!C.geom[w].framed)
        return NX_OK;
    struct nx_gfx_rect t = wm_title_bar(&C.geom[w]);
    uint32_t *bar = realloc(C.win[w].bar, (size_t)t.w * (size_t)t.h * 4);
    if (!bar)
        return NX_ERR_NO_MEMORY;
    C.win[w].bar = bar;
    bar_draw(w);
    return NX_OK;
}

void frame_changed(int w)
{
    if (!C.geom[w].framed)
        return;
    bar_draw(w);
    // The title bar and the border (its colour follows the focus too), not the content.
    struct nx_gfx_rect frame[4];
    size_t n = region_subtract(wm_frame(&C.geom[w]), wm_content(&C.geom[w]), frame);
    for (size_t i = 0; i < n; i++)
        damage_visible(w, frame[i]);
}

// ---- composition ----

// Rows of r (screen) from src, whose (0, 0) is at screen (ox, oy), stride pixels a row.
static void copy_in(struct nx_gfx_rect r, const uint32_t *src, int32_t ox, int32_t oy,
                    int32_t stride, uint64_t *bytes)
{
    if (nx_gfx_rect_empty(r))
        return;
    for (int32_t y = r.y; y < r.y + r.h; y++)
        memcpy(C.fb + (size_t)y * C.sw + r.x,
               src + (size_t)(y - oy) * stride + (r.x - ox), (size_t)r.w * 4);
    *bytes += (uint64_t)r.w * r.h * 4;
}

static void fill_in(struct nx_gfx_rect r, uint32_t color, uint64_t *bytes)
{
    for (int32_t y = r.y; y < r.y + r.h; y++)
        for (int32_t x = r.x; x < r.x + r.w; x++)
            C.fb[(size_t)y * C.sw + x] = color;
    *bytes += (uint64_t)r.w * r.h * 4;
}

struct paint {
    const int *order;  // the stack's windows, topmost first
    uint64_t bytes;
};

// The piece p (inside the window's frame) from the window: its content, title bar, border.
static void paint_window(int w, struct nx_gfx_rect p, uint64_t *bytes)
{
    const struct wm_geom *g = &C.geom[w];
    const struct window *s = &C.win[w];
    struct nx_gfx_rect c = wm_content(g), t = wm_title_bar(g);
    copy_in(nx_gfx_rect_intersect(p, c), s->pixels, g->x, g->y, s->stride, bytes);
    if (!g->framed)
        return;
    copy_in(nx_gfx_rect_intersect(p, t), s->bar, t.x, t.y, t.w, bytes);
    struct nx_gfx_rect below[4], border[4];
    size_t n = region_subtract(p, t, below);
    for (size_t i = 0; i < n; i++) {
        size_t m = region_subtract(below[i], c, border);
        for (size_t k = 0; k < m; k++)
            fill_in(border[k], w == C.focus ? FRAME_FOCUSED : FRAME_IDLE, bytes);
    }
}

static void paint_piece(void *ctx, int layer, struct nx_gfx_rect p)
{
    struct paint *pt = ctx;
    if (layer < 0)
        fill_in(p, BACKGROUND, &pt->bytes);
    else
        paint_window(pt->order[layer], p, &pt->bytes);
}

// The harts' halted time so far (under -icount shift=0: virtual nanoseconds, as the clock).
static uint64_t halted_ns(void)
{
    return (uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET);
}

// No halt comes between the input driver's stamp and this (the driver, then this thread,
// run), so the halted time now is the halted time then.
void key_pressed(uint64_t time_ns)
{
    C.key_timing.open = true;
    C.key_timing.counted = false;
    C.key_timing.ns = time_ns;
    C.key_timing.halted = halted_ns();
}

// A flush answered: the key press's timing extends to now.
static void key_flushed(void)
{
    if (!C.key_timing.open)
        return;
    uint64_t now = (uint64_t)nx_clock_get(), halted = halted_ns();
    C.stats.key_to_flush_ns += now - C.key_timing.ns;
    C.stats.key_to_flush_halted_ns += halted - C.key_timing.halted;
    C.stats.keys_timed += !C.key_timing.counted;
    C.key_timing.counted = true;
    C.key_timing.ns = now;
    C.key_timing.halted = halted;
}

static void flush(uint32_t id)
{
    struct nx_gpu_flush f = { id, C.damage.count, { { 0 } } };
    for (uint32_t i = 0; i < C.damage.count; i++) {
        struct nx_gfx_rect r = C.damage.rects[i];
        f.rects[i] = (struct nx_gpu_rect){ (uint32_t)r.x, (uint32_t)r.y, (uint32_t)r.w,
                                           (uint32_t)r.h };
    }
    size_t len = offsetof(struct nx_gpu_flush, rects) + f.n * sizeof f.rects[0];
    if (!f.n)
        return;
    uint64_t t0 = nx_rdinstret(), halted0 = halted_ns();
    long err = gpu_call(NX_GPU_FLUSH, &f, len, NULL, 0);
    C.stats.last_flush_instr = nx_rdinstret() - t0 - (halted_ns() - halted0);
    if (err)
        nx_log(NX_LOG_WARN, "flush refused (%ld)", err);
    key_flushed();
}

static void frames_done(void)
{
    for (int w = 0; w < WM_MAX_WINDOWS; w++) {
        if (!C.win[w].used || !C.win[w].frame_wanted)
            continue;
        C.win[w].frame_wanted = false;
        struct nx_wm_event ev = { .type = NX_WM_EV_FRAME_DONE };
        send_event(w, &ev);
    }
}

void compose(void)
{
    C.compose_asked = false;
    struct paint pt = { C.stack.order, 0 };
    if (C.direct >= 0) {
        flush(C.win[C.direct].gpu_res);
        C.stats.direct_frames++;
    } else {
        uint64_t t0 = nx_rdinstret();
        struct nx_gfx_rect frames[WM_MAX_WINDOWS];
        wm_stack_frames(&C.stack, C.geom, frames);
        for (uint32_t i = 0; i < C.damage.count; i++)
            region_split(frames, 0, C.stack.n, C.damage.rects[i], paint_piece, &pt);
        C.stats.last_frame_instr = nx_rdinstret() - t0;
        flush(C.fb_res);
    }
    if (!nx_gfx_damage_empty(&C.damage))
        C.stats.frames++;
    C.stats.bytes_copied += pt.bytes;
    C.stats.last_frame_bytes = pt.bytes;
    nx_gfx_damage_clear(&C.damage);
    frames_done();
}

void stack_changed(void)
{
    int top = C.stack.n ? C.stack.order[0] : -1;
    int want = top >= 0 && C.win[top].gpu_res ? top : -1;
    if (want == C.direct)
        return;
    long err = scanout(want >= 0 ? C.win[want].gpu_res : C.fb_res);
    if (err) {
        nx_log(NX_LOG_WARN, "scanout refused (%ld)", err);
        return;
    }
    C.direct = want;
    damage_screen((struct nx_gfx_rect){ 0, 0, C.sw, C.sh });
}

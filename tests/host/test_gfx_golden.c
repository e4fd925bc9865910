// Golden-image tests for the graphics library (user/lib/gfx): scenes of fills, copies,
// blends and text (DejaVu Sans and Sans Mono at two sizes, with "äöü €") rendered on the
// host and compared with tests/host/data/golden/<scene>.png, each channel within
// TOLERANCE (anti-aliasing may move a little between stb_truetype builds and compilers).
// On a mismatch the rendering and a diff image (red: beyond the tolerance) are written to
// build/host/golden/. `make golden-update` (NX_GOLDEN_UPDATE=1) rewrites the goldens.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nexus/errors.h>
#include <nx/gfx.h>
#include <nx/text.h>
#include <nx/widget.h>
#include "support/gfx_files.h"
#include "support/gfx_scene.h"
#include "support/term_screen.h"

#define GOLDEN_DIR "tests/host/data/golden/"
#define OUT_DIR "build/host/golden/"
#define TOLERANCE 2

struct scene {
    const char *name;
    int32_t w, h;
    void (*draw)(struct nx_gfx_surface *s);
    const char *font;   // for text scenes
    int32_t px;
    unsigned flags;
};

static uint32_t *new_pixels(int32_t w, int32_t h, struct nx_gfx_surface *s)
{
    uint32_t *px = calloc((size_t)w * (size_t)h, 4);
    assert_int_equal(nx_gfx_surface_init(s, px, (size_t)w * (size_t)h * 4, w, h, (size_t)w * 4), NX_OK);
    return px;
}

// Opaque fills (some reaching outside), a copy and a scroll within the surface.
static void draw_rects(struct nx_gfx_surface *s)
{
    nx_gfx_fill(s, nx_gfx_surface_rect(s), nx_gfx_rgb(40, 44, 52));
    nx_gfx_fill(s, (struct nx_gfx_rect){ -10, -10, 30, 25 }, nx_gfx_rgb(220, 50, 47));
    nx_gfx_fill(s, (struct nx_gfx_rect){ 30, 8, 40, 20 }, nx_gfx_rgb(38, 139, 210));
    nx_gfx_fill(s, (struct nx_gfx_rect){ 80, 40, 100, 100 }, nx_gfx_rgb(133, 153, 0));
    nx_gfx_fill(s, (struct nx_gfx_rect){ 33, 11, 34, 1 }, nx_gfx_rgb(253, 246, 227));
    nx_gfx_copy(s, 4, 36, s, (struct nx_gfx_rect){ 28, 6, 44, 24 });
    nx_gfx_copy(s, 50, 44, s, (struct nx_gfx_rect){ 48, 40, 40, 30 });   // overlapping
}

// Translucent fills over stripes, a premultiplied gradient blended, a disc as a mask.
static void draw_blend(struct nx_gfx_surface *s)
{
    for (int32_t x = 0; x < s->width; x += 8)
        nx_gfx_fill(s, (struct nx_gfx_rect){ x, 0, 4, s->height }, nx_gfx_rgb(230, 230, 230));
    nx_gfx_fill_blend(s, (struct nx_gfx_rect){ 4, 4, 40, 30 }, nx_gfx_argb(64, 255, 0, 0));
    nx_gfx_fill_blend(s, (struct nx_gfx_rect){ 24, 14, 40, 30 }, nx_gfx_argb(128, 0, 160, 0));
    nx_gfx_fill_blend(s, (struct nx_gfx_rect){ 44, 24, 40, 30 }, nx_gfx_argb(192, 0, 0, 255));
    struct nx_gfx_surface grad;
    uint32_t *px = new_pixels(32, 16, &grad);
    for (int32_t y = 0; y < 16; y++)
        for (int32_t x = 0; x < 32; x++)
            px[y * 32 + x] = nx_gfx_argb((uint8_t)(x * 8), 255, (uint8_t)(y * 16), 0);
    nx_gfx_blend(s, 60, -4, &grad, nx_gfx_surface_rect(&grad));
    free(px);
    uint8_t disc[20 * 20];
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 20; x++) {
            int d2 = (2 * x - 19) * (2 * x - 19) + (2 * y - 19) * (2 * y - 19);
            disc[y * 20 + x] = d2 >= 400 ? 0 : d2 <= 300 ? 255 : (uint8_t)((400 - d2) * 255 / 100);
        }
    struct nx_gfx_mask mask = { disc, 20, 20, 20 };
    nx_gfx_mask_blend(s, 70, 40, &mask, nx_gfx_argb(200, 120, 0, 200));
}

// The text scene (support/gfx_scene.h) in the scene's font and size.
static void draw_text(struct nx_gfx_surface *s, const struct scene *sc)
{
    size_t size;
    uint8_t *data = gfx_read_file(sc->font, &size);
    assert_non_null(data);
    struct nx_font font;
    struct nx_face face;
    assert_int_equal(nx_font_init(&font, data, size), NX_OK);
    assert_int_equal(nx_face_init(&face, &font, sc->px, sc->flags), NX_OK);
    size_t cache_size = 256u << 10;
    void *mem = aligned_alloc(8, cache_size);
    struct nx_glyph_cache cache;
    assert_int_equal(nx_glyph_cache_init(&cache, mem, cache_size), NX_OK);
    assert_int_equal(gfx_scene_text(s, &cache, &face), NX_OK);
    free(mem);
    free(data);
}

// ---- the Terminal's screen (user/apps/terminal/render.c) ----

// A shell session: prompts, ls's colours, 256 colours and truecolor, reverse and
// underlined text, a selection over two lines and the block cursor.
static const char term_session[] =
    "Nexus OS shell; help lists the commands.\n"
    "nsh> ls /boot\n"
    "\x1b[1;34mbin\x1b[0m  \x1b[32mnsh\x1b[0m  DejaVuSansMono.ttf  \xc3\xa4\xc3\xb6\xc3\xbc \xe2\x82\xac\n"
    "\x1b[7m reverse \x1b[27m \x1b[4munderline\x1b[24m \x1b[38;5;208m208\x1b[38;2;90;200;250m rgb\x1b[m\n"
    "\x1b[41m red \x1b[42m green \x1b[44m blue \x1b[m\n"
    "nsh> echo hi\x1b[3D";

// text on a terminal of the surface's size in cells (DejaVu Sans Mono 16 px: 10 x 19),
// and the cells (row, col) sel[0] to sel[1] selected (sel NULL: none).
static void draw_terminal(struct nx_gfx_surface *s, const struct term_palette *pal,
                          const char *text, const int sel[2][2])
{
    struct term_screen t;
    assert_true(term_screen_open(&t, pal, s->width / 10, s->height / 19));
    vt_write(&t.vt, text, strlen(text));
    if (sel) {
        vt_select_start(&t.vt, sel[0][0], sel[0][1]);
        vt_select_extend(&t.vt, sel[1][0], sel[1][1]);
    }
    struct nx_gfx_rect rects[4];
    assert_int_equal(term_render(&t.r, &t.vt, s, rects, 4), 1);  // all of it, the first time
    term_screen_close(&t);
}

static const int session_selection[2][2] = { { 1, 5 }, { 2, 2 } };

static void draw_terminal_dark(struct nx_gfx_surface *s)
{
    draw_terminal(s, &term_palette_dark, term_session, session_selection);
}

static void draw_terminal_light(struct nx_gfx_surface *s)
{
    draw_terminal(s, &term_palette_light, term_session, session_selection);
}

// The Terminal of the boot (80 x 25), as its nsh first draws it; after an Enter; and after
// "nsh>" of the second prompt was selected with the pointer and pasted with the middle
// button: the QEMU case terminal_shows_its_shell compares the screen with these.
#define NSH_GREETING "\nNexus OS shell; help lists the commands.\nnsh> "

static void draw_terminal_boot(struct nx_gfx_surface *s)
{
    draw_terminal(s, &term_palette_dark, NSH_GREETING, NULL);
}

static void draw_terminal_boot_enter(struct nx_gfx_surface *s)
{
    draw_terminal(s, &term_palette_dark, NSH_GREETING "\r\nnsh> ", NULL);
}

static void draw_terminal_boot_paste(struct nx_gfx_surface *s)
{
    static const int sel[2][2] = { { 3, 0 }, { 3, 3 } };
    draw_terminal(s, &term_palette_dark, NSH_GREETING "\r\nnsh> nsh>", sel);
}

// After the first frame only the rows that changed are drawn and reported, runs of rows
// as one rectangle, and pixels outside them stay as they were.
static void test_terminal_damage(void **state)
{
    (void)state;
    struct term_screen t;
    assert_true(term_screen_open(&t, &term_palette_dark, 20, 6));
    struct nx_gfx_surface s;
    int32_t w = 20 * t.r.cell_w + 3, h = 6 * t.r.cell_h + 5;
    uint32_t *px = new_pixels(w, h, &s);
    struct nx_gfx_rect rects[2];
    assert_int_equal(term_render(&t.r, &t.vt, &s, rects, 2), 1);
    assert_true(nx_gfx_rect_contains(rects[0], nx_gfx_surface_rect(&s)));
    vt_write(&t.vt, "\x1b[3;1Hab", strlen("\x1b[3;1Hab"));  // the cursor leaves row 0 for row 2
    assert_int_equal(term_render(&t.r, &t.vt, &s, rects, 2), 2);
    assert_int_equal(rects[0].y, 0);
    assert_int_equal(rects[0].h, t.r.cell_h);
    assert_int_equal(rects[1].y, 2 * t.r.cell_h);
    assert_int_equal(rects[1].h, t.r.cell_h);
    vt_write(&t.vt, "\x1b[4;1Hx\x1b[6;1Hy\x1b[1;1Hz", strlen("\x1b[4;1Hx\x1b[6;1Hy\x1b[1;1Hz"));  // rows 0, 2, 3, 5: more than 2 runs
    assert_int_equal(term_render(&t.r, &t.vt, &s, rects, 2), 2);
    assert_int_equal(rects[0].y, 0);
    assert_int_equal(rects[1].y, 2 * t.r.cell_h);
    assert_int_equal(rects[1].y + rects[1].h, 6 * t.r.cell_h);  // the last grew to the rest
    uint32_t before = px[(size_t)(4 * t.r.cell_h) * (size_t)w + 1];
    vt_write(&t.vt, "\x1b[2;1H", strlen("\x1b[2;1H"));
    assert_int_equal(term_render(&t.r, &t.vt, &s, rects, 2), 1);  // rows 0 and 1: one run
    assert_int_equal(rects[0].h, 2 * t.r.cell_h);
    assert_int_equal(px[(size_t)(4 * t.r.cell_h) * (size_t)w + 1], before);
    assert_int_equal(term_render(&t.r, &t.vt, &s, rects, 2), 0);  // nothing changed
    free(px);
    term_screen_close(&t);
}

// A small form (nx/widget.h) in DejaVu Sans 14 px: labels, a field with a selection, a
// focused password field with its cursor, a list scrolled with an item selected, a button
// under the pointer and one not.
static void draw_form(struct nx_gfx_surface *s, bool dark)
{
    size_t size;
    uint8_t *data = gfx_read_file(DEJAVU_SANS, &size);
    assert_non_null(data);
    struct nx_font font;
    struct nx_face face;
    assert_int_equal(nx_font_init(&font, data, size), NX_OK);
    assert_int_equal(nx_face_init(&face, &font, 14, NX_FACE_KERNING), NX_OK);
    size_t cache_size = 256u << 10;
    void *mem = aligned_alloc(8, cache_size);
    struct nx_glyph_cache cache;
    assert_int_equal(nx_glyph_cache_init(&cache, mem, cache_size), NX_OK);
    struct nx_glyph_source glyphs = { .cache = &cache };
    struct nx_theme theme;
    (dark ? nx_theme_dark : nx_theme_light)(&theme, &face, &glyphs);
    static const char *const items[] = { "English (US)", "Deutsch", "Fran\xc3\xa7" "ais", "Espa\xc3\xb1ol",
                                         "Italiano", "Nederlands", "Polski", "Svenska" };
    static char name[64], pw[64];
    struct nx_label l_name, l_pw;
    struct nx_field f_name, f_pw;
    struct nx_list list;
    struct nx_button cancel, ok;
    struct nx_ui ui;
    nx_ui_init(&ui, s, &theme);
    nx_label_init(&l_name, (struct nx_gfx_rect){ 12, 8, 100, 20 }, "User name", 9);
    nx_field_init(&f_name, (struct nx_gfx_rect){ 12, 28, 196, 26 }, name, sizeof(name));
    nx_label_init(&l_pw, (struct nx_gfx_rect){ 12, 60, 100, 20 }, "Password", 8);
    nx_field_init(&f_pw, (struct nx_gfx_rect){ 12, 80, 196, 26 }, pw, sizeof(pw));
    f_pw.password = true;
    nx_list_init(&list, (struct nx_gfx_rect){ 12, 114, 196, 4 * nx_list_row_height(&theme) + 2 }, items, 8);
    nx_button_init(&cancel, (struct nx_gfx_rect){ 12, 210, 92, 28 }, "Cancel", 6);
    nx_button_init(&ok, (struct nx_gfx_rect){ 116, 210, 92, 28 }, "Log in", 6);
    struct nx_widget *all[] = { &l_name.base, &f_name.base, &l_pw.base, &f_pw.base, &list.base,
                                &cancel.base, &ok.base };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        assert_int_equal(nx_ui_add(&ui, all[i]), NX_OK);
    nx_field_set(&f_name, "Ada Lovelace", 12);
    f_name.anchor = 4;                               // "Lovelace" selected
    nx_field_set(&f_pw, "hunter2", 7);
    nx_list_select(&list, 5);
    nx_ui_focus(&ui, &f_pw.base);
    struct nx_wm_event hover = { .type = NX_WM_EV_POINTER };
    hover.pointer.x = 50;
    hover.pointer.y = 220;
    nx_ui_event(&ui, &hover);
    struct nx_wm_event down = { .type = NX_WM_EV_KEY };
    down.key.code = 108;                              // KEY_DOWN in the list: 6, scrolled to it
    down.key.state = 1;
    nx_ui_focus(&ui, &list.base);
    nx_ui_event(&ui, &down);
    nx_ui_focus(&ui, &f_pw.base);
    nx_ui_draw(&ui);
    free(mem);
    free(data);
}

static void draw_form_light(struct nx_gfx_surface *s)
{
    draw_form(s, false);
}

static void draw_form_dark(struct nx_gfx_surface *s)
{
    draw_form(s, true);
}

static bool update_mode(void)
{
    const char *v = getenv("NX_GOLDEN_UPDATE");
    return v && *v && strcmp(v, "0") != 0;
}

static bool close_enough(uint32_t a, uint32_t b)
{
    for (int shift = 0; shift < 24; shift += 8) {
        int d = (int)(a >> shift & 0xff) - (int)(b >> shift & 0xff);
        if (d > TOLERANCE || d < -TOLERANCE)
            return false;
    }
    return true;
}

// Pixels of s beyond the tolerance from want (w x h, rows w apart); with diff non-NULL,
// draws them there in red over a faded copy of s.
static size_t count_mismatches(const struct nx_gfx_surface *s, const uint32_t *want,
                               struct nx_gfx_surface *diff)
{
    size_t bad = 0;
    for (int32_t y = 0; y < s->height; y++)
        for (int32_t x = 0; x < s->width; x++) {
            uint32_t got = s->pixels[y * s->stride + x], ok = close_enough(got, want[y * s->width + x]);
            bad += !ok;
            if (diff)
                diff->pixels[y * diff->stride + x] =
                    ok ? nx_gfx_over(nx_gfx_argb(192, 255, 255, 255), got) : nx_gfx_rgb(255, 0, 0);
        }
    return bad;
}

static void write_failure_images(const char *name, const struct nx_gfx_surface *s, const uint32_t *want)
{
    char path[256];
    mkdir("build/host", 0777);
    mkdir(OUT_DIR, 0777);
    snprintf(path, sizeof(path), OUT_DIR "%s-actual.png", name);
    gfx_write_png(path, s);
    struct nx_gfx_surface diff;
    uint32_t *px = new_pixels(s->width, s->height, &diff);
    count_mismatches(s, want, &diff);
    snprintf(path, sizeof(path), OUT_DIR "%s-diff.png", name);
    gfx_write_png(path, &diff);
    free(px);
}

// Compares s with the golden image of name (or rewrites it in update mode); false with
// the reason in why (of why_size bytes) when they differ.
static bool check_golden(const char *name, const struct nx_gfx_surface *s, char *why, size_t why_size)
{
    char path[256];
    snprintf(path, sizeof(path), GOLDEN_DIR "%s.png", name);
    if (update_mode()) {
        snprintf(why, why_size, "%s: cannot write it", path);
        return gfx_write_png(path, s);
    }
    int w = 0, h = 0;
    uint32_t *want = gfx_read_png(path, &w, &h);
    if (!want) {
        snprintf(why, why_size, "%s: no golden image (make golden-update writes it)", path);
        return false;
    }
    size_t bad = 0;
    if (w != s->width || h != s->height)
        snprintf(why, why_size, "%s: golden is %dx%d, rendering %dx%d", path, w, h, s->width, s->height);
    else if ((bad = count_mismatches(s, want, NULL)) != 0) {
        write_failure_images(name, s, want);
        snprintf(why, why_size, "%s: %zu pixels differ by more than %d (see " OUT_DIR "%s-diff.png)",
                 name, bad, TOLERANCE, name);
    }
    free(want);
    return w == s->width && h == s->height && bad == 0;
}

static void test_scene(void **state)
{
    const struct scene *sc = *state;
    struct nx_gfx_surface s;
    uint32_t *px = new_pixels(sc->w, sc->h, &s);
    if (sc->draw)
        sc->draw(&s);
    else
        draw_text(&s, sc);
    char why[512];
    bool ok = check_golden(sc->name, &s, why, sizeof(why));
    free(px);
    if (!ok)
        fail_msg("%s", why);
}

// The comparison itself: within the tolerance passes, one step beyond fails, per channel.
static void test_tolerance(void **state)
{
    (void)state;
    uint32_t px[2] = { 0xff808080u, 0xff808080u };
    struct nx_gfx_surface s;
    nx_gfx_surface_init(&s, px, sizeof(px), 2, 1, 8);
    for (int shift = 0; shift < 24; shift += 8) {
        uint32_t want[2] = { px[0] + ((uint32_t)TOLERANCE << shift), px[1] - ((uint32_t)TOLERANCE << shift) };
        assert_int_equal(count_mismatches(&s, want, NULL), 0);
        want[1] -= 1u << shift;
        assert_int_equal(count_mismatches(&s, want, NULL), 1);
    }
}

static struct scene scenes[] = {
    { "rects", 96, 64, draw_rects, NULL, 0, 0 },
    { "blend", 96, 64, draw_blend, NULL, 0, 0 },
    { "text_sans_13", 260, 36, NULL, DEJAVU_SANS, 13, NX_FACE_KERNING },
    { "text_sans_24", 470, 62, NULL, DEJAVU_SANS, 24, NX_FACE_KERNING },
    { "text_mono_13", 270, 36, NULL, DEJAVU_MONO, 13, 0 },
    { "text_mono_24", 490, 62, NULL, DEJAVU_MONO, 24, 0 },
    { "terminal_dark", 44 * 10, 7 * 19, draw_terminal_dark, NULL, 0, 0 },
    { "terminal_light", 44 * 10, 7 * 19, draw_terminal_light, NULL, 0, 0 },
    { "terminal_boot", 80 * 10, 25 * 19, draw_terminal_boot, NULL, 0, 0 },
    { "terminal_boot_enter", 80 * 10, 25 * 19, draw_terminal_boot_enter, NULL, 0, 0 },
    { "terminal_boot_paste", 80 * 10, 25 * 19, draw_terminal_boot_paste, NULL, 0, 0 },
    { "form_light", 220, 246, draw_form_light, NULL, 0, 0 },
    { "form_dark", 220, 246, draw_form_dark, NULL, 0, 0 },
};

int main(void)
{
    struct CMUnitTest tests[2 + sizeof(scenes) / sizeof(scenes[0])] = {
        cmocka_unit_test(test_tolerance),
        cmocka_unit_test(test_terminal_damage),
    };
    for (size_t i = 0; i < sizeof(scenes) / sizeof(scenes[0]); i++)
        tests[i + 2] = (struct CMUnitTest){ scenes[i].name, test_scene, NULL, NULL, &scenes[i] };
    return _cmocka_run_group_tests("gfx_golden", tests, sizeof(tests) / sizeof(tests[0]), NULL, NULL);
}

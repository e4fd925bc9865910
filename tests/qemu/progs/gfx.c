// The graphics library (libnxgfx.a) on the target: stb_truetype rasterising with the FPU and
// picolibc's maths, its arena, the glyph cache and blending, in a RISC-V process. Draws the
// text scene of the golden image text_mono_13 (tests/host/support/gfx_scene.h) and prints
// an FNV-1a hash of its pixels, which run_tests.py compares with the golden made on the host:
// the same code gives the same pixels on both. The font is linked into the program (the
// boot archive does not carry fonts yet).
#include <string.h>
#include <nx/damage.h>
#define TEST_NAME "gfx"
#include "expect.h"
#include "../../host/support/gfx_scene.h"

__asm__(".section .rodata.gfx_font, \"a\"\n"
        ".balign 8\n"
        ".globl gfx_font, gfx_font_end\n"
        "gfx_font: .incbin \"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf\"\n"
        "gfx_font_end:\n"
        ".previous");
extern const uint8_t gfx_font[], gfx_font_end[];

#define W 270
#define H 36
#define CACHE_BYTES (256u << 10)

static uint32_t pixels[W * H], again[W * H];
static uint64_t cache_mem[CACHE_BYTES / 8];

static uint32_t fnv1a(const void *data, size_t n)
{
    const uint8_t *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static long ink(const uint32_t *px)
{
    long n = 0;
    for (size_t i = 0; i < W * H; i++)
        n += px[i] != nx_gfx_rgb(250, 250, 245) && px[i] != nx_gfx_rgb(0, 43, 54);
    return n;
}

int main(void)
{
    struct nx_font font;
    struct nx_face face;
    struct nx_glyph_cache cache;
    struct nx_gfx_surface s;
    expect("font opens", nx_font_init(&font, gfx_font, (size_t)(gfx_font_end - gfx_font)), NX_OK);
    expect("face at 13 px", nx_face_init(&face, &font, 13, 0), NX_OK);
    expect("cache", nx_glyph_cache_init(&cache, cache_mem, sizeof(cache_mem)), NX_OK);
    expect("surface", nx_gfx_surface_init(&s, pixels, sizeof(pixels), W, H, W * 4), NX_OK);
    expect("scene drawn", gfx_scene_text(&s, &cache, &face), NX_OK);
    long misses = (long)cache.stats.misses;
    expect("some pixels inked", ink(pixels) > 1000, 1);
    // Again, every glyph from the cache: the same pixels, nothing rasterised.
    memcpy(again, pixels, sizeof(pixels));
    expect("redrawn from the cache", gfx_scene_text(&s, &cache, &face), NX_OK);
    expect("cache hits only", (long)cache.stats.misses, misses);
    expect("same pixels", memcmp(again, pixels, sizeof(pixels)), 0);
    // A damage region of the two lines, as a compositor would take it.
    struct nx_gfx_damage d;
    nx_gfx_damage_init(&d, nx_gfx_surface_rect(&s));
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ -5, 0, W + 10, face.line_height });
    nx_gfx_damage_add(&d, (struct nx_gfx_rect){ 0, 10, W, H });
    expect("damage covers the surface once", (long)nx_gfx_damage_area(&d), W * H);
    nx_printf("gfx: scene %dx%d hash %08x\n", W, H, fnv1a(pixels, sizeof(pixels)));
    nx_printf("gfx: %d failures\n", failures);
    return failures != 0;
}

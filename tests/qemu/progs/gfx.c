// The graphics library (libnxgfx.a) on the target: stb_truetype rasterising with the FPU and
// picolibc's maths, its arena, the glyph cache and blending, in a RISC-V process. Draws the
// text scene of the golden image text_mono_13 (tests/host/support/gfx_scene.h) and prints
// an FNV-1a hash of its pixels, which run_tests.py compares with the golden made on the host:
// the same code gives the same pixels on both. Then the shared glyph atlas through libnx's
// VMO helpers: built for the face, put in a sealed VMO, a read-only duplicate mapped and
// attached, the scene drawn from the atlas alone to the same pixels; the sealed VMO refuses
// writes and writable mappings. The font is linked into the program.
#include <string.h>
#include <nx/damage.h>
#include <nx/glyph_atlas.h>
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
static uint64_t atlas_mem[(128u << 10) / 8];

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

// The atlas's producer and consumer in one process: the consumer's side sees only a
// duplicate with READ and MAP, as a client of the compositor would.
static void atlas_scene(const struct nx_face *face, struct nx_gfx_surface *s)
{
    struct nx_glyph_atlas_face_spec spec = { NX_FONT_ID_SANS_MONO, 13, face };
    size_t ncps, need, used, mapped = 0;
    const uint32_t *cps = nx_glyph_atlas_ui_codepoints(&ncps);
    expect("atlas sized", nx_glyph_atlas_size(&spec, 1, cps, ncps, &need), NX_OK);
    expect("atlas fits", need <= sizeof(atlas_mem), 1);
    expect("atlas built", nx_glyph_atlas_build(atlas_mem, sizeof(atlas_mem), &spec, 1, cps, ncps, &used), NX_OK);
    long vmo = nx_vmo_sealed_copy(atlas_mem, used);
    expect("atlas sealed in a VMO", vmo > 0, 1);
    expect("sealed atlas refuses writes", nx_vmo_write(vmo, 0, atlas_mem, 8), NX_ERR_ACCESS);
    expect("sealed atlas refuses a writable mapping",
           nx_vm_map(nx_self, vmo, 0, 0, 4096, NX_PROT_READ | NX_PROT_WRITE), NX_ERR_ACCESS);
    long ro = nx_handle_duplicate(vmo, NX_RIGHT_READ | NX_RIGHT_MAP);
    long va = nx_vmo_map_readonly(ro, &mapped);
    expect("atlas mapped read-only", va > 0 && mapped >= used, 1);
    struct nx_glyph_atlas atlas;
    expect("atlas attached", nx_glyph_atlas_attach(&atlas, (const void *)va, mapped), NX_OK);
    long id = nx_glyph_atlas_face(&atlas, NX_FONT_ID_SANS_MONO, face);
    expect("atlas face found", id, 0);
    struct nx_glyph_source src = { &atlas, (uint32_t)id, NULL };   // no cache: atlas only
    long err = gfx_scene_text_from(s, &src, face);
    expect("atlas scene drawn", err, NX_OK);
    expect("atlas scene same pixels", memcmp(again, pixels, sizeof(pixels)), 0);
    nx_vm_unmap(nx_self, va, mapped);
    nx_handle_close(ro);
    nx_handle_close(vmo);
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
    atlas_scene(&face, &s);
    nx_printf("gfx: %d failures\n", failures);
    return failures != 0;
}

// make bench (bench/run_bench.py): the text figures of the graphics library, measured on the
// target in instructions. The font is DejaVu Sans Mono from the boot archive (granted
// `bootfs`), at the Terminal's 16 px:
//   glyph_raster_instr: one glyph rasterised into the cache (a miss: stb_truetype's
//     outline, rasteriser and the cache's bookkeeping), averaged over the printable ASCII set;
//   glyph_instr: one cached glyph drawn (the cache lookup and the coverage blend), averaged
//     over 10,000 draws of that set.
// Then powers off through proc.
#include <nx/bootfs.h>
#include <nx/gfx.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include <nx/text.h>

#define FONT "DejaVuSansMono.ttf"
#define PX 16
#define FIRST 0x21   // '!'
#define LAST 0x7e    // '~'
#define DRAWS 10000
#define SURF_W 256
#define SURF_H 64

static uint64_t cache_mem[(1u << 20) / 8];
static uint32_t pixels[SURF_W * SURF_H];

static uint64_t raster_cost(struct nx_glyph_cache *c, const struct nx_face *face)
{
    const struct nx_glyph *g;
    nx_glyph_cache_flush(c);
    uint64_t t0 = nx_rdinstret();
    for (uint32_t cp = FIRST; cp <= LAST; cp++)
        if (nx_glyph_get(c, face, cp, &g) != NX_OK)
            return 0;
    return (nx_rdinstret() - t0) / (LAST - FIRST + 1);
}

static uint64_t draw_cost(struct nx_glyph_cache *c, const struct nx_face *face)
{
    struct nx_gfx_surface s;
    const struct nx_glyph *g;
    nx_gfx_surface_init(&s, pixels, sizeof(pixels), SURF_W, SURF_H, SURF_W * 4);
    uint64_t t0 = nx_rdinstret();
    for (uint32_t i = 0; i < DRAWS; i++) {
        if (nx_glyph_get(c, face, FIRST + i % (LAST - FIRST + 1), &g) != NX_OK)
            return 0;
        nx_glyph_draw(&s, g, (int32_t)(i % 200), 40, 0xffe0e0e0u);
    }
    return (nx_rdinstret() - t0) / DRAWS;
}

static long bench_text(void)
{
    struct nx_bootfs fs;
    const void *data;
    size_t size;
    struct nx_font font;
    struct nx_face face;
    struct nx_glyph_cache cache;
    long err = nx_bootfs_open(nx_startup_handle("bootfs"), &fs);
    if (err == NX_OK)
        err = nx_bootfs_find(&fs, FONT, &data, &size);
    if (err == NX_OK)
        err = nx_font_init(&font, data, size);
    if (err == NX_OK)
        err = nx_face_init(&face, &font, PX, 0);
    if (err == NX_OK)
        err = nx_glyph_cache_init(&cache, cache_mem, sizeof(cache_mem));
    if (err != NX_OK)
        return err;
    uint64_t raster = raster_cost(&cache, &face);
    uint64_t draw = draw_cost(&cache, &face);
    if (!raster || !draw)
        return NX_ERR_BAD_STATE;
    nx_printf("BENCH glyph_raster_instr %lu\n", (unsigned long)raster);
    nx_printf("BENCH glyph_instr %lu\n", (unsigned long)draw);
    return NX_OK;
}

int main(void)
{
    long err = bench_text();
    if (err != NX_OK)
        nx_printf("gfxbench: the text figures failed (%ld)\n", err);
    nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                NX_DEADLINE_NEVER);
    return (int)err;
}

// libFuzzer target for attaching a shared glyph atlas (user/lib/gfx/glyph_atlas.c), the
// bytes a consumer receives from the producer: attach must refuse them or accept a block
// whose every lookup stays inside it (ASan watches the exactly-sized copy). The first byte
// chooses the mode: even, the rest is the block itself; odd, the rest is patches (a 16-bit
// offset and a byte, repeated) applied to a real atlas (DejaVu Sans at 9 px, printable
// ASCII), which reaches the checks behind the header far more often than random bytes.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nx/glyph_atlas.h>
#include "support/gfx_files.h"

static uint8_t *real;
static size_t real_len;

static void setup(void)
{
    static struct nx_font font;
    static struct nx_face face;
    size_t size;
    uint8_t *data = gfx_read_file(DEJAVU_SANS, &size);   // kept for the whole run
    if (!data || nx_font_init(&font, data, size) != NX_OK || nx_face_init(&face, &font, 9, 0) != NX_OK)
        abort();
    struct nx_glyph_atlas_face_spec spec = { NX_FONT_ID_SANS, 9, &face };
    uint32_t cps[95];
    for (uint32_t i = 0; i < 95; i++)
        cps[i] = 0x20 + i;
    if (nx_glyph_atlas_size(&spec, 1, cps, 95, &size) != NX_OK)
        abort();
    real = aligned_alloc(8, size);
    if (!real || nx_glyph_atlas_build(real, size, &spec, 1, cps, 95, &real_len) != NX_OK)
        abort();
}

// Every glyph the atlas gives, read whole.
static void touch_all(struct nx_glyph_atlas *atlas)
{
    volatile uint32_t sum = 0;
    for (uint32_t f = 0; f <= atlas->nfaces; f++)
        for (uint32_t cp = 0; cp < 0x120; cp++) {
            const struct nx_glyph *g = nx_glyph_atlas_find(atlas, f, cp);
            for (size_t i = 0; g && g->bitmap && i < (size_t)g->w * g->h; i++)
                sum += g->bitmap[i];
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!real)
        setup();
    if (size < 1)
        return 0;
    size_t len = data[0] & 1 ? real_len : size - 1;
    uint8_t *block = malloc(len ? len : 1);
    if (data[0] & 1) {
        memcpy(block, real, real_len);
        for (size_t at = 1; at + 3 <= size; at += 3)
            block[(data[at] | (size_t)data[at + 1] << 8) % real_len] = data[at + 2];
    } else {
        memcpy(block, data + 1, len);
    }
    struct nx_glyph_atlas atlas;
    if (nx_glyph_atlas_attach(&atlas, block, len) == NX_OK)
        touch_all(&atlas);
    free(block);
    return 0;
}

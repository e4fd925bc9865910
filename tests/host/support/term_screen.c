// The Terminal's screen on the host (term_screen.h).
#include <stdlib.h>
#include <nexus/errors.h>
#include "gfx_files.h"
#include "term_screen.h"

#define TERM_FONT_PX 16
#define TERM_CACHE_BYTES (256u << 10)   // the Terminal's own glyph cache size

bool term_screen_open(struct term_screen *t, const struct term_palette *pal, int cols, int rows)
{
    size_t size;
    *t = (struct term_screen){ 0 };
    t->font_data = gfx_read_file(DEJAVU_MONO, &size);
    t->cache_mem = aligned_alloc(8, TERM_CACHE_BYTES);
    if (!t->font_data || !t->cache_mem || nx_font_init(&t->font, t->font_data, size) != NX_OK ||
        nx_face_init(&t->face, &t->font, TERM_FONT_PX, 0) != NX_OK ||
        nx_glyph_cache_init(&t->cache, t->cache_mem, TERM_CACHE_BYTES) != NX_OK)
        goto fail;
    term_render_init(&t->r, &t->cache, &t->face, pal);
    if (vt_init(&t->vt, cols, rows, NULL) != 0)
        goto fail;
    t->vt.newline_crlf = true;
    return true;
fail:
    free(t->cache_mem);
    free(t->font_data);
    return false;
}

void term_screen_close(struct term_screen *t)
{
    vt_free(&t->vt);
    free(t->cache_mem);
    free(t->font_data);
}

// The shared glyph atlas (nx/glyph_atlas.h; docs/graphics-lib.md, "Shared glyph atlas"): the
// interface's faces rasterised once at start into a sealed VMO, handed to clients read-only
// (NX_WM_GLYPH_ATLAS). The fonts come from the sealed boot archive.
#include <stdlib.h>
#include <string.h>
#include <nx/bootfs.h>
#include <nx/glyph_atlas.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/startup.h>
#include "comp.h"

static nx_handle_t atlas_vmo;  // sealed; NX_HANDLE_INVALID: none (the op answers NOT_FOUND)

static const struct {
    uint32_t id;
    const char *file;
} fonts[] = { { NX_FONT_ID_SANS, "DejaVuSans.ttf" }, { NX_FONT_ID_SANS_MONO, "DejaVuSansMono.ttf" } };
static const int32_t sizes[] = { 14, 16 };
#define FACES (sizeof fonts / sizeof fonts[0] * sizeof sizes / sizeof sizes[0])

static long open_faces(struct nx_font *font, struct nx_face *face,
                       struct nx_glyph_atlas_face_spec *spec)
{
    struct nx_bootfs fs;
    long err = nx_bootfs_open(nx_startup_handle("bootfs"), &fs);
    for (size_t f = 0; !err && f < sizeof fonts / sizeof fonts[0]; f++) {
        const void *data;
        size_t size;
        err = nx_bootfs_find(&fs, fonts[f].file, &data, &size);
        if (!err)
            err = nx_font_init(&font[f], data, size);
        for (size_t s = 0; !err && s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t i = f * (sizeof sizes / sizeof sizes[0]) + s;
            err = nx_face_init(&face[i], &font[f], sizes[s], NX_FACE_KERNING);
            spec[i] = (struct nx_glyph_atlas_face_spec){ fonts[f].id, sizes[s], &face[i] };
        }
    }
    return err;
}

void atlas_start(void)
{
    struct nx_font font[sizeof fonts / sizeof fonts[0]];
    struct nx_face face[FACES];
    struct nx_glyph_atlas_face_spec spec[FACES];
    size_t ncps, size = 0, used;
    const uint32_t *cps = nx_glyph_atlas_ui_codepoints(&ncps);
    long err = open_faces(font, face, spec);
    if (!err)
        err = nx_glyph_atlas_size(spec, FACES, cps, ncps, &size);
    void *mem = err ? NULL : malloc(size);
    if (!err && !mem)
        err = NX_ERR_NO_MEMORY;
    if (!err)
        err = nx_glyph_atlas_build(mem, size, spec, FACES, cps, ncps, &used);
    long vmo = err ? err : nx_vmo_sealed_copy(mem, used);
    free(mem);
    if (vmo < 0) {
        nx_log(NX_LOG_WARN, "no glyph atlas (%ld)", vmo);
        return;
    }
    atlas_vmo = (nx_handle_t)vmo;
    nx_printf("compositor: glyph atlas of %zu bytes\n", used);
}

long atlas_op(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    if (!atlas_vmo)
        return NX_ERR_NOT_FOUND;
    long dup = nx_handle_duplicate(atlas_vmo, NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_TRANSFER);
    if (dup < 0)
        return dup;
    req->reply_handles = (struct nx_rpc_handles){ 1, { (nx_handle_t)dup },
                                                  { NX_RIGHT_READ | NX_RIGHT_MAP } };
    return NX_OK;
}

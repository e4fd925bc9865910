// The one compilation of stb_truetype (Debian's libstb-dev) in the library, with its
// scratch memory taken from a bounded arena instead of malloc: a glyph's rasterisation
// allocates, never frees, and the whole arena is dropped after it. An allocation that does
// not fit jumps back to gfx_arena_run's caller (some of stb_truetype's allocations are not
// checked for NULL), which reports NX_ERR_NO_MEMORY.
#include <setjmp.h>
#include <stddef.h>
#include "font_int.h"

static void *arena_alloc(struct gfx_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (!a)
        return NULL;   // only rasterising allocates, and it always brings an arena
    if (size > a->size - a->used)
        longjmp(a->fail, 1);
    void *p = a->base + a->used;
    a->used += size;
    return p;
}

#define STBTT_malloc(size, arena) arena_alloc((arena), (size))
#define STBTT_free(ptr, arena) ((void)(ptr), (void)(arena))
// Its asserts check its own invariants on well-formed fonts: compiled out, as in a release
// build (they would pull abort() and signals into every program that draws text).
#define STBTT_assert(x) ((void)sizeof(x))
#define STB_TRUETYPE_IMPLEMENTATION
// Its code is not ours to change: only our own warnings stay errors.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#include <stb_truetype.h>
#pragma GCC diagnostic pop

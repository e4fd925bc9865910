// Checks of the compositor's client requests (request.h).
#include <string.h>
#include <nexus/errors.h>
#include <nexus/handle.h>
#include <nx/services.h>
#include "request.h"

#define SLOT_BITS 5
#define GEN_BITS 16
#define EPOCH_MASK ((1u << (31 - SLOT_BITS - GEN_BITS)) - 1)
_Static_assert(NX_WM_MAX_CLIENTS <= 1 << SLOT_BITS, "a slot fits its bits");

uint32_t wm_surface_rights(uint32_t flags)
{
    uint32_t r = NX_RIGHT_READ | NX_RIGHT_MAP;
    if (flags & NX_WM_SURFACE_FULLSCREEN)
        r |= NX_RIGHT_DMA | NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE;
    return r;
}

long wm_check_surface(int32_t w, int32_t h, int32_t stride, uint32_t flags, int32_t sw,
                      int32_t sh, uint32_t rights, uint64_t vmo_size)
{
    if (w < 1 || h < 1 || stride < 1 || stride % 4 || (int64_t)stride < (int64_t)w * 4 ||
        (flags & ~(NX_WM_SURFACE_FULLSCREEN | NX_WM_SURFACE_OPAQUE | NX_WM_SURFACE_TOP |
                   NX_WM_SURFACE_LOCK)) ||
        ((flags & NX_WM_SURFACE_FULLSCREEN) && (flags & NX_WM_SURFACE_TOP)) ||
        ((flags & NX_WM_SURFACE_LOCK) && !(flags & NX_WM_SURFACE_FULLSCREEN)))
        return NX_ERR_INVALID;
    if (w > sw || h > sh || stride > NX_GFX_MAX_DIM * 4)
        return NX_ERR_TOO_BIG;
    if ((flags & NX_WM_SURFACE_FULLSCREEN) && (w != sw || h != sh || stride != w * 4))
        return NX_ERR_INVALID;
    uint32_t need = wm_surface_rights(flags);
    if ((rights & need) != need)
        return NX_ERR_ACCESS;
    return vmo_size < (uint64_t)stride * (uint64_t)h ? NX_ERR_TOO_BIG : NX_OK;
}

long wm_clip_damage(const struct nx_wm_present *p, size_t len, int32_t w, int32_t h,
                    struct nx_gfx_rect *out, size_t *n)
{
    size_t head = offsetof(struct nx_wm_present, damage);
    if (len < head || p->n == 0 || p->n > NX_WM_MAX_DAMAGE ||
        len < head + p->n * sizeof p->damage[0])
        return NX_ERR_INVALID;
    struct nx_gfx_rect bounds = { 0, 0, w, h };
    *n = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        struct nx_gfx_rect r = nx_gfx_rect_intersect(p->damage[i], bounds);
        if (!nx_gfx_rect_empty(r))
            out[(*n)++] = r;
    }
    return NX_OK;
}

void wm_copy_title(char out[NX_WM_TITLE_MAX + 1], const char in[NX_WM_TITLE_MAX + 1])
{
    memcpy(out, in, NX_WM_TITLE_MAX);
    out[NX_WM_TITLE_MAX] = 0;
}

uint32_t wm_badge(uint32_t epoch, uint32_t gen, unsigned slot)
{
    return WM_BADGE_CLIENT | (epoch & EPOCH_MASK) << (SLOT_BITS + GEN_BITS) |
           (gen & ((1u << GEN_BITS) - 1)) << SLOT_BITS | slot;
}

bool wm_badge_slot(uint64_t badge, uint32_t epoch, unsigned *slot, uint32_t *gen)
{
    if (badge > UINT32_MAX || !(badge & WM_BADGE_CLIENT) ||
        ((badge >> (SLOT_BITS + GEN_BITS)) & EPOCH_MASK) != (epoch & EPOCH_MASK))
        return false;
    *slot = (unsigned)(badge & ((1u << SLOT_BITS) - 1));
    *gen = (uint32_t)(badge >> SLOT_BITS) & ((1u << GEN_BITS) - 1);
    return *slot < NX_WM_MAX_CLIENTS;
}

bool wm_badge_may_lock(uint64_t badge)
{
    return badge <= UINT32_MAX && !(badge & WM_BADGE_CLIENT) && (badge & NX_BADGE_LOCK);
}

long wm_check_idle(const struct nx_wm_idle_watch *w, uint64_t *ns)
{
    if (w->seconds > NX_WM_IDLE_MAX_S)
        return NX_ERR_INVALID;
    *ns = (uint64_t)w->seconds * 1000000000ull;
    return NX_OK;
}

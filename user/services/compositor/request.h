#pragma once
// Checks of the compositor's client requests (pure; host-tested and fuzzed): every field of
// a request is checked here before the compositor acts on it.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/wm.h>

// The rights a surface's VMO handle must have: READ and MAP (the compositor maps it
// read-only); for a fullscreen surface also DMA, TRANSFER and DUPLICATE (a copy goes to the
// GPU driver, which scans its pages out).
uint32_t wm_surface_rights(uint32_t flags);

// A surface of w x h, rows stride bytes apart, with flags, on an sw x sh screen, its VMO
// handle's rights and the VMO's size: NX_OK, or
//   NX_ERR_INVALID   w or h below 1, stride not a multiple of 4 or below w * 4, unknown flags,
//                    a fullscreen surface not exactly the screen (stride w * 4), one both
//                    fullscreen and top, a lock surface (NX_WM_SURFACE_LOCK) not fullscreen
//   NX_ERR_TOO_BIG   w or h above the screen's, stride above NX_GFX_MAX_DIM * 4, or the VMO
//                    smaller than stride x h
//   NX_ERR_ACCESS    the handle lacks a right of wm_surface_rights(flags)
long wm_check_surface(int32_t w, int32_t h, int32_t stride, uint32_t flags, int32_t sw,
                      int32_t sh, uint32_t rights, uint64_t vmo_size);

// The damage of a present of len bytes, clipped to a w x h surface, into out (room for
// NX_WM_MAX_DAMAGE): NX_OK and *n (rectangles wholly outside dropped), or NX_ERR_INVALID (n 0
// or over NX_WM_MAX_DAMAGE, len short of the header or of n rectangles).
long wm_clip_damage(const struct nx_wm_present *p, size_t len, int32_t w, int32_t h,
                    struct nx_gfx_rect *out, size_t *n);

// A title from a request: at most NX_WM_TITLE_MAX bytes, NUL-terminated whatever came.
void wm_copy_title(char out[NX_WM_TITLE_MAX + 1], const char in[NX_WM_TITLE_MAX + 1]);

// Badges of the clients' endpoints: bit 31 (never one of init's process badges), the
// compositor instance's epoch (a restarted compositor knows none of its predecessor's
// clients), the slot's generation (a slot reused knows none of its earlier client's) and
// the slot.
#define WM_BADGE_CLIENT (1u << 31)
uint32_t wm_badge(uint32_t epoch, uint32_t gen, unsigned slot);
// The slot of a client badge of this epoch and the generation it carries; false if the badge
// is no client's of this epoch.
bool wm_badge_slot(uint64_t badge, uint32_t epoch, unsigned *slot, uint32_t *gen);

// Whether the connect request's badge (that of the caller's handle to the service endpoint)
// lets the client use the lock layer: init's NX_BADGE_LOCK facet (a `wm:lock` grant), never a
// client endpoint's badge of the compositor's own (WM_BADGE_CLIENT: its generation bits may
// hold any value).
bool wm_badge_may_lock(uint64_t badge);

// An idle watch's period in ns: NX_OK, or NX_ERR_INVALID (over NX_WM_IDLE_MAX_S).
long wm_check_idle(const struct nx_wm_idle_watch *w, uint64_t *ns);

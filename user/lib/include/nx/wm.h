#pragma once
// The compositor's client protocol and library (service `wm`, program `compositor`;
// docs/compositor.md). A client draws into surfaces backed by VMOs of its own; the compositor
// maps them read-only and composes only what a present says is damaged into the screen (a
// fullscreen opaque surface is scanned out directly, no copy). Events come back on a ring
// per client (nx/ring.h) and a notification the client chose, so one sleep serves a client
// of several sources.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/gfx.h>
#include <nx/ring.h>

#define NX_WM_SERVICE "wm"     // the name clients look up (nx_svc_lookup)

// ---- limits ----
#define NX_WM_MAX_CLIENTS 16
#define NX_WM_MAX_SURFACES 8        // per client
#define NX_WM_MAX_DAMAGE 16         // rectangles per present (more: their bounding box)
#define NX_WM_TITLE_MAX 47          // bytes of UTF-8, a NUL after them
#define NX_WM_EVENT_RING_BYTES 8192 // a client's event ring: 204 events (32 bytes + 8 framing)

// ---- requests (nx/rpc.h convention) ----
enum {
    // First, on the service's endpoint. Request: struct nx_wm_connect and two handles: [0] a
    // notification (SIGNAL) the compositor signals `bits` on when events wait, [1] the
    // client's own process handle (READ: the compositor watches it, so a client that dies
    // loses its windows at once). Reply: struct nx_wm_connect_reply and two handles: [0] the
    // event ring's VMO (READ, WRITE, MAP; the client is the reader), [1] the client's own
    // endpoint (badged) for every later request.
    NX_WM_CONNECT = 1,
    // Request: struct nx_wm_surface_create and one handle: the VMO the client draws in
    // (READ and MAP at least; for NX_WM_SURFACE_FULLSCREEN also DMA, TRANSFER and DUPLICATE:
    // a copy goes to the GPU driver), at least stride x height bytes. Reply: struct
    // nx_wm_surface_reply. Errors (docs/compositor.md): NX_ERR_INVALID, NX_ERR_TOO_BIG,
    // NX_ERR_ACCESS, NX_ERR_NO_SPACE.
    NX_WM_SURFACE_CREATE,
    // Request: struct nx_wm_present. The surface's pixels in the rectangles are new; the
    // compositor composes them and sends NX_WM_EV_FRAME_DONE once they are on screen. A
    // present before that only adds its damage to the pending one.
    NX_WM_PRESENT,
    // Request: struct nx_wm_surface_ref.
    NX_WM_SURFACE_DESTROY,
    // Request: struct nx_wm_surface_title.
    NX_WM_SET_TITLE,
    // Request: struct nx_wm_surface_resize and one handle: the new VMO (as for create). The
    // answer to NX_WM_EV_CONFIGURE, or a client's own resize; the whole surface is damaged.
    NX_WM_SURFACE_RESIZE,
    // Request: nothing. Reply: one handle: the shared glyph atlas (a sealed VMO, READ and MAP;
    // nx/text.h), rasterised once by the compositor for the interface's faces, so clients
    // draw common text without rasterising it themselves.
    NX_WM_GLYPH_ATLAS,
    // Request: nothing. Reply: struct nx_wm_stats (the compositor's counters since it started).
    NX_WM_STATS,
    // Request: struct nx_wm_idle_watch. Once no key, button or pointer motion has come for
    // `seconds` (counted from the later of the last input and this request), the caller gets
    // one NX_WM_EV_IDLE (surface 0); then the watch is over (ask again). One watch per client:
    // a new one replaces it, 0 ends it. Errors: NX_ERR_INVALID (seconds over
    // NX_WM_IDLE_MAX_S). The compositor keeps one timer for every watch, with slack
    // NX_WM_IDLE_SLACK_NS; input only moves the time it is compared with, so an idle screen
    // costs one wake-up per watch and a busy one about one per `seconds`.
    NX_WM_IDLE_WATCH,
};

#define NX_WM_IDLE_MAX_S 86400u
#define NX_WM_IDLE_SLACK_NS 1000000000ull   // the most a timer may have (nx_timer_set)

struct nx_wm_idle_watch {
    uint32_t seconds;          // 0: no watch
};

struct nx_wm_stats {
    uint64_t presents;          // NX_WM_PRESENT requests taken
    uint64_t frames;            // frames composed and flushed
    uint64_t bytes_copied;      // bytes written into the scanout buffer, all frames
    uint64_t last_frame_bytes;  // of them, by the last frame (0 for a direct scanout)
    uint64_t direct_frames;     // frames flushed straight from a fullscreen surface's VMO
    uint64_t events_dropped;    // events lost to clients' full rings
    uint64_t last_frame_instr;  // instructions the last frame's copies and fills took (the
                                // flush not included; 0 for a direct scanout)
    // Key to pixel (make bench's key_to_pixel_instr): for each key press that some flush
    // followed, the time from the input driver's stamp on it (its time_ns) to the GPU
    // driver's reply to the last flush before the next press, and of that time, what the
    // harts spent halted (NX_INFO_IDLE_INSTRET: in the clock's unit under -icount shift=0
    // only, where both are instructions).
    uint64_t keys_timed;        // key presses followed by a flush
    uint64_t key_to_flush_ns;   // their sum
    uint64_t key_to_flush_halted_ns;
    uint64_t last_flush_instr;  // the last flush's call: its instructions, halted time left out
    // The active window: the framed or fullscreen surface that last had the keyboard and is
    // still up (a top surface taking the keyboard does not change it); its title, or "".
    char active_title[NX_WM_TITLE_MAX + 1];
};

struct nx_wm_connect {
    uint64_t bits;             // notification bits meaning "events wait" (non-zero)
};

struct nx_wm_connect_reply {
    int32_t screen_w, screen_h;
};

// Surface flags.
#define NX_WM_SURFACE_FULLSCREEN (1u << 0) // the whole screen, no frame; opaque
#define NX_WM_SURFACE_OPAQUE     (1u << 1) // the top byte of each pixel is ignored
// A top surface (a desktop's bar, its menus): no frame, at the (x, y) asked (kept wholly on
// the screen), stacked above every other window, which never covers it; it gets
// NX_WM_EV_ACTIVE. One across the screen's top edge keeps framed windows' title bars below
// it. Not with NX_WM_SURFACE_FULLSCREEN.
#define NX_WM_SURFACE_TOP        (1u << 2)
// The lock layer, above every other (with NX_WM_SURFACE_FULLSCREEN only): the login screen's
// lock. While a surface is in it, nothing can be placed above it and input goes to it alone.
// Only a client that connected through a handle badged NX_BADGE_LOCK (nx/services.h: the
// manifest's `grant=wm:lock`, the login screen's) may ask; others get NX_ERR_ACCESS.
#define NX_WM_SURFACE_LOCK       (1u << 3)

struct nx_wm_surface_create {
    int32_t w, h;              // 1 .. the screen's size
    int32_t stride;            // bytes per row, a multiple of 4, >= w * 4
    int32_t x, y;              // where a window's content goes (ignored for fullscreen)
    uint32_t flags;
    char title[NX_WM_TITLE_MAX + 1];
};

struct nx_wm_surface_reply {
    uint32_t id;               // non-zero, the client's own name for the surface
};

struct nx_wm_surface_ref {
    uint32_t id;
};

struct nx_wm_present {
    uint32_t id;
    uint32_t n;                // 1 .. NX_WM_MAX_DAMAGE
    struct nx_gfx_rect damage[NX_WM_MAX_DAMAGE]; // surface coordinates; clipped to it
};

struct nx_wm_surface_title {
    uint32_t id;
    char title[NX_WM_TITLE_MAX + 1];
};

struct nx_wm_surface_resize {
    uint32_t id;
    int32_t w, h, stride;
};

// ---- events (records of the client's ring) ----
enum {
    NX_WM_EV_KEY = 1,          // to the focused surface
    NX_WM_EV_POINTER,          // motion and buttons over a surface (or grabbed by it)
    NX_WM_EV_SCROLL,           // wheel over a surface
    NX_WM_EV_FOCUS,            // the surface gained (value 1) or lost (0) the keyboard
    NX_WM_EV_FRAME_DONE,       // the last present is on screen: draw the next frame
    NX_WM_EV_CLOSE,            // the user asked to close the window (its close button)
    NX_WM_EV_CONFIGURE,        // the user resized the window: draw at w x h and resize
    // To each top surface: the active window or its title changed (NX_WM_STATS tells it);
    // value: the active window's client is this surface's own (1) or not (0).
    NX_WM_EV_ACTIVE,
    // The client's idle watch (NX_WM_IDLE_WATCH) ran out: no input for value seconds.
    NX_WM_EV_IDLE,
};

// Modifier bits (nx_wm_event.key.mods, .pointer.mods).
#define NX_WM_MOD_SHIFT (1u << 0)
#define NX_WM_MOD_CTRL  (1u << 1)
#define NX_WM_MOD_ALT   (1u << 2)
#define NX_WM_MOD_ALTGR (1u << 3)
#define NX_WM_MOD_META  (1u << 4)
#define NX_WM_MOD_CAPS  (1u << 5)

// Pointer buttons (nx_wm_event.pointer.buttons).
#define NX_WM_BUTTON_LEFT   (1u << 0)
#define NX_WM_BUTTON_RIGHT  (1u << 1)
#define NX_WM_BUTTON_MIDDLE (1u << 2)

struct nx_wm_event {
    uint32_t type;
    uint32_t surface;          // its id
    uint64_t time_ns;          // when the input happened (nx_clock_get)
    union {
        struct {
            uint16_t code;     // evdev key code (KEY_A = 30), independent of the key map
            uint8_t state;     // 0 released, 1 pressed, 2 repeated
            uint8_t mods;      // NX_WM_MOD_* after this key
            uint32_t codepoint; // the character the key map gives (0: none, e.g. arrows)
        } key;
        struct {
            int32_t x, y;      // surface coordinates (may lie outside while a button is held)
            uint32_t buttons;  // NX_WM_BUTTON_* held
            uint32_t mods;
        } pointer;
        struct {
            int32_t dx, dy;    // wheel steps
        } scroll;
        struct {
            int32_t w, h;
        } configure;
        uint32_t value;
    };
};
_Static_assert(sizeof(struct nx_wm_event) == 32, "events are 32 bytes");

// ---- client library (libnx) ----
struct nx_wm {
    nx_handle_t ep;            // the client's badged endpoint
    struct nx_ring events;
    int32_t screen_w, screen_h;
};

struct nx_wm_surface {
    uint32_t id;
    nx_handle_t vmo;
    struct nx_gfx_surface gfx; // the client's mapping: draw here, then present
    size_t mapped;
    uint32_t flags;
};

// Connects to the service `wm` (looked up by name; the caller's manifest must grant it).
// Events are signalled as `bits` on notif (the caller keeps notif and waits on it).
long nx_wm_connect(struct nx_wm *wm, nx_handle_t notif, uint64_t bits);
// The same through the service endpoint svc a program was given (the caller keeps svc).
long nx_wm_connect_at(struct nx_wm *wm, nx_handle_t svc, nx_handle_t notif, uint64_t bits);
// A surface of w x h with a fresh VMO mapped here; the window's content at (x, y).
long nx_wm_surface_create(struct nx_wm *wm, int32_t w, int32_t h, int32_t x, int32_t y,
                          uint32_t flags, const char *title, struct nx_wm_surface *s);
long nx_wm_present(struct nx_wm *wm, const struct nx_wm_surface *s,
                   const struct nx_gfx_rect *damage, size_t n);
long nx_wm_set_title(struct nx_wm *wm, const struct nx_wm_surface *s, const char *title);
// A new VMO of w x h replaces the old one (unmapped); the contents start cleared.
long nx_wm_surface_resize(struct nx_wm *wm, struct nx_wm_surface *s, int32_t w, int32_t h);
void nx_wm_surface_destroy(struct nx_wm *wm, struct nx_wm_surface *s);
// The next event: NX_OK, or NX_ERR_NOT_FOUND when none waits (then nx_ring_prepare_sleep
// on wm->events before sleeping on the notification), NX_ERR_BAD_STATE for a corrupt ring.
long nx_wm_poll_event(struct nx_wm *wm, struct nx_wm_event *ev);
void nx_wm_disconnect(struct nx_wm *wm);
// The shared glyph atlas (NX_WM_GLYPH_ATLAS): *vmo, a sealed VMO (READ, MAP) to map with
// nx_vmo_map_readonly and attach with nx_glyph_atlas_attach (nx/glyph_atlas.h).
long nx_wm_glyph_atlas(struct nx_wm *wm, nx_handle_t *vmo);
// Whether init says the compositor (service wm) or the display driver (gpu) ended for good
// (no display: the driver finds no device at once, the compositor later): then waiting for
// the compositor is pointless. Asked through the "proc" grant (false without one).
bool nx_wm_display_gone(void);
// The compositor's counters (NX_WM_STATS).
long nx_wm_stats(struct nx_wm *wm, struct nx_wm_stats *out);
// NX_WM_EV_IDLE after `seconds` without input (NX_WM_IDLE_WATCH; 0: no watch).
long nx_wm_idle_watch(struct nx_wm *wm, uint32_t seconds);

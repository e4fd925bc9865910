#pragma once
// The compositor's state and its parts (docs/compositor.md): main.c (start, the endpoint,
// signals), clients.c (connections, surfaces, requests), compose.c (damage, composition,
// window frames, the GPU), input.c (pointer and keyboard), atlas.c (the shared glyph atlas),
// idle.c (idle watches). One thread serves everything
// (input.c's connecting threads aside), so the state needs no lock.
#include <stdbool.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/damage.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/wm.h>
#include "region.h"
#include "request.h"
#include "scene.h"

// Bits of the compositor's notification (bound to its endpoint).
#define BIT_INPUT(i) (1ull << (i))          // input ring i has events (i < INPUTS)
#define BIT_COMPOSE (1ull << 2)             // damage waits to be composed
#define BIT_INPUT_READY (1ull << 3)         // a connecting thread has a result
#define BIT_REPEAT (1ull << 4)              // the key repeat timer fired
#define BIT_INPUT_GONE(i) (1ull << (5 + (i))) // input driver i's process ended (i < INPUTS)
#define BIT_GPU_GONE (1ull << 7)            // the GPU driver's process ended
#define BIT_CLIENT(slot) (1ull << (8 + (slot))) // the client's process ended
#define BITS_CLIENTS (((1ull << NX_WM_MAX_CLIENTS) - 1) << 8)
#define BIT_IDLE (1ull << (8 + NX_WM_MAX_CLIENTS)) // the idle timer fired
#define BIT_SETTINGS (1ull << 63)           // a setting changed (the keyboard layout?)
_Static_assert(8 + NX_WM_MAX_CLIENTS < 63, "the clients' and the idle timer's bits stay below BIT_SETTINGS");
#define INPUTS 2

struct window {
    bool used;
    unsigned client;
    uint32_t id;                // the client's name for it
    uint32_t flags;
    const uint32_t *pixels;     // the client's VMO, mapped read-only here
    size_t mapped;
    int32_t stride;             // in pixels
    nx_handle_t vmo;            // a fullscreen surface's VMO (attached again after a GPU restart)
    uint32_t gpu_res;           // a fullscreen surface's GPU resource (0: none)
    bool frame_wanted;          // presented since the last frame: FRAME_DONE owed
    char title[NX_WM_TITLE_MAX + 1];
    uint32_t *bar;              // the title bar's pixels (frame width x WM_TITLE_H)
};

struct client {
    bool used;
    uint32_t gen;
    bool broken;                // corrupted its ring: dropped at the next sweep
    struct nx_ring ring;        // the events (this side writes)
    nx_handle_t proc;
    bool may_lock;              // connected with NX_BADGE_LOCK: may use the lock layer
    uint64_t idle_ns;           // its idle watch (0: none): NX_WM_EV_IDLE after this long...
    uint64_t idle_from;         // ...without input since this time (the request's) or later
};

struct comp {
    nx_handle_t serve, notif, gpu;
    uint32_t epoch;
    int32_t sw, sh;
    uint32_t *fb;               // the scanout buffer, sw x sh
    uint32_t fb_res;
    struct window win[WM_MAX_WINDOWS];
    struct wm_geom geom[WM_MAX_WINDOWS];
    struct wm_stack stack;
    struct client clients[NX_WM_MAX_CLIENTS];
    struct nx_gfx_damage damage; // the screen's, composed at the next BIT_COMPOSE
    bool compose_asked;
    int direct;                 // the window scanned out straight from its VMO, or -1
    int focus;                  // the window with the keyboard, or -1
    int active;                 // the window not of the top layer that last had it, or -1
    int32_t inset;              // rows the top surfaces across the screen's top hold
    uint64_t last_input;        // when the last input event came (the driver's stamp)
    struct nx_wm_stats stats;
    struct {
        bool open, counted;     // a press seen; a flush followed it
        uint64_t ns, halted;    // the clock and the halted time, at the press or last flush
    } key_timing;
};

extern struct comp C;

// main.c
long gpu_call(uint32_t op, const void *req, size_t len, void *rep, size_t rep_len);
long gpu_call_handle(uint32_t op, const void *req, size_t len, nx_handle_t h, uint32_t rights,
                     void *rep, size_t rep_len);

// clients.c
extern const struct nx_rpc_op client_ops[];
extern const size_t client_nops;
// Drop the clients that broke their ring, and (deaths) those whose process ended.
void clients_reap(bool deaths);
void send_event(int win, struct nx_wm_event *ev);  // to the window's client (ring full: dropped)
void client_event(unsigned slot, struct nx_wm_event *ev);  // the same, to a client

// compose.c
long compose_start(void);            // the scanout buffer, the cursor, the first frame
// The scanout buffer, the fullscreen surfaces and the cursor (at x, y) attached to a newly
// acquired display (at start, or from a restarted GPU driver), everything redrawn.
long display_attach(int32_t cursor_x, int32_t cursor_y);
// Window w's fullscreen VMO as a GPU resource, scanned out while it is on top. Without one
// (the GPU refused it), the surface is composed like any other.
void fullscreen_attach(int w);
void compose(void);                  // BIT_COMPOSE: the damage to the screen, FRAME_DONEs
void ask_compose(void);              // BIT_COMPOSE, once until it is taken
void damage_screen(struct nx_gfx_rect r); // and ask_compose
void damage_visible(int win, struct nx_gfx_rect r); // r (screen) where win is not covered
void frame_changed(int win);         // title bar redrawn, the frame damaged
long bar_make(int win);              // the title bar's pixels for the window's width
void stack_changed(void);            // after a raise, add or removal: direct scanout or not
void key_pressed(uint64_t time_ns);  // a key press the input driver stamped: timing starts

// atlas.c
void atlas_start(void);              // the shared glyph atlas, built and sealed
long atlas_op(void *ctx, struct nx_rpc_req *req);  // NX_WM_GLYPH_ATLAS

// idle.c
void idle_start(void);               // the idle timer
void idle_input(uint64_t time_ns);   // an input event came at time_ns
void idle_fired(void);               // BIT_IDLE: NX_WM_EV_IDLE to the watches run out
void idle_arm(void);                 // the timer set for the earliest watch
void idle_watch(unsigned slot, uint64_t ns); // client slot's watch: ns (0: none) from now

// input.c
void input_start(const char *keymap);
void input_signals(uint64_t bits);
void focus_window(int win);
void window_gone(int win);           // focus, the active window and grabs forget it
void input_locked(void);             // a lock surface is up: drags and grabs end
void active_changed(void);           // NX_WM_EV_ACTIVE to every top surface
void input_pointer(int32_t *x, int32_t *y); // where the pointer is

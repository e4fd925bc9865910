// Clients of the compositor (comp.h): connections, their surfaces, their requests. Every
// request is checked (request.c) before anything changes; a client's error never touches
// another client.
#include <stdlib.h>
#include <string.h>
#include <nx/gpu.h>
#include <nx/log.h>
#include <nx/nx.h>
#include "comp.h"

#define PAGE 4096ul

// ---- clients ----

static struct client *caller(const struct nx_rpc_req *req, unsigned *slot)
{
    uint32_t gen;
    if (!wm_badge_slot(req->badge, C.epoch, slot, &gen))
        return NULL;
    struct client *c = &C.clients[*slot];
    return c->used && c->gen == gen ? c : NULL;
}

static void window_destroy(int w);
static void top_layer_changed(void);

static void client_drop(unsigned slot)
{
    struct client *c = &C.clients[slot];
    for (int w = 0; w < WM_MAX_WINDOWS; w++)
        if (C.win[w].used && C.win[w].client == slot)
            window_destroy(w);
    nx_ring_unmap(&c->ring);
    nx_handle_close(c->ring.notif);
    nx_handle_close(c->proc);
    uint32_t gen = c->gen + 1;  // its endpoint's badge is no client's any more
    *c = (struct client){ .gen = gen };
}

void clients_reap(bool deaths)
{
    for (unsigned i = 0; i < NX_WM_MAX_CLIENTS; i++) {
        struct client *c = &C.clients[i];
        long status;
        if (c->used && (c->broken ||
                        (deaths && nx_process_status(c->proc, &status) != NX_ERR_BAD_STATE)))
            client_drop(i);
    }
}

void send_event(int w, struct nx_wm_event *ev)
{
    ev->surface = C.win[w].id;
    client_event(C.win[w].client, ev);
}

void client_event(unsigned slot, struct nx_wm_event *ev)
{
    struct client *c = &C.clients[slot];
    if (!ev->time_ns)
        ev->time_ns = (uint64_t)nx_clock_get();
    long err = nx_ring_write(&c->ring, ev, sizeof *ev);
    if (err == NX_ERR_NO_SPACE)
        C.stats.events_dropped++;
    else if (err)
        c->broken = true;
}

static long free_slot(void)
{
    for (unsigned i = 0; i < NX_WM_MAX_CLIENTS; i++)
        if (!C.clients[i].used)
            return i;
    return NX_ERR_NO_SPACE;
}

// Request: struct nx_wm_connect, handles [notification (SIGNAL), process (READ)].
static long op_connect(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_wm_connect in;
    memcpy(&in, req->data, sizeof in);
    if (req->handles.count != 2 || !in.bits)
        return NX_ERR_INVALID;
    if (!(req->handles.rights[0] & NX_RIGHT_SIGNAL) || !(req->handles.rights[1] & NX_RIGHT_READ))
        return NX_ERR_ACCESS;
    long slot = free_slot();
    if (slot < 0)
        return slot;
    struct client *c = &C.clients[slot];
    nx_handle_t proc = req->handles.h[1], vmo;
    long err = nx_process_watch(proc, C.notif, BIT_CLIENT(slot));
    long ep = err ? err : nx_endpoint_mint(C.serve, wm_badge(C.epoch, c->gen, (unsigned)slot),
                                           NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
    if (ep < 0)
        return ep;
    err = nx_ring_create(NX_WM_EVENT_RING_BYTES, req->handles.h[0], in.bits, &c->ring, &vmo);
    if (err) {
        nx_handle_close(ep);
        c->ring = (struct nx_ring){ 0 };
        return err;
    }
    c->used = true;
    c->proc = proc;
    c->may_lock = wm_badge_may_lock(req->badge);
    req->handles.h[0] = req->handles.h[1] = NX_HANDLE_INVALID;  // kept
    struct nx_wm_connect_reply rep = { C.sw, C.sh };
    memcpy(req->reply, &rep, sizeof rep);
    req->reply_len = sizeof rep;
    req->reply_handles = (struct nx_rpc_handles){
        2, { vmo, (nx_handle_t)ep },
        { NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP, NX_RIGHTS_SAME } };
    return NX_OK;
}

// ---- surfaces ----

static int window_of(unsigned slot, uint32_t id)
{
    for (int w = 0; w < WM_MAX_WINDOWS; w++)
        if (C.win[w].used && C.win[w].client == slot && C.win[w].id == id)
            return w;
    return -1;
}

static long free_window(unsigned slot, uint32_t *id)
{
    long w = -1;
    for (int i = 0; i < WM_MAX_WINDOWS; i++)
        if (!C.win[i].used && w < 0)
            w = i;
    // The client's ids: 1 .. NX_WM_MAX_SURFACES, the lowest free.
    for (*id = 1; *id <= NX_WM_MAX_SURFACES && window_of(slot, *id) >= 0; (*id)++)
        ;
    return w < 0 || *id > NX_WM_MAX_SURFACES ? NX_ERR_NO_SPACE : w;
}

// Map the VMO of a checked surface read-only: *pixels and *mapped, or the error.
static long map_surface(nx_handle_t vmo, int32_t stride, int32_t h, const uint32_t **pixels,
                        size_t *mapped)
{
    size_t size = ((size_t)stride * (size_t)h + PAGE - 1) & ~(PAGE - 1);
    long va = nx_vm_map(nx_self, vmo, 0, 0, (long)size, NX_PROT_READ);
    if (va < 0)
        return va;
    *pixels = (const uint32_t *)va;
    *mapped = size;
    return NX_OK;
}

static void unmap_surface(struct window *s)
{
    if (s->mapped)
        nx_vm_unmap(nx_self, (uint64_t)(uintptr_t)s->pixels, s->mapped);
    s->mapped = 0;
}

// The checks every surface VMO passes (create, resize).
static long check_vmo(const struct nx_rpc_req *req, int32_t w, int32_t h, int32_t stride,
                      uint32_t flags)
{
    if (req->handles.count != 1)
        return NX_ERR_INVALID;
    long size = nx_vmo_size(req->handles.h[0]);
    if (size < 0)
        return size;
    return wm_check_surface(w, h, stride, flags, C.sw, C.sh, req->handles.rights[0],
                            (uint64_t)size);
}

// A fullscreen surface stacks in the top layer, above the bars (a fullscreen app covers the
// desktop's); the login screen's lock in the lock layer above everything.
static enum wm_layer layer_of(uint32_t flags)
{
    if (flags & NX_WM_SURFACE_LOCK)
        return WM_LAYER_LOCK;
    return flags & (NX_WM_SURFACE_TOP | NX_WM_SURFACE_FULLSCREEN) ? WM_LAYER_TOP
                                                                  : WM_LAYER_WINDOW;
}

static long op_surface_create(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    unsigned slot;
    struct client *c = caller(req, &slot);
    if (!c)
        return NX_ERR_PEER_CLOSED;
    struct nx_wm_surface_create in;
    memcpy(&in, req->data, sizeof in);
    long err = check_vmo(req, in.w, in.h, in.stride, in.flags);
    if (!err && (in.flags & NX_WM_SURFACE_LOCK) && !c->may_lock)
        err = NX_ERR_ACCESS;   // the lock layer is the login screen's alone
    uint32_t id = 0;
    long w = err ? err : free_window(slot, &id);
    if (w < 0)
        return w;
    struct window *s = &C.win[w];
    *s = (struct window){ .client = slot, .id = id, .flags = in.flags, .stride = in.stride / 4 };
    wm_copy_title(s->title, in.title);
    C.geom[w] = wm_geom_new(in.flags, in.w, in.h);
    wm_place(&C.geom[w], in.x, in.y, C.sw, C.sh, C.inset);
    err = map_surface(req->handles.h[0], in.stride, in.h, &s->pixels, &s->mapped);
    if (!err)
        err = bar_make((int)w);
    if (err) {
        unmap_surface(s);
        return err;
    }
    if (in.flags & NX_WM_SURFACE_FULLSCREEN) {
        s->vmo = req->handles.h[0];
        req->handles.h[0] = NX_HANDLE_INVALID;  // kept: a restarted GPU driver attaches it again
        fullscreen_attach((int)w);
    }
    s->used = true;
    wm_stack_push(&C.stack, (int)w, layer_of(in.flags));
    top_layer_changed();
    if (in.flags & NX_WM_SURFACE_LOCK)
        input_locked();
    focus_window((int)w);
    damage_screen(wm_frame(&C.geom[w]));
    stack_changed();
    if (C.geom[w].top) {
        struct nx_wm_event ev = { .type = NX_WM_EV_ACTIVE };
        send_event((int)w, &ev);  // what the active window is now
    }
    struct nx_wm_surface_reply rep = { id };
    memcpy(req->reply, &rep, sizeof rep);
    req->reply_len = sizeof rep;
    return NX_OK;
}

static void window_destroy(int w)
{
    struct window *s = &C.win[w];
    damage_screen(wm_frame(&C.geom[w]));
    wm_stack_remove(&C.stack, w);
    s->used = false;
    top_layer_changed();
    window_gone(w);
    stack_changed();
    if (s->gpu_res) {
        struct nx_gpu_resource r = { s->gpu_res };
        gpu_call(NX_GPU_DETACH, &r, sizeof r, NULL, 0);
    }
    unmap_surface(s);
    if (s->vmo)
        nx_handle_close(s->vmo);
    free(s->bar);
    *s = (struct window){ 0 };
}

// Framed windows keep their title bars below the top surfaces across the screen's top
// (wm_top_inset): placed below them from now on (those up stay where they are).
static void top_layer_changed(void)
{
    bool used[WM_MAX_WINDOWS];
    for (int i = 0; i < WM_MAX_WINDOWS; i++)
        used[i] = C.win[i].used;
    C.inset = wm_top_inset(C.geom, used, WM_MAX_WINDOWS, C.sw);
}

// The caller's window named by the request's first word (every surface request starts with
// the id), or the error.
static long request_window(const struct nx_rpc_req *req)
{
    unsigned slot;
    if (!caller(req, &slot))
        return NX_ERR_PEER_CLOSED;
    uint32_t id;
    memcpy(&id, req->data, sizeof id);
    int w = window_of(slot, id);
    return w < 0 ? NX_ERR_NOT_FOUND : w;
}

static long op_surface_destroy(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    long w = request_window(req);
    if (w >= 0)
        window_destroy((int)w);
    return w < 0 ? w : NX_OK;
}

static long op_present(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    long w = request_window(req);
    if (w < 0)
        return w;
    struct nx_wm_present in = { 0 };
    memcpy(&in, req->data, req->len);
    struct nx_gfx_rect rects[NX_WM_MAX_DAMAGE];
    size_t n;
    long err = wm_clip_damage(&in, req->len, C.geom[w].w, C.geom[w].h, rects, &n);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++) {
        rects[i].x += C.geom[w].x;
        rects[i].y += C.geom[w].y;
        damage_visible((int)w, rects[i]);
    }
    C.win[w].frame_wanted = true;
    C.stats.presents++;
    ask_compose();
    return NX_OK;
}

static long op_set_title(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    long w = request_window(req);
    if (w < 0)
        return w;
    struct nx_wm_surface_title in;
    memcpy(&in, req->data, sizeof in);
    wm_copy_title(C.win[w].title, in.title);
    if (w == C.active)
        active_changed();
    frame_changed((int)w);
    ask_compose();
    return NX_OK;
}

static long op_surface_resize(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    long w = request_window(req);
    if (w < 0)
        return w;
    struct window *s = &C.win[w];
    struct nx_wm_surface_resize in;
    memcpy(&in, req->data, sizeof in);
    if (s->flags & NX_WM_SURFACE_FULLSCREEN)
        return NX_ERR_BAD_STATE;  // always the screen's size
    long err = check_vmo(req, in.w, in.h, in.stride, s->flags);
    const uint32_t *pixels;
    size_t mapped;
    if (!err)
        err = map_surface(req->handles.h[0], in.stride, in.h, &pixels, &mapped);
    if (err)
        return err;
    struct wm_geom old = C.geom[w];
    C.geom[w].w = in.w;
    C.geom[w].h = in.h;
    if ((err = bar_make((int)w))) {
        C.geom[w] = old;
        nx_vm_unmap(nx_self, (uint64_t)(uintptr_t)pixels, mapped);
        return err;
    }
    unmap_surface(s);
    s->pixels = pixels;
    s->mapped = mapped;
    s->stride = in.stride / 4;
    damage_screen(wm_frame(&old));
    damage_screen(wm_frame(&C.geom[w]));
    ask_compose();
    return NX_OK;
}

static long op_stats(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    unsigned slot;
    if (!caller(req, &slot))
        return NX_ERR_PEER_CLOSED;
    strcpy(C.stats.active_title, C.active >= 0 ? C.win[C.active].title : "");
    memcpy(req->reply, &C.stats, sizeof C.stats);
    req->reply_len = sizeof C.stats;
    return NX_OK;
}

static long op_idle_watch(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    unsigned slot;
    if (!caller(req, &slot))
        return NX_ERR_PEER_CLOSED;
    struct nx_wm_idle_watch in;
    memcpy(&in, req->data, sizeof in);
    uint64_t ns;
    long err = wm_check_idle(&in, &ns);
    if (!err)
        idle_watch(slot, ns);
    return err;
}

#define FIXED(op, type, fn) { op, sizeof(type), sizeof(type), fn }
const struct nx_rpc_op client_ops[] = {
    FIXED(NX_WM_CONNECT, struct nx_wm_connect, op_connect),
    FIXED(NX_WM_SURFACE_CREATE, struct nx_wm_surface_create, op_surface_create),
    { NX_WM_PRESENT, offsetof(struct nx_wm_present, damage) + sizeof(struct nx_gfx_rect),
      sizeof(struct nx_wm_present), op_present },
    FIXED(NX_WM_SURFACE_DESTROY, struct nx_wm_surface_ref, op_surface_destroy),
    FIXED(NX_WM_SET_TITLE, struct nx_wm_surface_title, op_set_title),
    FIXED(NX_WM_SURFACE_RESIZE, struct nx_wm_surface_resize, op_surface_resize),
    { NX_WM_GLYPH_ATLAS, 0, 0, atlas_op },
    { NX_WM_STATS, 0, 0, op_stats },
    FIXED(NX_WM_IDLE_WATCH, struct nx_wm_idle_watch, op_idle_watch),
};
const size_t client_nops = sizeof client_ops / sizeof client_ops[0];

// Client side of the compositor (nx/wm.h; docs/compositor.md).
#include <string.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/wm.h>
#include "internal.h"

// The compositor answers at once (it never waits on a client); more means it is gone and
// init has not restarted it yet.
#define CALL_TIMEOUT_NS 2000000000ull
#define PROC_CALL_NS 1000000000ull

static uint64_t deadline(void)
{
    return (uint64_t)nx_clock_get() + CALL_TIMEOUT_NS;
}

// The rights a surface's VMO goes to the compositor with: it maps it read-only; a fullscreen
// one it also hands on to the GPU driver for scanout.
static uint32_t surface_rights(uint32_t flags)
{
    uint32_t r = NX_RIGHT_READ | NX_RIGHT_MAP;
    if (flags & NX_WM_SURFACE_FULLSCREEN)
        r |= NX_RIGHT_DMA | NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE;
    return r | NX_XFER_COPY;
}

static void copy_title(char out[NX_WM_TITLE_MAX + 1], const char *title)
{
    memset(out, 0, NX_WM_TITLE_MAX + 1);
    if (title)
        strncpy(out, title, NX_WM_TITLE_MAX);
}

static long finish_connect(struct nx_wm *wm, struct nx_rpc_call *c, nx_handle_t notif,
                           uint64_t bits)
{
    struct nx_wm_connect_reply *rep = c->rep;
    if (c->recv.count != 2 || c->rep_len != sizeof *rep)
        return NX_ERR_INVALID;
    long err = nx_ring_map(c->recv.h[0], NX_RING_READER, notif, bits, &wm->events);
    if (err)
        return err;
    wm->ep = c->recv.h[1];
    c->recv.h[1] = NX_HANDLE_INVALID;
    wm->screen_w = rep->screen_w;
    wm->screen_h = rep->screen_h;
    return NX_OK;
}

long nx_wm_connect(struct nx_wm *wm, nx_handle_t notif, uint64_t bits)
{
    nx_handle_t svc;
    long err = nx_svc_lookup(NX_WM_SERVICE, &svc);
    if (err)
        return err;
    err = nx_wm_connect_at(wm, svc, notif, bits);
    nx_handle_close(svc);
    return err;
}

long nx_wm_connect_at(struct nx_wm *wm, nx_handle_t svc, nx_handle_t notif, uint64_t bits)
{
    if (!bits)
        return NX_ERR_INVALID;
    struct nx_wm_connect req = { bits };
    struct nx_wm_connect_reply rep;
    struct nx_rpc_call c = {
        .op = NX_WM_CONNECT,
        .req = &req,
        .req_len = sizeof req,
        .send = { 2, { notif, nx_self },
                  { NX_RIGHT_SIGNAL | NX_XFER_COPY, NX_RIGHT_READ | NX_XFER_COPY } },
        .rep = &rep,
        .rep_cap = sizeof rep,
        .deadline = deadline(),
    };
    *wm = (struct nx_wm){ .ep = NX_HANDLE_INVALID };
    long err = nx_rpc(svc, &c);
    if (err >= 0)
        err = finish_connect(wm, &c, notif, bits);
    if (err < 0)
        nx_rpc_close_handles(&c.recv);
    else if (c.recv.count)
        nx_handle_close(c.recv.h[0]);  // mapped: the mapping keeps the ring
    return err < 0 ? err : NX_OK;
}

// A fresh VMO for a w x h surface, mapped read-write into s.
static long make_buffer(struct nx_wm_surface *s, int32_t w, int32_t h)
{
    if (w <= 0 || h <= 0 || w > NX_GFX_MAX_DIM || h > NX_GFX_MAX_DIM)
        return NX_ERR_INVALID;
    size_t size = NX_PAGE_UP((size_t)w * 4 * (size_t)h);
    long va = nx_map_new_vmo(size, &s->vmo);
    if (va < 0)
        return va;
    s->mapped = size;
    // Filled here rather than by nx_gfx_surface_init: libnx links into every program,
    // libnxgfx.a only into those that draw.
    s->gfx = (struct nx_gfx_surface){ (uint32_t *)va, w, h, w };
    return NX_OK;
}

static void drop_buffer(struct nx_wm_surface *s)
{
    if (s->mapped)
        nx_vm_unmap(nx_self, (uint64_t)(uintptr_t)s->gfx.pixels, s->mapped);
    if (s->vmo != NX_HANDLE_INVALID)
        nx_handle_close(s->vmo);
    s->mapped = 0;
    s->vmo = NX_HANDLE_INVALID;
}

// A request carrying the surface's VMO (create, resize); reply bytes into rep.
static long call_with_vmo(struct nx_wm *wm, uint32_t op, const void *req, size_t len,
                          const struct nx_wm_surface *s, void *rep, size_t rep_len)
{
    struct nx_rpc_call c = {
        .op = op,
        .req = req,
        .req_len = len,
        .send = { 1, { s->vmo }, { surface_rights(s->flags) } },
        .rep = rep,
        .rep_cap = rep_len,
        .deadline = deadline(),
    };
    long err = nx_rpc(wm->ep, &c);
    nx_rpc_close_handles(&c.recv);
    if (err >= 0 && c.rep_len != rep_len)
        return NX_ERR_INVALID;
    return err;
}

long nx_wm_surface_create(struct nx_wm *wm, int32_t w, int32_t h, int32_t x, int32_t y,
                          uint32_t flags, const char *title, struct nx_wm_surface *s)
{
    *s = (struct nx_wm_surface){ .vmo = NX_HANDLE_INVALID, .flags = flags };
    long err = make_buffer(s, w, h);
    if (err) {
        drop_buffer(s);
        return err;
    }
    struct nx_wm_surface_create req = { w, h, w * 4, x, y, flags, { 0 } };
    copy_title(req.title, title);
    struct nx_wm_surface_reply rep;
    err = call_with_vmo(wm, NX_WM_SURFACE_CREATE, &req, sizeof req, s, &rep, sizeof rep);
    if (err < 0) {
        drop_buffer(s);
        return err;
    }
    s->id = rep.id;
    return NX_OK;
}

long nx_wm_present(struct nx_wm *wm, const struct nx_wm_surface *s,
                   const struct nx_gfx_rect *damage, size_t n)
{
    if (n == 0 || n > NX_WM_MAX_DAMAGE)
        return NX_ERR_INVALID;
    struct nx_wm_present req = { s->id, (uint32_t)n, { { 0 } } };
    memcpy(req.damage, damage, n * sizeof *damage);
    size_t len = offsetof(struct nx_wm_present, damage) + n * sizeof *damage;
    return nx_rpc_call(wm->ep, NX_WM_PRESENT, &req, len, NULL, 0, deadline());
}

long nx_wm_set_title(struct nx_wm *wm, const struct nx_wm_surface *s, const char *title)
{
    struct nx_wm_surface_title req = { s->id, { 0 } };
    copy_title(req.title, title);
    return nx_rpc_call(wm->ep, NX_WM_SET_TITLE, &req, sizeof req, NULL, 0, deadline());
}

long nx_wm_surface_resize(struct nx_wm *wm, struct nx_wm_surface *s, int32_t w, int32_t h)
{
    struct nx_wm_surface fresh = { .id = s->id, .vmo = NX_HANDLE_INVALID, .flags = s->flags };
    long err = make_buffer(&fresh, w, h);
    struct nx_wm_surface_resize req = { s->id, w, h, w * 4 };
    if (!err)
        err = call_with_vmo(wm, NX_WM_SURFACE_RESIZE, &req, sizeof req, &fresh, NULL, 0);
    if (err < 0) {
        drop_buffer(&fresh);
        return err;
    }
    drop_buffer(s);
    *s = fresh;
    return NX_OK;
}

void nx_wm_surface_destroy(struct nx_wm *wm, struct nx_wm_surface *s)
{
    struct nx_wm_surface_ref req = { s->id };
    nx_rpc_call(wm->ep, NX_WM_SURFACE_DESTROY, &req, sizeof req, NULL, 0, deadline());
    drop_buffer(s);
    s->id = 0;
}

long nx_wm_poll_event(struct nx_wm *wm, struct nx_wm_event *ev)
{
    size_t len;
    long err = nx_ring_pop(&wm->events, ev, sizeof *ev, &len);
    if (err == NX_ERR_TOO_BIG || (err == NX_OK && len != sizeof *ev))
        return NX_ERR_BAD_STATE;  // the compositor writes nothing but events
    return err;
}

void nx_wm_disconnect(struct nx_wm *wm)
{
    nx_ring_unmap(&wm->events);
    if (wm->ep != NX_HANDLE_INVALID)
        nx_handle_close(wm->ep);
    wm->ep = NX_HANDLE_INVALID;
}

long nx_wm_stats(struct nx_wm *wm, struct nx_wm_stats *out)
{
    return nx_rpc_call(wm->ep, NX_WM_STATS, NULL, 0, out, sizeof *out, deadline());
}

long nx_wm_idle_watch(struct nx_wm *wm, uint32_t seconds)
{
    struct nx_wm_idle_watch req = { seconds };
    return nx_rpc_call(wm->ep, NX_WM_IDLE_WATCH, &req, sizeof req, NULL, 0, deadline());
}

long nx_wm_glyph_atlas(struct nx_wm *wm, nx_handle_t *vmo)
{
    struct nx_rpc_call c = { .op = NX_WM_GLYPH_ATLAS, .deadline = deadline() };
    long err = nx_rpc(wm->ep, &c);
    if (err >= 0 && c.recv.count != 1)
        err = NX_ERR_INVALID;
    if (err < 0) {
        nx_rpc_close_handles(&c.recv);
        return err;
    }
    *vmo = c.recv.h[0];
    return NX_OK;
}

bool nx_wm_display_gone(void)
{
    nx_handle_t proc = nx_startup_handle("proc");
    struct nx_proc_entry batch[NX_MSG_BYTES_MAX / sizeof(struct nx_proc_entry)];
    for (uint32_t index = 0; proc;) {
        struct nx_proc_list_req req = { index };
        struct nx_rpc_call c = {
            .op = NX_PROC_LIST, .req = &req, .req_len = sizeof req, .rep = batch,
            .rep_cap = sizeof batch, .deadline = (uint64_t)nx_clock_get() + PROC_CALL_NS,
        };
        long n = nx_rpc(proc, &c);
        if (n <= 0)
            return false;
        for (size_t i = 0; i < (size_t)n && i < c.rep_len / sizeof batch[0]; i++)
            if ((!strncmp(batch[i].name, NX_WM_SERVICE, sizeof batch[i].name) ||
                 !strncmp(batch[i].name, "gpu", sizeof batch[i].name)) &&
                batch[i].state == NX_PROC_ENTRY_EXITED)
                return true;
        index += (uint32_t)n;
    }
    return false;
}

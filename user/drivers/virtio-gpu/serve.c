// The display protocol (nx/gpu.h) on the driver's endpoint: one owner, its resources on
// VMOs of its own (pages pinned, no copy), scanout, damage flushes and the hardware cursor.
// Every request is checked (the pure parts in proto.c) before the device sees it; a command
// the device refuses is NX_ERR_IO for that request and logged, the driver runs on.
#include <string.h>
#include <stdlib.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/virtio.h>
#include "serve.h"

#define OWN_FRAMEBUFFER 1  // display_start's resource
#define NO_OWNER UINT64_MAX

static struct display *disp;
static struct gpu_res_table table;
static uint64_t owner = NO_OWNER;
static uint32_t scanned = OWN_FRAMEBUFFER;

static long device_error(const char *why)
{
    nx_log(NX_LOG_WARN, "%s", why);
    return NX_ERR_IO;
}

static void release(struct gpu_res *r)
{
    uint32_t id = gpu_res_id(&table, r);
    if (scanned == id) {  // never leave the device scanning pages about to be freed
        const char *why = display_scanout(disp, OWN_FRAMEBUFFER);
        if (why)
            device_error(why);
        scanned = OWN_FRAMEBUFFER;
    }
    const char *why = display_release(id);
    if (why)
        device_error(why);
    size_t done;
    virtio_dma_pages(r->vmo, 0, r->pages, NX_DMA_RELEASE, NULL, &done);
    nx_handle_close(r->vmo);
    *r = (struct gpu_res){ 0 };
}

static long op_info(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_gpu_info info = { disp->width, disp->height };
    memcpy(req->reply, &info, sizeof info);
    req->reply_len = sizeof info;
    return NX_OK;
}

static long op_acquire(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    // The owner watches this process (nx_process_watch) to learn that the driver died, and
    // acquires the restarted instance's display (docs/graphics.md, "Restarts").
    long self = nx_handle_duplicate(nx_self, NX_RIGHT_READ | NX_RIGHT_TRANSFER);
    if (self < 0)
        return self;
    for (size_t i = 0; i < NX_GPU_MAX_RESOURCES; i++)
        if (table.r[i].used)
            release(&table.r[i]);
    owner = req->badge;
    req->reply_handles = (struct nx_rpc_handles){ 1, { (nx_handle_t)self }, { NX_RIGHT_READ } };
    return NX_OK;
}

// The pages of vmo pinned, their addresses given to the device as resource id's backing.
static long attach(uint32_t id, const struct nx_gpu_attach *a, nx_handle_t vmo, size_t pages)
{
    uint64_t *pa = malloc(pages * sizeof *pa);
    if (!pa)
        return NX_ERR_NO_MEMORY;
    size_t done;
    long err = virtio_dma_pages(vmo, 0, pages, 0, pa, &done);
    if (!err) {
        uint32_t format = a->flags & NX_GPU_ATTACH_ALPHA ? VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM
                                                         : VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM;
        const char *why = display_resource(id, a->width, a->height, format, pa, pages);
        err = why ? device_error(why) : NX_OK;
    }
    free(pa);
    return err;
}

static long op_attach(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_gpu_attach a;
    memcpy(&a, req->data, sizeof a);
    if (req->handles.count != 1)
        return NX_ERR_INVALID;
    nx_handle_t vmo = req->handles.h[0];
    long size = nx_vmo_size(vmo);
    if (size < 0)
        return size;
    long err = gpu_check_attach(&a, req->handles.rights[0], (uint64_t)size);
    long slot = err ? err : gpu_res_free(&table);
    if (slot < 0)
        return slot;
    struct gpu_res *r = &table.r[slot];
    size_t pages = ((size_t)a.width * a.height * 4 + VIRTIO_PAGE - 1) / VIRTIO_PAGE;
    err = attach(gpu_res_id(&table, r), &a, vmo, pages);
    if (err)
        return err;
    *r = (struct gpu_res){ true, a.width, a.height, vmo, pages };
    req->handles.h[0] = NX_HANDLE_INVALID;  // the resource's now
    struct nx_gpu_resource rep = { gpu_res_id(&table, r) };
    memcpy(req->reply, &rep, sizeof rep);
    req->reply_len = sizeof rep;
    return NX_OK;
}

static uint32_t request_id(const struct nx_rpc_req *req)
{
    struct nx_gpu_resource r;
    memcpy(&r, req->data, sizeof r);
    return r.id;
}

static long op_detach(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct gpu_res *r = gpu_res_find(&table, request_id(req));
    if (!r)
        return NX_ERR_NOT_FOUND;
    release(r);
    return NX_OK;
}

static long op_scanout(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    uint32_t id = request_id(req);
    if (id == 0)
        id = OWN_FRAMEBUFFER;
    else {
        struct gpu_res *r = gpu_res_find(&table, id);
        if (!r)
            return NX_ERR_NOT_FOUND;
        if (r->width != disp->width || r->height != disp->height)
            return NX_ERR_INVALID;
    }
    const char *why = display_scanout(disp, id);
    if (why)
        return device_error(why);
    scanned = id;
    return NX_OK;
}

static long op_flush(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_gpu_flush f = { 0 };
    memcpy(&f, req->data, req->len);
    struct gpu_res *r = gpu_res_find(&table, f.id);
    if (!r)
        return NX_ERR_NOT_FOUND;
    struct gpu_rect rects[NX_GPU_MAX_RECTS];
    size_t n;
    long err = gpu_flush_rects(&f, req->len, r->width, r->height, rects, &n);
    for (size_t i = 0; !err && i < n; i++) {
        const char *why = display_show(disp, f.id, r->width, rects[i]);
        if (why)
            err = device_error(why);
    }
    return err;
}

static long op_cursor(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_gpu_cursor c;
    memcpy(&c, req->data, sizeof c);
    if (c.id) {
        struct gpu_res *r = gpu_res_find(&table, c.id);
        if (!r)
            return NX_ERR_NOT_FOUND;
        if (r->width != NX_GPU_CURSOR_SIZE || r->height != NX_GPU_CURSOR_SIZE ||
            c.hot_x >= NX_GPU_CURSOR_SIZE || c.hot_y >= NX_GPU_CURSOR_SIZE)
            return NX_ERR_INVALID;
    }
    const char *why = display_cursor(c.id, c.hot_x, c.hot_y, c.x, c.y);
    return why ? device_error(why) : NX_OK;
}

static long op_move(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_gpu_move m;
    memcpy(&m, req->data, sizeof m);
    const char *why = display_move_cursor(m.x, m.y);
    return why ? device_error(why) : NX_OK;
}

// Every operation but INFO and ACQUIRE is the owner's alone.
static long owned(void *ctx, struct nx_rpc_req *req)
{
    static const nx_rpc_handler_fn fns[] = {
        [NX_GPU_ATTACH - NX_GPU_INFO] = op_attach,   [NX_GPU_DETACH - NX_GPU_INFO] = op_detach,
        [NX_GPU_SCANOUT - NX_GPU_INFO] = op_scanout, [NX_GPU_FLUSH - NX_GPU_INFO] = op_flush,
        [NX_GPU_CURSOR - NX_GPU_INFO] = op_cursor,   [NX_GPU_MOVE_CURSOR - NX_GPU_INFO] = op_move,
    };
    if (req->badge != owner)
        return NX_ERR_ACCESS;
    return fns[req->op - NX_GPU_INFO](ctx, req);
}

#define FIXED(op, type, fn) { op, sizeof(type), sizeof(type), fn }
static const struct nx_rpc_op ops[] = {
    { NX_GPU_INFO, 0, 0, op_info },
    { NX_GPU_ACQUIRE, 0, 0, op_acquire },
    FIXED(NX_GPU_ATTACH, struct nx_gpu_attach, owned),
    FIXED(NX_GPU_DETACH, struct nx_gpu_resource, owned),
    FIXED(NX_GPU_SCANOUT, struct nx_gpu_resource, owned),
    { NX_GPU_FLUSH, offsetof(struct nx_gpu_flush, rects), sizeof(struct nx_gpu_flush), owned },
    FIXED(NX_GPU_CURSOR, struct nx_gpu_cursor, owned),
    FIXED(NX_GPU_MOVE_CURSOR, struct nx_gpu_move, owned),
};

void gpu_serve(nx_handle_t ep, struct display *d)
{
    disp = d;
    const struct nx_rpc_server server = { ops, sizeof ops / sizeof ops[0], NULL, NULL };
    nx_rpc_serve(ep, &server);
}

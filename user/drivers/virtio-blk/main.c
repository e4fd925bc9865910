// The virtio-blk driver: drives the block device in the virtio-mmio slot init granted it
// (virtio:blk; device.c) and serves the block protocol (nx/blk.h) on "serve", from
// DEV_WAITERS threads so that as many requests are in flight at once. Data moves by DMA
// between the disk and the pages of VMOs the clients attached; the driver copies no byte.
#include <stdatomic.h>
#include <string.h>
#include <nx/blk.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>
#include <nx/thread.h>
#include <nx/virtio.h>
#include "blk_proto.h"
#include "device.h"
#include "request.h"

// The names the parent grants the driver's handles under (docs/storage.md, "Block driver").
#define GRANT_VIRTIO "virtio:blk"  // the disk's slot, its IRQ object and notification
#define GRANT_SERVE "serve"         // the endpoint to serve (WAIT)

// ---- attached VMOs ----

#define MAX_ATTACHED 64

// An attached VMO. refs: 1 while attached, plus 1 per request using it; the handle is closed
// (and the VMO may die) only when the last goes, so pages never go while the device may use
// them.
struct attachment {
    uint64_t badge;
    nx_handle_t vmo;
    uint64_t size;
    bool writable;  // has WRITE: the disk may be read into it
    bool attached;
    uint32_t refs;
};

static struct attachment table[MAX_ATTACHED];
static atomic_flag table_lock = ATOMIC_FLAG_INIT;

static void lock_table(void)
{
    while (atomic_flag_test_and_set_explicit(&table_lock, memory_order_acquire))
        nx_yield();
}

static void unlock_table(void)
{
    atomic_flag_clear_explicit(&table_lock, memory_order_release);
}

// Take a reference on the badge's attachment id; NULL if it has none such.
static struct attachment *get(uint64_t badge, uint32_t id)
{
    lock_table();
    struct attachment *a = id < MAX_ATTACHED ? &table[id] : NULL;
    if (a && a->attached && a->badge == badge)
        a->refs++;
    else
        a = NULL;
    unlock_table();
    return a;
}

static void put(struct attachment *a)
{
    lock_table();
    nx_handle_t close = --a->refs ? NX_HANDLE_INVALID : a->vmo;
    unlock_table();
    if (close != NX_HANDLE_INVALID)
        nx_handle_close(close);
}

static long op_attach(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    if (req->handles.count != 1)
        return NX_ERR_INVALID;
    nx_handle_t vmo = req->handles.h[0];
    long info = nx_handle_info(vmo);
    uint32_t rights = nx_handle_info_rights(info);
    if (nx_handle_info_type(info) != NX_OBJ_VMO)
        return NX_ERR_WRONG_TYPE;
    if ((rights & (NX_RIGHT_DMA | NX_RIGHT_READ)) != (NX_RIGHT_DMA | NX_RIGHT_READ))
        return NX_ERR_ACCESS;
    long size = nx_vmo_size(vmo);
    if (size < 0)
        return size;
    lock_table();
    long id = 0;
    while (id < MAX_ATTACHED && (table[id].attached || table[id].refs))
        id++;
    if (id < MAX_ATTACHED) {
        table[id] = (struct attachment){ req->badge, vmo, size, rights & NX_RIGHT_WRITE, true, 1 };
        req->handles.h[0] = NX_HANDLE_INVALID;  // kept
    }
    unlock_table();
    return id < MAX_ATTACHED ? id : NX_ERR_NO_SPACE;
}

// End an attachment taken with get(): its own reference goes now, get's with put.
static void detach(struct attachment *a)
{
    lock_table();
    a->attached = false;
    a->refs--;
    unlock_table();
    put(a);
}

static long op_detach(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_blk_detach_req r;
    memcpy(&r, req->data, sizeof r);
    struct attachment *a = get(req->badge, r.vmo);
    if (!a)
        return NX_ERR_NOT_FOUND;
    detach(a);
    return NX_OK;
}

// init only (badge 0): a process ended; nobody else can name its VMOs any more.
static long op_disconnect(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_badge_req r;
    memcpy(&r, req->data, sizeof r);
    if (req->badge != 0)
        return NX_ERR_ACCESS;
    long n = 0;
    for (uint32_t id = 0; id < MAX_ATTACHED; id++) {
        struct attachment *a = get(r.badge, id);
        if (a) {
            detach(a);
            n++;
        }
    }
    return n;
}

// ---- requests ----

static __thread unsigned waiter;  // this server thread's index for device.c

// Pin the pages for the device, run the request, release them (a paged VMO's pager may take
// them back only then).
static long request_pinned(const struct attachment *a, uint32_t type, const struct nx_blk_io *io)
{
    uint64_t pages[BLK_MAX_PAGES], first;
    size_t n, pinned, released;
    blk_io_pages(io, &first, &n);
    uint64_t flags = type == VIRTIO_BLK_T_IN ? NX_DMA_DEVICE_WRITES : 0;
    long err = virtio_dma_pages(a->vmo, first, n, flags, pages, &pinned);
    if (!err) {
        struct blk_seg segs[BLK_MAX_PAGES];
        size_t nsegs = blk_segments(io->offset, io->count * BLK_SECTOR, pages, segs);
        err = dev_request(waiter, type, io->block, segs, nsegs);
    }
    virtio_dma_pages(a->vmo, first, pinned, NX_DMA_RELEASE, pages, &released);
    return err;
}

// READ (into the VMO: the device writes its pages) and WRITE (out of it).
static long transfer(const struct nx_rpc_req *req, uint32_t type)
{
    struct nx_blk_io io;
    memcpy(&io, req->data, sizeof io);
    struct attachment *a = get(req->badge, io.vmo);
    if (!a)
        return NX_ERR_NOT_FOUND;
    bool into_vmo = type == VIRTIO_BLK_T_IN;
    long err = blk_check_io(&io, dev_max_blocks(), dev_capacity(), a->size);
    if (!err && into_vmo && !a->writable)
        err = NX_ERR_ACCESS;
    if (!err)
        err = request_pinned(a, type, &io);
    put(a);
    return err;
}

static long op_read(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    return transfer(req, VIRTIO_BLK_T_IN);
}

static long op_write(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    return transfer(req, VIRTIO_BLK_T_OUT);
}

static long op_flush(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    (void)req;
    return dev_request(waiter, VIRTIO_BLK_T_FLUSH, 0, NULL, 0);
}

static long op_info(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_blk_info info = {
        .blocks = dev_capacity(), .block_size = BLK_SECTOR, .max_blocks = dev_max_blocks(),
    };
    memcpy(req->reply, &info, sizeof info);
    req->reply_len = sizeof info;
    return NX_OK;
}

static long op_stats(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_blk_stats s;
    dev_stats(&s);
    memcpy(req->reply, &s, sizeof s);
    req->reply_len = sizeof s;
    return NX_OK;
}

static const struct nx_rpc_op ops[] = {
    { NX_BLK_INFO, 0, 0, op_info },
    { NX_BLK_ATTACH, 0, 0, op_attach },
    { NX_BLK_DETACH, sizeof(struct nx_blk_detach_req), sizeof(struct nx_blk_detach_req),
      op_detach },
    { NX_BLK_READ, sizeof(struct nx_blk_io), sizeof(struct nx_blk_io), op_read },
    { NX_BLK_WRITE, sizeof(struct nx_blk_io), sizeof(struct nx_blk_io), op_write },
    { NX_BLK_FLUSH, 0, 0, op_flush },
    { NX_BLK_STATS, 0, 0, op_stats },
    { NX_BLK_DISCONNECT, sizeof(struct nx_badge_req), sizeof(struct nx_badge_req),
      op_disconnect },
};
static const struct nx_rpc_server server = { ops, sizeof ops / sizeof ops[0], NULL, NULL };
static nx_handle_t serve_ep;

static void server_thread(void *index)
{
    waiter = (unsigned)(uintptr_t)index;
    nx_rpc_serve(serve_ep, &server);
}

static void interrupt_thread(void *unused)
{
    (void)unused;
    dev_interrupt_loop();
}

// ---- start ----

static const char *start(void)
{
    serve_ep = nx_startup_handle(GRANT_SERVE);
    if (!serve_ep)
        return "not granted " GRANT_SERVE;
    const char *why = dev_start(GRANT_VIRTIO);
    if (why)
        return why;
    struct nx_process_info self;
    nx_process_info(nx_self, &self);
    if (nx_thread_start(interrupt_thread, NULL, self.priority, NX_THREAD_STACK_SIZE) < 0)
        return "cannot start threads";
    for (uintptr_t i = 1; i < DEV_WAITERS; i++)
        if (nx_thread_start(server_thread, (void *)i, self.priority, NX_THREAD_STACK_SIZE) < 0)
            return "cannot start threads";
    nx_log(NX_LOG_INFO, "%llu sectors of %u bytes, %u per request",
           (unsigned long long)dev_capacity(), BLK_SECTOR, dev_max_blocks());
    return NULL;
}

int main(void)
{
    const char *why = start();
    if (why) {
        nx_log(NX_LOG_ERROR, "%s", why);
        return 1;
    }
    server_thread((void *)0);
    return 0;
}

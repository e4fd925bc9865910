// The compositor (service "wm", program "compositor"; docs/compositor.md): owns the display
// through the GPU driver, composes the damaged parts of its clients' surfaces into one
// scanout buffer (a fullscreen one is scanned out straight from its VMO), draws the window
// frames, routes input. It sleeps in one receive: client requests and every other source (the
// input rings, clients' deaths, its own "compose" signal, the drivers' deaths, the idle
// timer) through the notification bound to its endpoint. No display (no GPU driver
// answering): it says so and exits with status 0. A restarted GPU driver's display is taken
// again and redrawn.
#include <stdlib.h>
#include <string.h>
#include <nx/gpu.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/startup.h>
#include "comp.h"

// The GPU driver answers within its own 1 s per device command; it may still be starting.
#define GPU_TIMEOUT_NS 3000000000ull
// A restarted GPU driver: init's back-off, then its start (the device reset, the boot screen).
#define REACQUIRE_TIMEOUT_NS 10000000000ull

struct comp C = { .direct = -1, .focus = -1, .active = -1 };
static nx_handle_t gpu_proc;  // the GPU driver's process, watched (BIT_GPU_GONE)

long gpu_call_handle(uint32_t op, const void *req, size_t len, nx_handle_t h, uint32_t rights,
                     void *rep, size_t rep_len)
{
    struct nx_rpc_call c = {
        .op = op, .req = req, .req_len = len, .rep = rep, .rep_cap = rep_len,
        .deadline = (uint64_t)nx_clock_get() + GPU_TIMEOUT_NS,
    };
    if (h != NX_HANDLE_INVALID)
        c.send = (struct nx_rpc_handles){ 1, { h }, { rights } };
    long err = nx_rpc(C.gpu, &c);
    nx_rpc_close_handles(&c.recv);
    if (err >= 0 && c.rep_len != rep_len)
        return NX_ERR_INVALID;
    return err;
}

long gpu_call(uint32_t op, const void *req, size_t len, void *rep, size_t rep_len)
{
    return gpu_call_handle(op, req, len, NX_HANDLE_INVALID, 0, rep, rep_len);
}

// Become the display's owner; the driver's process (ACQUIRE's reply) watched.
static long acquire(uint64_t timeout)
{
    struct nx_rpc_call c = { .op = NX_GPU_ACQUIRE,
                             .deadline = (uint64_t)nx_clock_get() + timeout };
    long err = nx_rpc(C.gpu, &c);
    if (err == NX_OK && c.recv.count == 1 &&
        nx_process_watch(c.recv.h[0], C.notif, BIT_GPU_GONE) == NX_OK) {
        gpu_proc = c.recv.h[0];
        c.recv.count = 0;
    } else if (err == NX_OK) {
        nx_log(NX_LOG_WARN, "cannot watch the GPU driver: a restart of it will not be seen");
    }
    nx_rpc_close_handles(&c.recv);
    return err;
}

// The GPU driver ended; init restarts it behind the same endpoint, where the call waits until
// the new instance serves it. Its display is acquired and everything drawn again.
static void display_lost(void)
{
    nx_handle_close(gpu_proc);
    gpu_proc = NX_HANDLE_INVALID;
    nx_log(NX_LOG_WARN, "gpu ended: taking the display of its next instance");
    int32_t x, y;
    input_pointer(&x, &y);
    long err = acquire(REACQUIRE_TIMEOUT_NS);
    if (!err)
        err = display_attach(x, y);
    if (err)
        nx_log(NX_LOG_ERROR, "the display is lost (%ld)", err);
    nx_printf("compositor: display taken again (%ld)\n", err);
}

static void on_signals(void *ctx, uint64_t bits)
{
    (void)ctx;
    if ((bits & BIT_GPU_GONE) && gpu_proc)
        display_lost();
    input_signals(bits);
    if (bits & BIT_IDLE)
        idle_fired();
    if (bits & BIT_COMPOSE)
        compose();
    clients_reap(bits & BITS_CLIENTS);
}

// The display: its size, owned, the scanout buffer shown.
static long take_display(void)
{
    struct nx_gpu_info info;
    long err = gpu_call(NX_GPU_INFO, NULL, 0, &info, sizeof info);
    if (err)
        return err;
    C.sw = (int32_t)info.width;
    C.sh = (int32_t)info.height;
    err = acquire(GPU_TIMEOUT_NS);
    return err ? err : compose_start();
}

// The key map: `keymap=NAME` among the manifest line's arguments (us, the default, or de).
static const char *keymap_named(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strncmp(argv[i], "keymap=", 7))
            return argv[i] + 7;
    return "us";
}

int main(int argc, char **argv)
{
    C.serve = nx_startup_handle("serve");
    C.gpu = nx_startup_handle("gpu");
    if (!C.serve || !C.gpu) {
        nx_log(NX_LOG_ERROR, "not granted serve and gpu");
        return 1;
    }
    long notif = nx_notification_create();  // before the display: its driver is watched
    if (notif < 0) {
        nx_log(NX_LOG_ERROR, "cannot start: error %ld", notif);
        return 1;
    }
    C.notif = (nx_handle_t)notif;
    long err = take_display();
    if (err == NX_ERR_TIMED_OUT || err == NX_ERR_PEER_CLOSED) {
        nx_log(NX_LOG_INFO, "no display: the GPU driver does not answer");
        nx_printf("compositor: no display\n");  // on the console: the tests wait for it
        return 0;
    }
    if (err || (err = nx_endpoint_bind(C.serve, C.notif)) != NX_OK) {
        nx_log(NX_LOG_ERROR, "cannot start: error %ld", err);
        return 1;
    }
    C.epoch = (uint32_t)((uint64_t)nx_clock_get() >> 10);
    input_start(keymap_named(argc, argv));
    idle_start();
    atlas_start();
    nx_printf("compositor: %dx%d display taken\n", (int)C.sw, (int)C.sh);
    const struct nx_rpc_server server = { client_ops, client_nops, NULL, on_signals };
    nx_rpc_serve(C.serve, &server);
    return 1;
}

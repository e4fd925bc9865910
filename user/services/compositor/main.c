// The compositor (service "wm", program "compositor"; docs/compositor.md): owns the display
// through the GPU driver, composes the damaged parts of its clients' surfaces into one
// scanout buffer (a fullscreen one is scanned out straight from its VMO), draws the window
// frames, routes input. It sleeps in one receive: client requests and every other source (the
// input rings, clients' deaths, its own "compose" signal) through the notification bound to
// its endpoint. No display (no GPU driver answering): it says so and exits with status 0.
#include <stdlib.h>
#include <string.h>
#include <nx/gpu.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/startup.h>
#include "comp.h"

// The GPU driver answers within its own 1 s per device command; it may still be starting.
#define GPU_TIMEOUT_NS 3000000000ull

struct comp C = { .direct = -1, .focus = -1 };

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

static void on_signals(void *ctx, uint64_t bits)
{
    (void)ctx;
    input_signals(bits);
    if (bits & BIT_COMPOSE)
        compose();
    clients_reap(bits >= BIT_CLIENT(0));
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
    err = gpu_call(NX_GPU_ACQUIRE, NULL, 0, NULL, 0);
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
    long err = take_display();
    if (err == NX_ERR_TIMED_OUT || err == NX_ERR_PEER_CLOSED) {
        nx_log(NX_LOG_INFO, "no display: the GPU driver does not answer");
        nx_printf("compositor: no display\n");  // on the console: the tests wait for it
        return 0;
    }
    long notif = err ? err : nx_notification_create();
    if (notif < 0 || (err = nx_endpoint_bind(C.serve, (nx_handle_t)notif)) != NX_OK) {
        nx_log(NX_LOG_ERROR, "cannot start: error %ld", notif < 0 ? notif : err);
        return 1;
    }
    C.notif = (nx_handle_t)notif;
    C.epoch = (uint32_t)((uint64_t)nx_clock_get() >> 10);
    input_start(keymap_named(argc, argv));
    atlas_start();
    nx_printf("compositor: %dx%d display taken\n", (int)C.sw, (int)C.sh);
    const struct nx_rpc_server server = { client_ops, client_nops, NULL, on_signals };
    nx_rpc_serve(C.serve, &server);
    return 1;
}

// QEMU test client of the input drivers (tests/qemu/manifests/input): connects to both
// ("input", "input2") with NX_INPUT_CONNECT, one notification with a bit per ring, and prints
// every event it reads: "inputtest: DRIVER TYPE CODE VALUE". A connection with bits 0 must be
// refused. It runs until QEMU is stopped.
#include <nx/input.h>
#include <nx/nx.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/startup.h>

static const char *const names[] = { "input", "input2" };
#define DRIVERS 2

static long connect(nx_handle_t ep, nx_handle_t notif, uint64_t bits, nx_handle_t *vmo)
{
    long n = nx_handle_duplicate(notif, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
    if (n < 0)
        return n;
    struct nx_input_connect c = { bits };
    struct nx_rpc_call call = { .op = NX_INPUT_CONNECT, .req = &c, .req_len = sizeof c,
                                .send = { 1, { (nx_handle_t)n }, { NX_RIGHTS_SAME } },
                                .deadline = NX_DEADLINE_NEVER };
    long err = nx_rpc(ep, &call);
    *vmo = call.recv.count ? call.recv.h[0] : NX_HANDLE_INVALID;
    if (call.recv.count > 1)
        nx_handle_close(call.recv.h[1]);  // the driver's process: not watched here
    return err;
}

int main(void)
{
    long notif = nx_notification_create();
    struct nx_ring rings[DRIVERS];
    for (int i = 0; i < DRIVERS; i++) {
        nx_handle_t ep = nx_startup_handle(names[i]), vmo;
        long bad = connect(ep, notif, 0, &vmo);
        long err = connect(ep, notif, 1ull << i, &vmo);
        if (err == NX_OK)
            err = nx_ring_map(vmo, NX_RING_READER, notif, 1ull << i, &rings[i]);
        nx_printf("inputtest: %s: bits 0 %s, connect %ld\n", names[i],
                  bad == NX_ERR_INVALID ? "refused" : "WRONG", err);
        if (err)
            return 1;
    }
    for (;;) {
        bool empty = true;
        for (int i = 0; i < DRIVERS; i++) {
            struct nx_input_event e;
            size_t len;
            while (nx_ring_pop(&rings[i], &e, sizeof e, &len) == NX_OK) {
                empty = false;
                nx_printf("inputtest: %s %u %u %d%s\n", names[i], e.type, e.code, (int)e.value,
                          len == sizeof e && e.time_ns ? "" : " WRONG");
            }
        }
        if (!empty)
            continue;
        bool sleep = true;
        for (int i = 0; i < DRIVERS; i++)
            sleep &= nx_ring_prepare_sleep(&rings[i]);
        uint64_t bits;
        if (sleep)
            nx_notify_wait_bits(notif, NX_DEADLINE_NEVER, &bits);
        for (int i = 0; i < DRIVERS; i++)
            nx_ring_end_sleep(&rings[i]);
    }
}

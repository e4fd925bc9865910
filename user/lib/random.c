// Client side of the entropy service (nx/random.h).
#include <stdatomic.h>
#include <nx/nx.h>
#include <nx/random.h>
#include <nx/rpc.h>
#include <nx/services.h>

// The service answers within its own 1 s wait for the device; more means there is no service
// behind the endpoint (the driver found no device and exited).
#define CALL_TIMEOUT_NS 2000000000ull

static _Atomic nx_handle_t service;

long nx_random(void *buf, size_t n)
{
    nx_handle_t rng;
    long err = nx_svc_find(NX_RNG_SERVICE, &service, &rng);
    if (err)
        return err;
    struct nx_rng_read req = { n };
    return nx_rpc_call(rng, NX_RNG_READ, &req, sizeof req, buf, n,
                       (uint64_t)nx_clock_get() + CALL_TIMEOUT_NS);
}

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

// The service's endpoint, looked up on first use; two threads racing keep one handle.
static long find_service(nx_handle_t *out)
{
    nx_handle_t h = atomic_load(&service), mine;
    if (h == NX_HANDLE_INVALID) {
        long err = nx_svc_lookup(NX_RNG_SERVICE, &mine);
        if (err)
            return err;
        h = NX_HANDLE_INVALID;
        if (atomic_compare_exchange_strong(&service, &h, mine))
            h = mine;
        else
            nx_handle_close(mine);
    }
    *out = h;
    return NX_OK;
}

long nx_random(void *buf, size_t n)
{
    nx_handle_t rng;
    long err = find_service(&rng);
    if (err)
        return err;
    struct nx_rng_read req = { n };
    return nx_rpc_call(rng, NX_RNG_READ, &req, sizeof req, buf, n,
                       (uint64_t)nx_clock_get() + CALL_TIMEOUT_NS);
}

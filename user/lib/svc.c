// Client side of svcmgr (nx/services.h): look a service up by name through the "svcmgr"
// handle init granted.
#include <stdatomic.h>
#include <string.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

// svcmgr answers within its own 1 s wait for the policy service; more means it is gone.
#define LOOKUP_TIMEOUT_NS 2000000000ull

long nx_svc_lookup(const char *name, nx_handle_t *out)
{
    nx_handle_t mgr = nx_startup_handle("svcmgr");
    size_t len = strnlen(name, NX_SVC_NAME_MAX);
    if (mgr == NX_HANDLE_INVALID)
        return NX_ERR_NOT_FOUND;
    if (len == NX_SVC_NAME_MAX)
        return NX_ERR_INVALID;
    struct nx_rpc_call c = {
        .op = NX_SVCMGR_LOOKUP,
        .req = name,
        .req_len = len + 1,
        .deadline = (uint64_t)nx_clock_get() + LOOKUP_TIMEOUT_NS,
    };
    long err = nx_rpc(mgr, &c);
    if (err >= 0 && c.recv.count != 1)
        err = NX_ERR_INVALID;
    for (uint32_t i = err < 0 ? 0 : 1; i < c.recv.count; i++)
        nx_handle_close(c.recv.h[i]);
    if (err < 0)
        return err;
    *out = c.recv.h[0];
    return NX_OK;
}

long nx_svc_find(const char *name, _Atomic nx_handle_t *cache, nx_handle_t *ep)
{
    nx_handle_t h = atomic_load(cache), mine;
    if (h == NX_HANDLE_INVALID && (h = nx_startup_handle(name)) != NX_HANDLE_INVALID)
        atomic_store(cache, h);  // init's grant (the process keeps it): every thread finds it
    if (h != NX_HANDLE_INVALID) {
        *ep = h;
        return NX_OK;
    }
    long err = nx_svc_lookup(name, &mine);
    if (err)
        return err;
    if (atomic_compare_exchange_strong(cache, &h, mine))
        h = mine;
    else
        nx_handle_close(mine);
    *ep = h;
    return NX_OK;
}

// Client side of svcmgr (nx/services.h): look a service up by name through the "svcmgr"
// handle init granted.
#include <string.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

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
        .deadline = NX_DEADLINE_NEVER,
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

// The service manager: names -> endpoints. A lookup asks the policy service first and hands
// the client its own handle, minted with the client's badge and the rights the policy gives.
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#include "names.h"

static struct svc_table table;
static nx_handle_t policy;

// The NUL-terminated name in a request, or NULL.
static const char *request_name(const struct nx_rpc_req *req)
{
    const char *s = (const char *)req->data;
    return req->len && s[req->len - 1] == '\0' && strlen(s) + 1 == req->len ? s : NULL;
}

static long op_register(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    const char *name = request_name(req);
    if (!name || req->handles.count != 1)
        return NX_ERR_INVALID;
    long err = svc_add(&table, name, req->handles.h[0], (uint32_t)req->badge);
    if (err == NX_OK)
        req->handles.h[0] = NX_HANDLE_INVALID;  // the table keeps it
    return err;
}

// The rights the policy gives the caller over name (NX_RIGHT_*), or its error.
static long ask_policy(uint64_t badge, const char *name, uint32_t *rights)
{
    struct nx_policy_check q = { .badge = (uint32_t)badge };
    struct nx_policy_rights rep;
    strncpy(q.service, name, sizeof(q.service) - 1);
    long err = nx_rpc_call(policy, NX_POLICY_CHECK, &q, sizeof(q), &rep, sizeof(rep),
                           NX_DEADLINE_NEVER);
    *rights = rep.rights;
    return err < 0 ? err : NX_OK;
}

static long op_lookup(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    const char *name = request_name(req);
    const struct svc_entry *e = name ? svc_find(&table, name) : NULL;
    uint32_t rights;
    if (!name)
        return NX_ERR_INVALID;
    if (!e)
        return NX_ERR_NOT_FOUND;
    long err = ask_policy(req->badge, name, &rights);
    if (err)
        return err;
    // badge 0 cannot be minted: init never looks anything up, so 0 is simply refused.
    long h = nx_endpoint_mint(e->handle, (long)req->badge, (long)(rights | NX_RIGHT_TRANSFER));
    if (h < 0)
        return h;
    req->reply_handles = (struct nx_rpc_handles){ 1, { (nx_handle_t)h }, { rights } };
    return NX_OK;
}

static long op_list(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_svcmgr_list_req q;
    int count;
    memcpy(&q, req->data, sizeof(q));
    req->reply_len = svc_list(&table, (int)q.index, (char *)req->reply, NX_MSG_BYTES_MAX, &count);
    return count;
}

static void close_handle(void *ctx, uint32_t h)
{
    (void)ctx;
    nx_handle_close(h);
}

static long op_disconnect(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_badge_req d;
    memcpy(&d, req->data, sizeof(d));
    if (req->badge != 0)
        return NX_ERR_ACCESS;
    return svc_remove_owner(&table, d.badge, close_handle, NULL);
}

static const struct nx_rpc_op ops[] = {
    { NX_SVCMGR_REGISTER, 2, NX_SVC_NAME_MAX, op_register },
    { NX_SVCMGR_LOOKUP, 2, NX_SVC_NAME_MAX, op_lookup },
    { NX_SVCMGR_LIST, sizeof(struct nx_svcmgr_list_req), sizeof(struct nx_svcmgr_list_req),
      op_list },
    { NX_SVCMGR_DISCONNECT, sizeof(struct nx_badge_req), sizeof(struct nx_badge_req),
      op_disconnect },
};

int main(void)
{
    nx_handle_t serve = nx_startup_handle("serve");
    policy = nx_startup_handle("policy");
    if (serve == NX_HANDLE_INVALID || policy == NX_HANDLE_INVALID) {
        nx_printf("svcmgr: needs the handles \"serve\" and \"policy\"\n");
        return 1;
    }
    nx_log(NX_LOG_INFO, "service manager up");
    const struct nx_rpc_server srv = { ops, sizeof(ops) / sizeof(ops[0]), NULL, NULL };
    return (int)-nx_rpc_serve(serve, &srv);
}

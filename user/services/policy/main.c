// The policy service: init tells it who each client badge is and which client may reach
// which service (the manifest's grants and allow rules); svcmgr asks it before handing out
// any endpoint. Denials are logged with both names.
#include <string.h>
#include <nx/log.h>
#include <nx/net.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#include "rules.h"

static struct policy policy;

static bool terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

static long op_identify(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    return nx_badge_identify_op(&policy.clients, req);
}

static long op_allow(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_policy_allow a;
    memcpy(&a, req->data, sizeof(a));
    if (req->badge != 0)
        return NX_ERR_ACCESS;
    if (!terminated(a.client, sizeof(a.client)) || !terminated(a.service, sizeof(a.service)))
        return NX_ERR_INVALID;
    return policy_allow(&policy, a.client, a.service, a.rights);
}

// The network stack asks for a listening port (net.in.80) and, refused, for any port
// (net.in.*): only the second refusal is one worth a warning.
static bool asks_again(const char *service)
{
    size_t n = strlen(NX_NET_POLICY_LISTEN);
    return !strncmp(service, NX_NET_POLICY_LISTEN, n) && strcmp(service + n, "*");
}

static void log_denial(uint32_t badge, const char *service)
{
    const char *client = nx_badge_name(&policy.clients, badge);
    if (client)
        nx_log(NX_LOG_WARN, "denied %s -> %s", client, service);
    else
        nx_log(NX_LOG_WARN, "denied unknown client #%u -> %s", badge, service);
}

static long op_check(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_policy_check q;
    struct nx_policy_rights rep;
    memcpy(&q, req->data, sizeof(q));
    if (!terminated(q.service, sizeof(q.service)))
        return NX_ERR_INVALID;
    long err = policy_check(&policy, q.badge, q.service, &rep.rights);
    if (err) {
        if (!asks_again(q.service))
            log_denial(q.badge, q.service);
        return err;
    }
    memcpy(req->reply, &rep, sizeof(rep));
    req->reply_len = sizeof(rep);
    return NX_OK;
}

#define OP(op, type, fn) { op, sizeof(type), sizeof(type), fn }
static const struct nx_rpc_op ops[] = {
    OP(NX_POLICY_IDENTIFY, struct nx_policy_identify, op_identify),
    OP(NX_POLICY_ALLOW, struct nx_policy_allow, op_allow),
    OP(NX_POLICY_CHECK, struct nx_policy_check, op_check),
};

int main(void)
{
    nx_handle_t serve = nx_startup_handle("serve");
    if (serve == NX_HANDLE_INVALID) {
        nx_printf("policy: no endpoint to serve\n");
        return 1;
    }
    nx_log(NX_LOG_INFO, "policy service up");
    const struct nx_rpc_server srv = { ops, sizeof(ops) / sizeof(ops[0]), NULL, NULL };
    return (int)-nx_rpc_serve(serve, &srv);
}

// The users service's client side (nx/users.h): typing a name or password, and the calls.
#include <stdbool.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/ipc.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/thread.h>
#include <nx/users.h>

#define CALL_DEADLINE_NS 60000000000ull   // a hash takes well under a second; queues may not

long nx_users_read_line(long (*in)(void *ctx, char *buf, size_t n), void *ctx,
                        void (*echo)(const char *s, size_t n), char *buf, size_t cap)
{
    size_t len = 0;
    bool over = false;
    for (;;) {
        char c;
        long n = in(ctx, &c, 1);
        if (n < 0)
            return n;
        if (n == 0)
            continue;
        if (c == '\r' || c == '\n')
            break;
        if (c == 3 || c == 4) {
            memset(buf, 0, cap);
            return NX_ERR_PEER_CLOSED;
        }
        if (c == 0x7f || c == '\b') {
            if (len && !over) {
                len--;
                if (echo)
                    echo("\b \b", 3);
            }
            continue;
        }
        if (len + 1 >= cap)
            over = true;
        if (over)
            continue;
        buf[len++] = c;
        if (echo)
            echo(&c, 1);
    }
    if (echo)
        echo("\r\n", 2);
    if (over) {
        memset(buf, 0, cap);
        return NX_ERR_TOO_BIG;
    }
    buf[len] = 0;
    return (long)len;
}

long nx_users_service(nx_handle_t *ep)
{
    static _Atomic nx_handle_t cache = NX_HANDLE_INVALID;
    return nx_svc_find(NX_USERS_SERVICE, &cache, ep);
}

// One call of op with the header hdr (hlen bytes) and then the strings s[0..n).
static long call(uint32_t op, const void *hdr, size_t hlen, const char *const *s, int n,
                 struct nx_users_login_rep *rep)
{
    uint8_t req[NX_MSG_BYTES_MAX];
    struct nx_users_login_rep ignored;
    nx_handle_t ep;
    long err = nx_users_service(&ep);
    if (err)
        return err;
    size_t len = hlen;
    memcpy(req, hdr, hlen);
    for (int i = 0; i < n; i++) {
        size_t k = strlen(s[i]);
        if (len + k > sizeof(req))
            return NX_ERR_TOO_BIG;
        memcpy(req + len, s[i], k);
        len += k;
    }
    struct nx_rpc_call c = { .op = op, .req = req, .req_len = len, .rep = rep ? rep : &ignored,
                             .rep_cap = sizeof(*rep), .deadline = nx_clock_get() + CALL_DEADLINE_NS };
    err = nx_rpc(ep, &c);
    memset(req, 0, sizeof(req));
    memset(nx_ipc_buf()->bytes, 0, len);   // what the call sent: the reply is shorter
    nx_rpc_close_handles(&c.recv);
    if (!err && c.rep_len != sizeof(*rep))
        err = NX_ERR_INVALID;
    return err ? err : (rep ? rep : &ignored)->result;
}

long nx_users_login(const char *name, const char *password, struct nx_users_login_rep *rep)
{
    size_t n = strlen(name), p = strlen(password);
    if (n > NX_USER_NAME_MAX || p > NX_PASSWORD_MAX)
        return NX_ERR_TOO_BIG;
    struct nx_users_login_req q = { (uint32_t)n, (uint32_t)p };
    const char *s[] = { name, password };
    return call(NX_USERS_LOGIN, &q, sizeof(q), s, 2, rep);
}

long nx_users_passwd(const char *name, const char *old, const char *new_password,
                     struct nx_users_login_rep *rep)
{
    size_t n = strlen(name), o = strlen(old), w = strlen(new_password);
    if (n > NX_USER_NAME_MAX || o > NX_PASSWORD_MAX || w > NX_PASSWORD_MAX)
        return NX_ERR_TOO_BIG;
    struct nx_users_passwd_req q = { (uint32_t)n, (uint32_t)o, (uint32_t)w, 0 };
    const char *s[] = { name, old, new_password };
    return call(NX_USERS_PASSWD, &q, sizeof(q), s, 3, rep);
}

long nx_users_useradd(const char *recovery_password, const char *name, const char *password,
                      struct nx_users_login_rep *rep)
{
    size_t a = strlen(recovery_password), n = strlen(name), p = strlen(password);
    if (a > NX_PASSWORD_MAX || n > NX_USER_NAME_MAX || p > NX_PASSWORD_MAX)
        return NX_ERR_TOO_BIG;
    struct nx_users_add_req q = { (uint32_t)a, (uint32_t)n, (uint32_t)p, 0 };
    const char *s[] = { recovery_password, name, password };
    return call(NX_USERS_ADD, &q, sizeof(q), s, 3, rep);
}

// The settings service's client side (nx/settings.h).
#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/ipc.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/settings.h>

#define CALL_DEADLINE_NS 10000000000ull   // a SET waits for the disk

long nx_settings_service(nx_handle_t *ep)
{
    static _Atomic nx_handle_t cache = NX_HANDLE_INVALID;
    return nx_svc_find(NX_SETTINGS_SERVICE, &cache, ep);
}

// One call of op with req_len request bytes; the reply's bytes into rep[cap] (*got of them):
// the status.
static long call(uint32_t op, const void *req, size_t req_len, void *rep, size_t cap,
                 size_t *got)
{
    nx_handle_t ep;
    long err = nx_settings_service(&ep);
    if (err)
        return err;
    struct nx_rpc_call c = { .op = op, .req = req, .req_len = req_len, .rep = rep,
                             .rep_cap = cap, .deadline = nx_clock_get() + CALL_DEADLINE_NS };
    err = nx_rpc(ep, &c);
    nx_rpc_close_handles(&c.recv);
    *got = c.rep_len;
    return err;
}

// A status that counts bytes, with its text NUL-terminated in out[cap] (cap > 0).
static long text_reply(uint32_t op, const void *req, size_t req_len, char *out, size_t cap)
{
    char buf[NX_MSG_BYTES_MAX];
    size_t got = 0;
    long n = call(op, req, req_len, buf, sizeof(buf), &got);
    if (n < 0)
        return n;
    if ((size_t)n != got)   // the count and the bytes disagree
        return NX_ERR_INVALID;
    if ((size_t)n >= cap)
        return NX_ERR_TOO_BIG;
    memcpy(out, buf, (size_t)n);
    out[n] = 0;
    return n;
}

long nx_settings_get(const char *key, char *value, size_t cap)
{
    size_t k = strlen(key);
    if (k > NX_SETTING_KEY_MAX)
        return NX_ERR_NOT_FOUND;
    return text_reply(NX_SETTINGS_GET, key, k, value, cap);
}

long nx_settings_list(char *text, size_t cap)
{
    return text_reply(NX_SETTINGS_LIST, NULL, 0, text, cap);
}

long nx_settings_set(const char *key, const char *value, char *why, size_t why_cap)
{
    size_t k = strlen(key), v = strlen(value);
    uint8_t req[sizeof(struct nx_settings_set_req) + NX_SETTING_KEY_MAX + NX_SETTING_VALUE_MAX];
    struct nx_settings_set_rep rep = { NX_OK, "" };
    long err;
    if (k > NX_SETTING_KEY_MAX || v > NX_SETTING_VALUE_MAX) {
        // Too long for any key or value: refused here, as the service would.
        err = k > NX_SETTING_KEY_MAX ? NX_ERR_NOT_FOUND : NX_ERR_INVALID;
        snprintf(rep.why, sizeof(rep.why), "%s", err == NX_ERR_NOT_FOUND ? "no such setting"
                                                 : "the value is longer than 31 bytes");
    } else {
        struct nx_settings_set_req q = { (uint32_t)k, (uint32_t)v };
        memcpy(req, &q, sizeof(q));
        memcpy(req + sizeof(q), key, k);
        memcpy(req + sizeof(q) + k, value, v);
        size_t got = 0;
        err = call(NX_SETTINGS_SET, req, sizeof(q) + k + v, &rep, sizeof(rep), &got);
        if (!err && got != sizeof(rep))
            err = NX_ERR_INVALID;
        if (err)
            snprintf(rep.why, sizeof(rep.why), "the settings service failed the call (%ld)", err);
        else
            err = rep.result;
    }
    rep.why[sizeof(rep.why) - 1] = 0;
    if (why && why_cap)
        snprintf(why, why_cap, "%s", err ? rep.why : "");
    return err;
}

long nx_settings_fetch(struct nx_settings *s)
{
    char text[NX_SETTINGS_FILE_MAX];
    long n = nx_settings_list(text, sizeof(text));
    if (n < 0)
        return n;
    struct nx_settings next;
    nx_settings_defaults(&next);
    if (nx_settings_parse(text, (size_t)n, &next, NULL, NULL))
        return NX_ERR_INVALID;   // the service lists every key canonically: not the service
    *s = next;
    return NX_OK;
}

bool nx_settings_theme_dark(void)
{
    struct nx_settings s;
    nx_settings_defaults(&s);
    nx_settings_fetch(&s);
    return nx_settings_dark(&s);
}

long nx_settings_watch(nx_handle_t notif, uint64_t bits)
{
    struct nx_settings_watch_req q = { bits };
    nx_handle_t ep;
    long err = nx_settings_service(&ep);
    if (err)
        return err;
    struct nx_rpc_call c = {
        .op = NX_SETTINGS_WATCH, .req = &q, .req_len = sizeof(q),
        .send = { 2, { notif, nx_self },
                  { NX_RIGHT_SIGNAL | NX_XFER_COPY, NX_RIGHT_READ | NX_XFER_COPY } },
        .deadline = nx_clock_get() + CALL_DEADLINE_NS,
    };
    err = nx_rpc(ep, &c);
    nx_rpc_close_handles(&c.recv);
    return err;
}

long nx_settings_follow(struct nx_settings *s, nx_handle_t notif, uint64_t bits)
{
    nx_settings_defaults(s);
    long err = nx_settings_fetch(s);
    return err ? err : nx_settings_watch(notif, bits);
}

uint32_t nx_settings_refresh(struct nx_settings *s)
{
    struct nx_settings next;
    if (nx_settings_fetch(&next) != NX_OK)
        return 0;
    uint32_t keys = nx_settings_changed(s, &next);
    *s = next;
    return keys;
}

// The settings service (service "settings"): the one holder of /etc/settings and of the
// power capability ("power": the device resource with WRITE only). It loads the file at
// start (missing: defaults; a bad line: its key's default, the line reported in the log,
// the file left as it is until the next change), applies the power mode, and answers GET,
// SET, LIST and WATCH (nx/settings.h, docs/settings.md). A change is checked, applied and
// written whole (nx_file_write_whole) before the reply; whatever fails changes nothing. Once
// it is in, every watcher's notification is signalled (watchers.c); a watcher's process that
// ends signals BIT_GONE on the notification bound to the endpoint, and its watch is dropped.
#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/file.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/settings.h>
#include <nx/startup.h>
#include "watchers.h"

#define SETTINGS_DIR  "/etc"
#define SETTINGS_PATH "/etc/settings"

#define BIT_GONE 1ull   // a watcher's process ended (on the notification bound to "serve")

static struct nx_settings current;
static nx_handle_t power = NX_HANDLE_INVALID;
static nx_handle_t gone = NX_HANDLE_INVALID;   // the notification bound to "serve"
static struct watchers watchers;

static void report(void *ctx, unsigned line, const char *why)
{
    (void)ctx;
    if (line)
        nx_log(NX_LOG_WARN, "%s line %u ignored: %s", SETTINGS_PATH, line, why);
    else
        nx_log(NX_LOG_WARN, "%s: %s", SETTINGS_PATH, why);
}

static void load(void)
{
    static char text[NX_SETTINGS_FILE_MAX + 1];
    nx_settings_defaults(&current);
    long n = nx_file_read_whole(SETTINGS_PATH, text, sizeof(text));
    if (n == NX_ERR_NOT_FOUND) {
        nx_log(NX_LOG_INFO, "no %s: every setting at its default", SETTINGS_PATH);
        return;
    }
    if (n < 0) {
        nx_log(NX_LOG_ERROR, "%s unreadable (%ld): every setting at its default",
               SETTINGS_PATH, n);
        return;
    }
    unsigned bad = nx_settings_parse(text, (size_t)n, &current, report, NULL);
    if (bad)
        nx_log(NX_LOG_WARN, "%s: %u bad line(s): their settings at the default", SETTINGS_PATH,
               bad);
}

static long save(const struct nx_settings *s)
{
    char text[NX_SETTINGS_FILE_MAX];
    long len = nx_settings_format(s, text, sizeof(text));
    if (len < 0)
        return len;
    nx_fs_mkdir(SETTINGS_DIR);   // first boot of a blank disk
    return nx_file_write_whole(SETTINGS_PATH, text, (size_t)len);
}

// The kernel's power mode for the setting (its index is the NX_POWER_* mode).
static long apply_power(const struct nx_settings *s)
{
    long mode = nx_settings_choice(s, NX_SETTING_POWER_MODE);
    if (mode < 0)
        return mode;
    if (power == NX_HANDLE_INVALID)
        return NX_ERR_ACCESS;
    long before = nx_system_power_mode(power, mode);
    return before < 0 ? before : NX_OK;
}

// ---- watches ----

static bool process_ended(nx_handle_t proc)
{
    long status;
    return nx_process_status(proc, &status) != NX_ERR_BAD_STATE;
}

static void close_handle(nx_handle_t h)
{
    nx_handle_close(h);
}

static const struct watcher_ops watcher_ops = { nx_notify_signal, process_ended, close_handle };

// Whether received handle i names an object of type with exactly the rights asked for.
static long handle_is(const struct nx_rpc_req *req, uint32_t i, uint32_t type, uint32_t rights)
{
    long info = nx_handle_info(req->handles.h[i]);
    if (info < 0)
        return info;
    if (nx_handle_info_type(info) != type)
        return NX_ERR_WRONG_TYPE;
    return req->handles.rights[i] == rights ? NX_OK : NX_ERR_ACCESS;
}

static long op_watch(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_settings_watch_req q;
    memcpy(&q, req->data, sizeof(q));
    if (req->handles.count != 2 || !q.bits)
        return NX_ERR_INVALID;
    long err = handle_is(req, 0, NX_OBJ_NOTIFICATION, NX_RIGHT_SIGNAL);
    if (!err)
        err = handle_is(req, 1, NX_OBJ_PROCESS, NX_RIGHT_READ);
    if (err)
        return err;
    struct watcher w = { req->handles.h[0], req->handles.h[1], q.bits };
    if (watchers.n == NX_SETTINGS_WATCHERS)
        return NX_ERR_NO_SPACE;
    if ((err = nx_process_watch(w.proc, gone, BIT_GONE)) != NX_OK)
        return err;
    watchers_add(&watchers, &w);
    req->handles.h[0] = req->handles.h[1] = NX_HANDLE_INVALID;   // kept
    return NX_OK;
}

static void on_signals(void *ctx, uint64_t bits)
{
    (void)ctx;
    if (bits & BIT_GONE)
        watchers_reap(&watchers, &watcher_ops);
}

// The reply of a SET: the verdict in rep.result, why in words.
static long verdict(struct nx_rpc_req *req, long err, const char *why)
{
    struct nx_settings_set_rep rep = { (int32_t)err, "" };
    snprintf(rep.why, sizeof(rep.why), "%s", why);
    memcpy(req->reply, &rep, sizeof(rep));
    req->reply_len = sizeof(rep);
    return NX_OK;
}

// Check, apply (the power mode), write; on any failure put back what was.
static long set(enum nx_setting key, const char *value, size_t len, char *why, size_t cap)
{
    struct nx_settings next = current;
    long err = nx_setting_check(key, value, len, next.value[key], why, cap);
    if (err)
        return err;
    if (!strcmp(next.value[key], current.value[key]))
        return NX_OK;
    if (key == NX_SETTING_POWER_MODE && (err = apply_power(&next)) != NX_OK) {
        snprintf(why, cap, "power_mode: not applied (%ld)%s", err,
                 power == NX_HANDLE_INVALID ? ": the service holds no power grant" : "");
        return err;
    }
    err = save(&next);
    if (err) {
        snprintf(why, cap, "%s could not be written (%ld): nothing changed", SETTINGS_PATH, err);
        if (key == NX_SETTING_POWER_MODE)
            apply_power(&current);
        return err == NX_ERR_FULL || err == NX_ERR_NO_SPACE ? err : NX_ERR_IO;
    }
    current = next;
    size_t told = watchers_signal(&watchers, &watcher_ops);
    nx_log(NX_LOG_INFO, "%s set to %s (%zu watcher(s) told)", nx_setting_name(key),
           current.value[key], told);
    return NX_OK;
}

static long op_set(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_settings_set_req q;
    memcpy(&q, req->data, sizeof(q));
    if ((uint64_t)q.key_len + q.value_len != req->len - sizeof(q))
        return NX_ERR_INVALID;
    const char *key = (const char *)req->data + sizeof(q), *value = key + q.key_len;
    char why[NX_SETTINGS_WHY_MAX] = "";
    long k = nx_setting_find(key, q.key_len);
    if (k < 0)
        return verdict(req, k, "no such setting (`settings` lists them)");
    long err = set((enum nx_setting)k, value, q.value_len, why, sizeof(why));
    return verdict(req, err, why);
}

static long op_get(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    long k = nx_setting_find((const char *)req->data, req->len);
    if (k < 0)
        return k;
    size_t n = strlen(current.value[k]);
    memcpy(req->reply, current.value[k], n);
    req->reply_len = n;
    return (long)n;
}

static long op_list(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    long n = nx_settings_format(&current, (char *)req->reply, NX_MSG_BYTES_MAX);
    if (n >= 0)
        req->reply_len = (size_t)n;
    return n;
}

static const struct nx_rpc_op ops[] = {
    { NX_SETTINGS_GET, 1, NX_SETTING_KEY_MAX, op_get },
    { NX_SETTINGS_SET, sizeof(struct nx_settings_set_req),
      sizeof(struct nx_settings_set_req) + NX_SETTING_KEY_MAX + NX_SETTING_VALUE_MAX, op_set },
    { NX_SETTINGS_LIST, 0, 0, op_list },
    { NX_SETTINGS_WATCH, sizeof(struct nx_settings_watch_req),
      sizeof(struct nx_settings_watch_req), op_watch },
};

int main(void)
{
    nx_handle_t serve = nx_startup_handle("serve");
    if (serve == NX_HANDLE_INVALID) {
        nx_printf("settings: needs the handle \"serve\"\n");
        return 1;
    }
    power = nx_startup_handle("power");
    load();
    long err = apply_power(&current);
    nx_log(err ? NX_LOG_WARN : NX_LOG_INFO, "settings up: power mode %s%s",
           current.value[NX_SETTING_POWER_MODE], err ? " (not applied: no power grant)" : "");
    long n = nx_notification_create();
    if (n < 0 || nx_endpoint_bind(serve, (nx_handle_t)n) != NX_OK)
        nx_log(NX_LOG_WARN, "no notification for watches (%ld): WATCH refused", n);
    else
        gone = (nx_handle_t)n;
    const struct nx_rpc_server srv = { ops, sizeof(ops) / sizeof(ops[0]), NULL, on_signals };
    return (int)-nx_rpc_serve(serve, &srv);
}

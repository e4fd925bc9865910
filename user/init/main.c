// init: the first process. It holds the device resource and the boot archive, reads the
// manifest from the archive, starts the services it lists in dependency order with exactly
// the handles it grants, restarts the restartable ones when they die, and serves exec and
// proc. init never exits: every process is its descendant and would end with it.
#include <string.h>
#include <nx/bootfs.h>
#include <nx/log.h>
#include <nx/nx.h>

#include "init.h"

#define MANIFEST "manifest"

struct manifest manifest;
nx_handle_t init_ep = NX_HANDLE_INVALID, wake = NX_HANDLE_INVALID;

static void report(void *ctx, int line, const char *reason)
{
    nx_log(NX_LOG_ERROR, "%s:%d: %s", (const char *)ctx, line, reason);
}

static long read_manifest(void)
{
    const struct nx_bootfs *fs = nx_bootfs_default();
    const void *text;
    size_t size;
    long err = fs ? nx_bootfs_find(fs, MANIFEST, &text, &size) : NX_ERR_BAD_STATE;
    if (err)
        return err;
    manifest_parse(&manifest, text, size, report, MANIFEST);
    return NX_OK;
}

// Endpoints for init itself and for every service, made before anything starts: a client
// granted a service can call it even before (or while) its server (re)starts.
static long make_endpoints(void)
{
    long ep = nx_endpoint_create(), n = nx_notification_create();
    if (ep < 0 || n < 0)
        return ep < 0 ? ep : n;
    init_ep = (nx_handle_t)ep;
    wake = (nx_handle_t)n;
    long err = nx_endpoint_bind(init_ep, wake);
    for (int i = 0; !err && i < manifest.nservices; i++) {
        const struct mf_service *s = &manifest.services[i];
        struct child *c = child_new(s->name, s);
        long sep = c ? nx_endpoint_create() : NX_ERR_NO_SPACE;
        if (sep < 0)
            return sep;
        c->ep = (nx_handle_t)sep;
    }
    return err;
}

// Start every service in manifest order (dependencies first), then say on the debug console
// which came up: the one line that marks the end of boot.
static void start_services(void)
{
    char names[MF_MAX_SERVICES * MF_NAME_MAX] = "", *p = names;
    int up = 0;
    for (int i = 0; i < manifest.nservices; i++) {
        const char *name = manifest.services[i].name;
        if (service_start(child_by_name(name)) != NX_OK)
            continue;
        up++;
        p += strlen(strcpy(p, " "));
        p += strlen(strcpy(p, name));
    }
    nx_printf("init: up:%s (%d of %d services; %d manifest errors)\n", names, up,
              manifest.nservices, manifest.errors);
}

int main(void)
{
    long err = read_manifest();
    if (err) {
        nx_log(NX_LOG_ERROR, "no manifest in the boot archive (%ld): nothing to start", err);
        return 1;
    }
    err = make_endpoints();
    if (err) {
        nx_log(NX_LOG_ERROR, "cannot make endpoints: %ld", err);
        return 1;
    }
    start_services();
    init_serve();
    return 1;
}

// The installed apps (desktop.h): their manifests read from /boot, each started with only
// the capabilities its manifest asks for, and watched while it runs.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nexus/errors.h>
#include <nx/file.h>
#include <nx/loader.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/session.h>
#include <nx/startup.h>
#include "desktop.h"

#define PATH_MAX_BYTES 96

// The manifest file dir/name into *m; a bad or unreadable one is logged.
static bool read_manifest(const char *dir, const char *name, struct nx_app *m)
{
    char path[PATH_MAX_BYTES];
    struct nx_app_error err;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    long e = nx_app_read(path, m, &err);
    if (e)
        nx_log(NX_LOG_WARN, "%s line %u: %s (%ld): left out", path, err.line, err.why, e);
    return e == NX_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct app *)a)->m.name, ((const struct app *)b)->m.name);
}

void apps_load(struct apps *a, const char *dir)
{
    uint64_t buf[NX_MSG_BYTES_MAX / 8];
    a->n = 0;
    for (uint32_t index = 0;;) {
        long got = nx_fs_readdir(dir, index, buf, sizeof buf);
        if (got <= 0)
            break;
        const uint8_t *p = (const uint8_t *)buf;
        for (long i = 0; i < got; i++) {
            const struct nx_fs_dirent *d = (const struct nx_fs_dirent *)p;
            p += d->reclen;
            if (!nx_app_is_manifest(d->name))
                continue;
            if (a->n == NX_APP_MAX) {
                nx_log(NX_LOG_WARN, "%s/%s: more than %d apps: left out", dir, d->name,
                       NX_APP_MAX);
                continue;
            }
            if (read_manifest(dir, d->name, &a->app[a->n].m))
                a->n++;
        }
        index += (uint32_t)got;
    }
    qsort(a->app, a->n, sizeof a->app[0], by_name);
}

// This process's handle for the capability cap. The session's root "dir:/" is the handle
// of that name, or "fs" when this desktop was given the whole tree under libnx's other name
// for "/" (init's grant, as in the QEMU suite: init cannot grant "dir:/").
// "procs" is this process's own tree: the session's processes (the desktop is what the login
// screen starts).
static nx_handle_t held(const char *cap)
{
    if (!strcmp(cap, NX_SESSION_PROCS))
        return nx_self;
    nx_handle_t h = nx_startup_handle(cap);
    return h || strcmp(cap, "dir:/") ? h : nx_startup_handle("fs");
}

// A handle for cap to give an app: a duplicate of ours with the same rights; for a
// directory handle we may not duplicate (init grants them without DUPLICATE), the same
// directory opened again through ours: the file system service gives no more than the
// path allows (a read-only mount stays read-only).
static long pass_on(const char *cap)
{
    if (!strcmp(cap, NX_SESSION_PROCS))  // to list and kill (TRANSFER: a startup handle)
        return nx_handle_duplicate(nx_self, NX_RIGHT_READ | NX_RIGHT_MANAGE | NX_RIGHT_TRANSFER);
    long dup = nx_handle_duplicate(held(cap), NX_RIGHTS_SAME);
    nx_handle_t dir;
    if (dup == NX_ERR_ACCESS && !strncmp(cap, "dir:", 4))
        dup = nx_fs_opendir(cap + 4, &dir) ? dup : (long)dir;
    return dup;
}

// The startup handles of app: a duplicate (same rights, never more) of each capability it
// asks for; NX_ERR_ACCESS and *missing if this process holds one not.
static long gather(const struct nx_app *app, struct nx_named_handle *h, const char **missing)
{
    for (uint32_t i = 0; i < app->ncaps; i++)
        if (!held(app->caps[i])) {
            *missing = app->caps[i];
            return NX_ERR_ACCESS;
        }
    for (uint32_t i = 0; i < app->ncaps; i++) {
        long dup = pass_on(app->caps[i]);
        if (dup < 0) {
            *missing = app->caps[i];
            while (i--)
                nx_handle_close(h[i].handle);
            return dup;
        }
        h[i] = (struct nx_named_handle){ app->caps[i], (nx_handle_t)dup };
    }
    return NX_OK;
}

long apps_start(struct apps *a, size_t i, nx_handle_t notif, char *why, size_t cap)
{
    struct app *app = &a->app[i];
    if (app->proc)
        return NX_ERR_BAD_STATE;
    struct nx_named_handle h[NX_APP_CAPS_MAX];
    const char *missing = "";
    long err = gather(&app->m, h, &missing);
    if (err) {
        snprintf(why, cap, err == NX_ERR_ACCESS ? "needs \"%s\", not granted to this session"
                                                : "cannot pass \"%s\"", missing);
        return err;
    }
    char path[PATH_MAX_BYTES];
    snprintf(path, sizeof path, "/boot/%s", app->m.program);
    const char *argv[] = { app->m.program };
    struct nx_load_params p = { .name = app->m.program, .argv = argv, .argc = 1, .handles = h,
                                .nhandles = app->m.ncaps, .budget_pages = app->m.pages };
    const char *load_why = NULL;
    nx_handle_t proc;
    err = nx_load_file(path, &p, &proc, &load_why);
    if (err) {
        snprintf(why, cap, "%s", load_why ? load_why : "cannot load it");
        return err;
    }
    err = nx_process_watch(proc, notif, BIT_APP(i));
    if (err) {  // unwatched, it would never be seen to end: not started
        nx_process_kill(proc);
        nx_handle_close(proc);
        snprintf(why, cap, "cannot watch it");
        return err;
    }
    app->proc = proc;
    return NX_OK;
}

void apps_reap(struct apps *a, uint64_t bits)
{
    for (size_t i = 0; i < a->n; i++) {
        long status;
        if (!(bits & BIT_APP(i)) || !a->app[i].proc ||
            nx_process_status(a->app[i].proc, &status) == NX_ERR_BAD_STATE)
            continue;
        nx_log(NX_LOG_INFO, "%s ended with status %ld", a->app[i].m.name, status);
        nx_handle_close(a->app[i].proc);
        a->app[i].proc = 0;
    }
}

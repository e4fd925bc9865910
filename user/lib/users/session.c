// Starting a user's session (nx/session.h): the namespace rooted at the user's home, /boot
// read-only, the caller's chosen grants copied, the environment of a login.
#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/file.h>
#include <nx/nx.h>
#include <nx/session.h>
#include <nx/startup.h>
#include <nx/users.h>

static void close_all(struct nx_named_handle *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        nx_handle_close(h[i].handle);
}

// The namespace: home as "/" and as the working directory (opened twice: a directory
// handle of the file system's cannot be duplicated), /boot beside it.
static long open_namespace(const char *home, struct nx_named_handle *h, size_t *n)
{
    static const char *const names[] = { NX_SESSION_ROOT, NX_SESSION_CWD, NX_SESSION_BOOT };
    for (size_t i = 0; i < 3; i++) {
        nx_handle_t dir;
        long err = nx_fs_opendir(i < 2 ? home : "/" NX_FS_BOOT, &dir);
        if (err)
            return err;
        h[(*n)++] = (struct nx_named_handle){ names[i], dir };
    }
    return NX_OK;
}

long nx_session_copy_grants(const char *const *names, size_t count, struct nx_named_handle *h,
                            size_t *n, size_t cap)
{
    for (size_t i = 0; i < count; i++) {
        nx_handle_t mine = nx_startup_handle(names[i]);
        if (mine == NX_HANDLE_INVALID)
            continue;
        if (*n == cap)
            return NX_ERR_TOO_BIG;
        nx_handle_t dir;
        long copy, err = NX_OK;
        if (!strcmp(names[i], NX_SESSION_CWD))
            copy = (err = nx_fs_opendir(nx_fs_getcwd(), &dir)) ? err : (long)dir;
        else if (!strncmp(names[i], "dir:", 4))
            copy = (err = nx_fs_opendir(names[i] + 4, &dir)) ? err : (long)dir;
        else
            copy = nx_handle_duplicate(mine, NX_RIGHTS_SAME);
        if (copy < 0)
            return copy;
        h[(*n)++] = (struct nx_named_handle){ names[i], (nx_handle_t)copy };
    }
    return NX_OK;
}

long nx_session_start(const struct nx_session_spec *spec, nx_handle_t *proc)
{
    struct nx_named_handle h[NX_STARTUP_HANDLES_MAX];
    size_t n = 0;
    long err = NX_ERR_TOO_BIG;
    if (3 + spec->nextra <= NX_STARTUP_HANDLES_MAX && !(err = open_namespace(spec->home, h, &n)))
        err = nx_session_copy_grants(spec->passed, spec->npassed, h, &n,
                                     NX_STARTUP_HANDLES_MAX - spec->nextra);
    if (err) {
        close_all(h, n);
        close_all(spec->extra, spec->nextra);
        return err;
    }
    memcpy(h + n, spec->extra, spec->nextra * sizeof h[0]);
    n += spec->nextra;
    char user[8 + NX_USER_NAME_MAX];
    snprintf(user, sizeof user, "USER=%s", spec->user);
    const char *envp[] = { user, "HOME=/", "PWD=/" };
    const char *slash = strrchr(spec->program, '/');
    const char *name = slash ? slash + 1 : spec->program;
    const char *argv[] = { name };
    struct nx_load_params p = { .name = name, .argv = argv, .argc = 1, .envp = envp, .nenv = 3,
                                .handles = h, .nhandles = n, .budget_pages = spec->budget_pages };
    return nx_load_file(spec->program, &p, proc, NULL);
}

static bool session_name_ok(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > NX_SESSION_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '_' || name[i] == '-'))
            return false;
    return true;
}

long nx_session_manifest_read(const char *name, struct nx_session_manifest *m,
                              struct nx_session_spec *spec, struct nx_app_error *err)
{
    char path[sizeof "/" NX_FS_BOOT "/" NX_SESSION_SUFFIX + NX_SESSION_NAME_MAX];
    if (!session_name_ok(name)) {
        err->line = 0;
        snprintf(err->why, sizeof err->why, "a session's name is [a-z0-9_-], 1 to %d bytes",
                 NX_SESSION_NAME_MAX);
        return NX_ERR_INVALID;
    }
    snprintf(path, sizeof path, "/" NX_FS_BOOT "/%s" NX_SESSION_SUFFIX, name);
    long e = nx_app_read(path, &m->app, err);
    if (e)
        return e;
    snprintf(m->program, sizeof m->program, "/" NX_FS_BOOT "/%s", m->app.program);
    for (uint32_t i = 0; i < m->app.ncaps; i++)
        m->caps[i] = m->app.caps[i];
    spec->program = m->program;
    spec->passed = m->caps;
    spec->npassed = m->app.ncaps;
    spec->budget_pages = m->app.pages;
    return NX_OK;
}

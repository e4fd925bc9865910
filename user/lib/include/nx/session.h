// A user's session (docs/login.md, "Sessions"): the program a login starts for a user, with
// the user's namespace and copies of the handles its starter chooses. The console's `login`
// starts nsh this way, the login screen (`greeter`) the desktop, or the Terminal without one.
// Part of libusers (user/lib/users/session.c).
#ifndef NX_SESSION_H
#define NX_SESSION_H

#include <stddef.h>
#include <nexus/handle.h>
#include <nx/app.h>
#include <nx/loader.h>

// The handle names a session is given: its namespace ...
#define NX_SESSION_ROOT "dir:/"         // the user's home, the session's "/"
#define NX_SESSION_CWD  "cwd"           // the home again (PWD=/)
#define NX_SESSION_BOOT "dir:/boot"     // the boot archive, read-only
// ... the session's processes: a handle to the session program's own process (READ, MANAGE
// and TRANSFER only), whose tree (nx_process_tree) is every process the session started: the
// desktop gives it to an app that asks for it (the System monitor: list and kill them).
#define NX_SESSION_PROCS "procs"
// ... and, from the login screen, its own endpoint (call-only) for the calls below.
#define NX_SESSION_SERVICE "session"

// Calls on the "session" handle (nx/rpc.h convention; no request bytes, no reply bytes):
enum {
    // Lock the screen: the login screen comes on top of everything and asks the session's
    // user for the password; the session runs on behind it. NX_OK at once.
    NX_SESSION_LOCK = 0x53450001,
    // End the session: the login screen kills the session's process (and with it what it
    // started) and shows itself again. NX_OK at once (the kill follows the reply).
    NX_SESSION_LOGOUT = 0x53450002,
};

// What to start.
struct nx_session_spec {
    const char *program;                   // absolute path, e.g. "/boot/nsh"
    const char *user;                      // the user's name (USER=)
    const char *home;                      // the user's home on the file system
    const char *const *passed;             // names of the caller's grants to copy ...
    size_t npassed;                        // ... (those it lacks are left out)
    struct nx_named_handle *extra;         // handles moved to the session (consumed either way)
    size_t nextra;
    size_t budget_pages;
};

// ---- session manifests ----
//
// What a login starts is named by a session manifest, /boot/NAME.session, in the app
// manifest format (nx/app.h): the program (/boot/PROGRAM), its page budget (its apps come
// out of it) and the grants of the starter it gets copies of (caps), besides its namespace
// (NX_SESSION_ROOT, NX_SESSION_CWD, NX_SESSION_BOOT) and what the starter adds (the login
// screen's NX_SESSION_SERVICE). A grant named that the starter does not hold is left out.
#define NX_SESSION_SUFFIX ".session"
#define NX_SESSION_NAME_MAX 31          // bytes of NAME

// A session manifest read and its spec filled from it (user, home, extra: the caller's).
struct nx_session_manifest {
    struct nx_app app;
    char program[sizeof "/boot/" + NX_APP_PROGRAM_MAX];
    const char *caps[NX_APP_CAPS_MAX];
};

// Read /boot/NAME.session into *m and fill spec's program, budget and passed grants from it
// (spec points into m: keep m while spec is used). NX_OK, or NX_ERR_INVALID (a NAME that is
// not [a-z0-9_-], 1..NX_SESSION_NAME_MAX bytes), nx_app_read's errors with *err saying why.
long nx_session_manifest_read(const char *name, struct nx_session_manifest *m,
                              struct nx_session_spec *spec, struct nx_app_error *err);

// Starts spec->program named after its last component, with the handles NX_SESSION_ROOT and
// NX_SESSION_CWD (spec->home opened), NX_SESSION_BOOT (/boot opened), copies of the passed
// grants (nx_session_copy_grants) and the extra handles, and USER=name, HOME=/, PWD=/ in
// its environment. *proc gets the process handle (every right). Errors: NX_ERR_TOO_BIG for
// more handles than NX_STARTUP_HANDLES_MAX, nx_fs_opendir's for the home or /boot,
// nx_load_file's.
long nx_session_start(const struct nx_session_spec *spec, nx_handle_t *proc);

// Copies of this process's grants named in names[0, count) (those it has) appended to
// h[*n ..], at most cap in all, for a child: endpoints duplicated, directories ("dir:PATH",
// "cwd") opened again through this process's namespace (a directory handle of the file
// system's cannot be duplicated). Errors: NX_ERR_TOO_BIG past cap, nx_handle_duplicate's
// and nx_fs_opendir's; the handles added before an error stay in h[0, *n) (the caller's).
long nx_session_copy_grants(const char *const *names, size_t count, struct nx_named_handle *h,
                            size_t *n, size_t cap);

#endif

// The Terminal's processes (see shell.h). nsh and other Terminals are loaded from /boot
// through the file system and get copies of this process's grants under the same names,
// so they reach the same services as the Terminal (the serial nsh's grants, docs/terminal.md).
#include <stdio.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/loader.h>
#include <nx/nx.h>
#include <nx/session.h>
#include <nx/startup.h>
#include "shell.h"

#define KEEP (NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER)

// The grants passed on, those of them this process has: nsh's own (user/init/manifest.txt)
// but the console (the compositor is looked up through svcmgr), or the file tree a shell
// gives the programs it starts, or a session's namespace and services (nx/session.h; not
// the session's own endpoint, which is its starter's).
static const char *const passed_on[] = { "log", "svcmgr", "exec", "proc", "fs", "net", "users",
                                         NX_SESSION_ROOT, NX_SESSION_CWD, NX_SESSION_BOOT };
#define NPASSED (sizeof passed_on / sizeof passed_on[0])

// The grants after h[0, n): the new count (a grant that cannot be copied is left out, said
// on stderr).
static size_t add_grants(struct nx_named_handle *h, size_t n)
{
    long err = nx_session_copy_grants(passed_on, NPASSED, h, &n, NX_STARTUP_HANDLES_MAX);
    if (err)
        fprintf(stderr, "terminal: a grant not passed on (%ld)\n", err);
    return n;
}

static size_t add_pipe_end(struct nx_named_handle *h, size_t n, int fd,
                           const struct nx_pipe_handles *e)
{
    static const char *const names[2][3] = {
        { "stdin", "stdin:wait", "stdin:signal" },
        { "stdout", "stdout:wait", "stdout:signal" },
    };
    h[n++] = (struct nx_named_handle){ names[fd][0], e->vmo };
    h[n++] = (struct nx_named_handle){ names[fd][1], e->wait };
    h[n++] = (struct nx_named_handle){ names[fd][2], e->signal };
    return n;
}

// Loads /boot/NAME (arguments: arg, if not NULL) with the handles h[0..n) (consumed
// either way).
static long load(const char *name, const char *arg, struct nx_named_handle *h, size_t n,
                 size_t pages, nx_handle_t *proc)
{
    char path[64];
    snprintf(path, sizeof path, "/boot/%s", name);
    const char *argv[] = { name, arg };
    int nenv = 0;  // the Terminal's own environment (a session's USER, HOME, PWD) goes on
    while (environ[nenv])
        nenv++;
    struct nx_load_params p = {
        .name = name, .argv = argv, .argc = arg ? 2 : 1, .envp = (const char *const *)environ,
        .nenv = nenv, .handles = h, .nhandles = n, .budget_pages = pages,
    };
    const char *why;
    long err = nx_load_file(path, &p, proc, &why);
    if (err)
        fprintf(stderr, "terminal: cannot start %s: %s (%ld)\n", name, why, err);
    return err;
}

long shell_prepare(struct shell *sh, nx_handle_t *wait, nx_handle_t *signal)
{
    struct nx_pipe_handles in_wr, out_rd;
    long err = nx_pipe_create(&sh->nsh_in, &in_wr);
    if (err)
        return err;
    err = nx_pipe_create(&out_rd, &sh->nsh_out);
    // Our wake-ups, all on the notification out_rd waits on: a SIGNAL handle of it for the
    // compositor and the exit watch.
    long sig = err ? err : nx_handle_duplicate(sh->nsh_out.signal, NX_RIGHT_SIGNAL | KEEP);
    err = sig < 0 ? sig : nx_pipe_open(&in_wr, NX_RING_WRITER, &sh->in);
    if (!err) {
        *wait = out_rd.wait;
        err = nx_pipe_open(&out_rd, NX_RING_READER, &sh->out);
    }
    // On failure the Terminal exits at once, and the handles with it.
    *signal = sig > 0 ? (nx_handle_t)sig : 0;
    return err;
}

long shell_start(struct shell *sh, nx_handle_t signal, uint64_t exit_bit)
{
    struct nx_named_handle h[NX_STARTUP_HANDLES_MAX];
    size_t n = add_pipe_end(h, 0, 0, &sh->nsh_in);
    n = add_pipe_end(h, n, 1, &sh->nsh_out);
    n = add_grants(h, n);
    sh->nsh_in = sh->nsh_out = (struct nx_pipe_handles){ 0 };  // moved
    long err = load("nsh", NULL, h, n, TERMINAL_SHELL_PAGES, &sh->proc);
    if (!err)
        err = nx_process_watch(sh->proc, signal, exit_bit);
    return err;
}

void shell_stop(struct shell *sh)
{
    if (sh->proc) {
        nx_process_kill(sh->proc);
        nx_handle_close(sh->proc);
        sh->proc = 0;
    }
    nx_pipe_close(&sh->in);
    nx_pipe_close(&sh->out);
}

long terminal_open_another(int place)
{
    static nx_handle_t others[TERMINAL_CHILDREN_MAX];  // kept: they are ours to account for
    static size_t nothers;
    if (nothers == TERMINAL_CHILDREN_MAX)
        return NX_ERR_NO_SPACE;
    struct nx_named_handle h[NX_STARTUP_HANDLES_MAX];
    char arg[2] = { (char)('0' + place % 10), '\0' };
    long err = load("terminal", arg, h, add_grants(h, 0), TERMINAL_CHILD_PAGES, &others[nothers]);
    if (!err)
        nothers++;
    return err;
}

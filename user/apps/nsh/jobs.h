#pragma once
// Programs the shell starts (jobs.c): each command of a pipeline a process of the shell's
// own, loaded from /boot (or the path it names), its stdin/stdout/stderr the pipes, files or
// console the command line chose (nx/stdio.h, "Standard handles"), its working directory
// the shell's (a directory handle, "cwd", and PWD) and the whole tree ("dir:/"), and the
// shell's network grant ("net", nx/net.h) if it has one. A job is a
// started pipeline: waited for in the foreground (keys go to its stdin, ^C ends it), or
// left running in the background (jobs, wait, fg).
#include <stdbool.h>
#include <nx/pipe.h>
#include "parse.h"

#define NSH_JOBS_MAX 8
#define NSH_PROGRAM_PAGES 256    // budget of a program the shell starts
#define NSH_SCRIPT_PAGES 768     // of a shell running a script (it starts programs too)
#define NSH_STATUS_INTERRUPTED 130

// One command ready to start: expanded words and its redirections.
struct nsh_run {
    int argc;
    char **argv;
    const char *in, *out, *err;
    bool append;
};

// Start cmds[0..n) as one pipeline (every one a program, none built in). Foreground: wait
// for it and return its status (the last command's). Background: return 0 once started.
// A command that cannot start is reported; the ones started are killed; status 127.
int nsh_job_run(const struct nsh_run *cmds, int n, bool background, const char *text);

// The same in the foreground with the first command's stdin a pipe that feed(ctx) writes to
// (a built-in command at the head of a pipeline: its stdout the pipe) before the wait.
int nsh_job_run_fed(const struct nsh_run *cmds, int n, void (*feed)(void *ctx, struct nx_pipe *),
                    void *ctx, const char *text);

// Report the background jobs that ended since the last call ("[N] done STATUS  TEXT").
void nsh_jobs_reap(void);

// Open `path` for a redirection as the command will: "<" must be a readable file; ">" is
// created (or truncated), ">>" created if missing. Prints why not and returns false.
bool nsh_redirect_ok(const char *path, bool output, bool append);

int cmd_jobs(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_fg(int argc, char **argv);

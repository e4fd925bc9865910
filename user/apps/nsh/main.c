// nsh, the Nexus OS shell: reads keys from its terminal (tty.c: the console service, or a
// Terminal's pipes), edits lines (lineedit.c), parses them (parse.c) and runs them (exec.c:
// built-in commands, programs as jobs in jobs.c). Its stdout goes to the terminal too, so
// command output and the editor's echo arrive in order: stdout is flushed before the editor
// draws. `nsh FILE` runs a script instead, and an interactive shell first runs /etc/profile
// if there is one. In a Terminal, the end of its keys (the Terminal gone) ends the shell.
//
// Nothing typed may end the shell: lines are bounded, bytes it does not understand are
// dropped by the editor, and every command checks its arguments.
#include <stdio.h>
#include <nx/nx.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include <nx/file.h>
#include "jobs.h"
#include "lineedit.h"
#include "nsh.h"
#include "tty.h"

nx_handle_t nsh_console;
uint64_t nsh_prompt_instret;
int nsh_status;

static struct ledit editor;

static void terminal_write(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    nsh_tty_write(s, len);
}

// Act on what the editor made of a key.
static void event(enum ledit_event ev)
{
    if (ev == LEDIT_NONE)
        return;
    if (ev == LEDIT_LINE && editor.truncated)
        printf("nsh: line longer than %d characters: not run (Up recalls what was kept)\n",
               LEDIT_LINE_MAX);
    else if (ev == LEDIT_LINE)
        nsh_run_line(editor.line);
    nsh_jobs_reap();
    nx_stdio_flush();
    ledit_start(&editor);
}

#define PROFILE "/etc/profile"

int main(int argc, char **argv)
{
    if (argc == 2)
        return nsh_run_script(argv[1]);
    if (argc > 2) {
        fprintf(stderr, "usage: nsh [SCRIPT]\n");
        return 2;
    }
    if (!nsh_tty_open()) {
        fprintf(stderr, "nsh: no console was granted, nor stdin and stdout pipes\n");
        return 1;
    }
    ledit_init(&editor, "nsh> ", terminal_write, NULL);
    printf("\nNexus OS shell; help lists the commands.\n");
    struct nx_fs_stat st;
    if (nx_fs_stat(PROFILE, &st) == NX_OK)
        nsh_run_script(PROFILE);
    nx_stdio_flush();
    nsh_prompt_instret = nx_rdinstret();
    ledit_start(&editor);
    for (;;) {
        char keys[64];
        long n = nsh_tty_read(keys, sizeof keys, NX_DEADLINE_NEVER);
        if (n == NX_ERR_PEER_CLOSED && !nsh_tty_piped())
            continue;  // the driver died; the next call waits on the endpoint for its restart
        if (n == 0 && nsh_tty_piped())
            return 0;  // the Terminal closed
        if (n < 0) {
            fprintf(stderr, "nsh: terminal read failed (%ld)\n", n);
            return 1;
        }
        for (long i = 0; i < n; i++)
            event(ledit_key(&editor, (unsigned char)keys[i]));
    }
}

// nsh, the Nexus OS shell: reads keys from the console service, edits lines (lineedit.c),
// splits them into words (cmdline.c) and runs commands (commands.c). Its stdout goes to the
// console too, so command output and the editor's echo arrive in order: stdout is flushed
// before the editor draws.
//
// Nothing typed may end the shell: lines are bounded, bytes it does not understand are
// dropped by the editor, and every command checks its arguments.
#include <stdio.h>
#include <nx/console.h>
#include <nx/nx.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include "lineedit.h"
#include "nsh.h"

nx_handle_t nsh_console;
uint64_t nsh_prompt_instret;
int nsh_status;

static struct ledit editor;

static void terminal_write(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    nx_console_write(nsh_console, s, len);
}

static void run_line(char *line)
{
    char *argv[CMDLINE_ARGS_MAX + 1];
    int argc = cmdline_split(line, argv, CMDLINE_ARGS_MAX);
    if (argc == CMDLINE_ERR_QUOTE) {
        printf("nsh: a quote is not closed\n");
    } else if (argc == CMDLINE_ERR_TOO_MANY) {
        printf("nsh: more than %d words\n", CMDLINE_ARGS_MAX);
    } else if (argc > 0) {
        const struct command *c = command_find(nsh_commands, nsh_ncommands, argv[0]);
        if (!c)
            printf("nsh: %s: unknown command (help lists them)\n", argv[0]);
        nsh_status = !c ? 127 : !command_args_ok(c, argc) ? nsh_usage(argv[0])
                   : c->run(argc, argv);
    }
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
        run_line(editor.line);
    nx_stdio_flush();
    ledit_start(&editor);
}

int main(void)
{
    nsh_console = nx_startup_handle("console");
    if (!nsh_console) {
        fprintf(stderr, "nsh: no console was granted\n");
        return 1;
    }
    nx_console_take_stdio(nsh_console);
    ledit_init(&editor, "nsh> ", terminal_write, NULL);
    printf("\nNexus OS shell; help lists the commands.\n");
    nx_stdio_flush();
    nsh_prompt_instret = nx_rdinstret();
    ledit_start(&editor);
    for (;;) {
        char keys[64];
        long n = nx_console_read(nsh_console, keys, sizeof keys, NX_DEADLINE_NEVER);
        if (n == NX_ERR_PEER_CLOSED)
            continue;  // the driver died; the next call waits on the endpoint for its restart
        if (n < 0) {
            fprintf(stderr, "nsh: console read failed (%ld)\n", n);
            return 1;
        }
        for (long i = 0; i < n; i++)
            event(ledit_key(&editor, (unsigned char)keys[i]));
    }
}

// The shell's commands. Each checks its own arguments and prints its own errors; none can
// end the shell.
#include <stdio.h>
#include <nx/nx.h>
#include "nsh.h"

#define NS_PER_MS 1000000ull

int nsh_usage(const char *name)
{
    const struct command *c = command_find(nsh_commands, nsh_ncommands, name);
    printf("usage: %s %s\n", name, c->usage);
    return 1;
}

static int cmd_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    for (size_t i = 0; i < nsh_ncommands; i++) {
        const struct command *c = &nsh_commands[i];
        printf("  %-8s %-18s %s\n", c->name, c->usage, c->help);
    }
    printf("keys: Left/Right, Home/End (^E), Backspace, Delete, Up/Down history, ^U erase, "
           "^C abandon\n");
    return 0;
}

static int cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    printf("\n");
    return 0;
}

static int cmd_uptime(int argc, char **argv)
{
    if (argc != 1)
        return nsh_usage(argv[0]);
    uint64_t ms = (uint64_t)nx_clock_get() / NS_PER_MS;
    printf("up %llu.%03llu s\n", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
    return 0;
}

static int cmd_mem(int argc, char **argv)
{
    if (argc != 1)
        return nsh_usage(argv[0]);
    long total = nx_system_info(NX_INFO_TOTAL_PAGES), free = nx_system_info(NX_INFO_FREE_PAGES);
    printf("pages: %ld total, %ld used, %ld free (4 KiB each: %ld KiB free)\n", total,
           total - free, free, free * 4);
    return nsh_mem_budgets();
}

const struct command nsh_commands[] = {
    { "help", "", "list the commands", cmd_help },
    { "echo", "[WORDS...]", "print the words", cmd_echo },
    { "uptime", "", "time since boot", cmd_uptime },
    { "mem", "", "free and used pages, budgets", cmd_mem },
    { "ps", "", "processes init started", cmd_ps },
    { "kill", "PID", "kill a process init started", cmd_kill },
    { "run", "PROGRAM [ARGS...]", "start a program from the boot archive", cmd_run },
    { "log", "", "the log's records", cmd_log },
    { "svc", "", "services registered with svcmgr", cmd_svc },
    { "bench", "", "IPC round trip between threads and between processes", cmd_bench },
    { "poweroff", "", "power the machine off", cmd_poweroff },
};
const size_t nsh_ncommands = sizeof nsh_commands / sizeof nsh_commands[0];

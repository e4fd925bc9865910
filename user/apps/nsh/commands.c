// The shell's commands. Each checks its own arguments and prints its own errors; none can
// end the shell.
#include <stdio.h>
#include <stdlib.h>
#include <nx/console.h>
#include <nx/nx.h>
#include <nx/stdio.h>
#include <nx/time.h>
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
    printf("keys: Left, Right, Home, End (^E), Backspace, Delete; Up, Down: history;\n"
           "      ^U erases the line, ^L draws it again, ^C abandons it\n");
    return 0;
}

static int cmd_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    printf("\n");
    return 0;
}

static int cmd_status(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("status %d\n", nsh_status);
    return nsh_status;
}

// In a login session, ending the shell logs out (login asks again); a restartable console
// shell comes back.
static int cmd_exit(int argc, char **argv)
{
    int status = argc > 1 ? atoi(argv[1]) : nsh_status;
    nx_stdio_flush();
    exit(status);
}

static int cmd_uptime(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint64_t ms = (uint64_t)nx_clock_get() / NS_PER_MS;
    printf("up %llu.%03llu s\n", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
    return 0;
}

static int cmd_date(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint64_t ns;
    long err = nx_wallclock_get(&ns);
    if (err) {
        printf("nsh: date: no wall clock: %s (%ld)\n", nsh_error(err), err);
        return 1;
    }
    struct nx_utc t;
    char iso[NX_UTC_ISO8601_LEN + 8];
    nx_utc_from_unix(ns / NX_NS_PER_S, &t);
    nx_utc_iso8601(&t, iso, sizeof iso);
    printf("%s\n", iso);
    return 0;
}

static int cmd_mem(int argc, char **argv)
{
    (void)argc, (void)argv;
    long total = nx_system_info(NX_INFO_TOTAL_PAGES), free = nx_system_info(NX_INFO_FREE_PAGES);
    printf("pages: %ld total, %ld used, %ld free (4 KiB each: %ld KiB free)\n", total,
           total - free, free, free * 4);
    return nsh_mem_budgets();
}

// Each hart's time running threads and halted, and its interrupts (NX_INFO_HART).
static void print_harts(void)
{
    printf("hart   busy ms   idle ms  IPIs sent  IPIs taken  timer irqs  hand-offs  "
           "shared maps\n");
    for (long i = 0, n = nx_system_info(NX_INFO_HARTS); i < n; i++) {
        long v[NX_HART_INFO_COUNT];
        for (int what = 0; what < NX_HART_INFO_COUNT; what++)
            v[what] = nx_system_info(NX_INFO_HART((unsigned)i, (unsigned)what));
        printf("%4ld %9ld %9ld %10ld %11ld %11ld %10ld %12ld\n", i,
               v[NX_HART_BUSY_NS] / (long)NS_PER_MS, v[NX_HART_IDLE_NS] / (long)NS_PER_MS,
               v[NX_HART_IPIS_SENT], v[NX_HART_IPIS_TAKEN], v[NX_HART_TIMER_IRQS],
               v[NX_HART_HAND_OFFS], v[NX_HART_SHARED_MAPS]);
    }
}

// The kernel's counters, each hart's, and the console driver's.
static int cmd_stats(int argc, char **argv)
{
    static const struct { int what; const char *name; } counters[] = {
        { NX_INFO_LIVE_PROCESSES, "live processes" },
        { NX_INFO_LIVE_OBJECTS, "live kernel objects" },
        { NX_INFO_LIVE_HANDLES, "live handles" },
        { NX_INFO_TIMER_IRQS, "timer interrupts" },
        { NX_INFO_BYTES_COPIED, "bytes copied by the kernel" },
        { NX_INFO_HARTS, "harts" },
        { NX_INFO_IPIS_SENT, "IPIs sent" },
        { NX_INFO_POWER_MODE, "power mode (0-2: NX_POWER_*)" },
    };
    (void)argc, (void)argv;
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        printf("%-28s %ld\n", counters[i].name, nx_system_info(counters[i].what));
    print_harts();
    struct nx_console_stats c;
    long r = nx_console_stats(nsh_console, &c);
    if (r < 0) {
        printf("nsh: stats: console: %s (%ld)\n", nsh_error(r), r);
        return 1;
    }
    printf("%-28s %llu in (%llu dropped), %llu out\n", "console bytes",
           (unsigned long long)c.received, (unsigned long long)c.dropped,
           (unsigned long long)c.written);
    return 0;
}

const struct command nsh_commands[] = {
    { "help", "", "list the commands", 0, 0, cmd_help },
    { "echo", "[WORDS...]", "print the words", 0, NSH_ARGS_MAX, cmd_echo },
    { "status", "", "the previous command's exit status (0: success)", 0, 0, cmd_status },
    { "uptime", "", "time since boot", 0, 0, cmd_uptime },
    { "date", "", "the date and time (UTC, ISO 8601)", 0, 0, cmd_date },
    { "mem", "", "free and used pages, budgets", 0, 0, cmd_mem },
    { "ps", "", "processes init started", 0, 0, cmd_ps },
    { "kill", "PID", "kill a process of this shell's, or one init started", 1, 1, cmd_kill },
    { "run", "PROGRAM [ARGS...]", "start a program through init (not waited for)", 1,
      NSH_ARGS_MAX, cmd_run },
    { "log", "", "the log's records", 0, 0, cmd_log },
    { "svc", "", "services registered with svcmgr", 0, 0, cmd_svc },
    { "stats", "", "kernel and console counters", 0, 0, cmd_stats },
    { "cd", "[DIR]", "change the working directory (default /)", 0, 1, cmd_cd },
    { "pwd", "", "print the working directory", 0, 0, cmd_pwd },
    { "jobs", "", "the background jobs", 0, 0, cmd_jobs },
    { "wait", "[%N]", "wait for the background jobs (^C stops waiting)", 0, 1, cmd_wait },
    { "fg", "[%N]", "wait for a background job in the foreground (^C ends it)", 0, 1, cmd_fg },
    { "ls", "[-l] [DIR]", "list a directory (default: the working one)", 0, 2, cmd_ls },
    { "write", "FILE TEXT...", "replace a file with the text and a newline", 2,
      NSH_ARGS_MAX, cmd_write },
    { "cp", "FROM TO", "copy a file", 2, 2, cmd_cp },
    { "mv", "FROM TO", "rename a file or directory", 2, 2, cmd_mv },
    { "rm", "PATH", "remove a file or an empty directory", 1, 1, cmd_rm },
    { "mkdir", "DIR", "make a directory", 1, 1, cmd_mkdir },
    { "stat", "PATH", "inode, type, links, size", 1, 1, cmd_stat },
    { "df", "", "free blocks and inodes, bytes copied", 0, 0, cmd_df },
    { "sync", "", "make everything written durable", 0, 0, cmd_sync },
    { "bench", "", "IPC round trip between threads and between processes", 0, 0, cmd_bench },
    { "exit", "[STATUS]", "end the shell (in a login session: log out)", 0, 1, cmd_exit },
    { "passwd", "[USER]", "change a password (default: $USER's)", 0, 1, cmd_passwd },
    { "useradd", "NAME", "add a user (asks for the recovery password)", 1, 1, cmd_useradd },
    { "poweroff", "", "power the machine off", 0, 0, cmd_poweroff },
};
const size_t nsh_ncommands = sizeof nsh_commands / sizeof nsh_commands[0];

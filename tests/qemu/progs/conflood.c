// Writes lines to the serial console from writers other than the shell, for as long as
// run_tests.py (console_lines_stay_whole) types commands at the shell: lines to the kernel
// debug console (not to the console the shell handed it: that is the shell's own stream),
// log records (this program may not reach the log service in the default system, so nx_log
// writes them to the debug console itself), and the kernel's report of each child it spawns
// ending. At the end it says how many of each it wrote.
#include <stdarg.h>
#include <stdio.h>
#include <nx/log.h>
#include <nx/nx.h>

#define RUN_NS 3000000000ull      // as long as the test types
#define PAUSE_NS 15000000ull      // between two lines
#define CHILD_EVERY 16            // a child every 16 lines
#define PAD "................................"

// Exits with status 3: the kernel reports only failures of processes a program started.
static void child(nx_handle_t unused)
{
    (void)unused;
    nx_exit_process(3);
}

static void debug_printf(const char *fmt, ...)
{
    char line[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    nx_debug_write(line, n);
}

static void pause(void)
{
    long n = nx_notification_create();
    uint64_t bits;
    nx_notify_wait_bits(n, (uint64_t)nx_clock_get() + PAUSE_NS, &bits);
    nx_handle_close(n);
}

int main(void)
{
    uint64_t end = (uint64_t)nx_clock_get() + RUN_NS;
    int lines = 0, children = 0;
    for (; (uint64_t)nx_clock_get() < end; lines++) {
        debug_printf("conflood: debug line %03d " PAD "\n", lines);
        nx_log(NX_LOG_WARN, "log line %03d " PAD, lines);
        if (lines % CHILD_EVERY == 0) {
            long proc = nx_spawn("confchild", 32, child, NX_HANDLE_INVALID);
            children += proc >= 0;
            if (proc >= 0)
                nx_handle_close(proc);
        }
        pause();
    }
    pause();  // the last child's end
    debug_printf("conflood: done: %d lines, %d children\n", lines, children);
    return 0;
}

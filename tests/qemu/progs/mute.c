// A program that takes its startup call and never answers it: its entry point (set by the
// Makefile) bypasses crt0 and the runtime. exectest checks that the loader gives up at its
// deadline. Uses no globals (gp is not set) and no TLS.
#include <nx/nx.h>

_Noreturn void mute_entry(nx_handle_t bootstrap)
{
    uint64_t out[6];
    nx_syscall7_out(NX_SYS_recv, bootstrap, (long)NX_DEADLINE_NEVER, 0, 0, 0, 0, 0, out);
    long n = nx_notification_create();
    for (;;)
        nx_notify_wait(n, (long)NX_DEADLINE_NEVER);
}

// main is never called; the runtime wants one to link.
int main(void)
{
    return 0;
}

// A program that takes its startup call and never answers it: its entry point (set by the
// Makefile) bypasses crt0 and the runtime. exectest checks that the loader gives up at its
// deadline. Uses no globals (gp is not set) and no TLS.
#include <nx/nx.h>

_Noreturn void mute_entry(nx_handle_t bootstrap)
{
    uint64_t out[6];
    nx_recv(bootstrap, NX_DEADLINE_NEVER, out);
    long n = nx_notification_create();
    for (;;)
        nx_notify_wait((nx_handle_t)n, NX_DEADLINE_NEVER, out);
}

// main is never called; the runtime wants one to link.
int main(void)
{
    return 0;
}

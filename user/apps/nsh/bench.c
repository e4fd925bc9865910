// The `bench` command: IPC round trips measured in place, from the running shell. A partner
// answers calls on a fresh endpoint, first as a second thread of the shell, then as a
// spawned process; the shell times ROUNDS calls. Under `qemu -icount shift=0` (make bench)
// instret counts instructions exactly; elsewhere the ns figure is the one to read.
// Prints "BENCH <name> <value>" lines for bench/run_bench.py.
#include <stdio.h>
#include <nx/ipc.h>
#include <nx/nx.h>
#include "nsh.h"

#define ROUNDS 2000
#define PARTNER_PAGES 128

enum { PING = 1, STOP = 2 };

// Answer PINGs until STOP. System calls only: it also runs as a bare thread and as a
// spawned process, neither of which has C library state.
static void partner(nx_handle_t ep)
{
    struct nx_msg m;
    long r = nx_ipc_recv(ep, &m, NX_DEADLINE_NEVER);
    while (r == NX_OK && NX_MSG_LABEL(m.info) == PING) {
        m.info = NX_MSG_INFO(PING, 0, 0);
        r = nx_ipc_reply_recv(ep, &m, NX_DEADLINE_NEVER);
    }
    if (r == NX_OK)
        nx_ipc_reply(&m);  // to the STOP
}

static uint64_t partner_stack[512] __attribute__((aligned(16)));

static void partner_thread(long ep)
{
    partner((nx_handle_t)ep);
    nx_thread_exit();
}

static long call(nx_handle_t ep, uint32_t label)
{
    struct nx_msg m = { .info = NX_MSG_INFO(label, 0, 0) };
    return nx_ipc_call(ep, &m, NX_DEADLINE_NEVER);
}

// Time ROUNDS calls to the partner on ep, print the result, stop the partner.
static void measure(nx_handle_t ep, const char *what, const char *figure)
{
    long r = call(ep, PING);  // the partner is now waiting in its loop
    uint64_t instret = nx_rdinstret(), ns = (uint64_t)nx_clock_get();
    for (int i = 0; i < ROUNDS && r == NX_OK; i++)
        r = call(ep, PING);
    instret = (nx_rdinstret() - instret) / ROUNDS;
    ns = ((uint64_t)nx_clock_get() - ns) / ROUNDS;
    if (r == NX_OK) {
        printf("bench: call/reply %s: %llu instructions, %llu ns per round trip\n", what,
               (unsigned long long)instret, (unsigned long long)ns);
        printf("BENCH %s %llu\n", figure, (unsigned long long)instret);
    } else {
        printf("bench: call/reply %s failed (%ld)\n", what, r);
    }
    call(ep, STOP);
}

static void between_threads(nx_handle_t ep)
{
    struct nx_process_info self;
    nx_process_info(nx_self, &self);
    long t = nx_thread_create(nx_self, (long)partner_thread, (long)&partner_stack[512], ep,
                              self.priority);
    if (t < 0) {
        printf("bench: cannot start the partner thread (%ld)\n", t);
        return;
    }
    measure(ep, "between two threads", "shell_ipc_thread_instr");
    nx_yield();  // the partner exits before its stack can be used again
    nx_handle_close(t);
}

static void between_processes(nx_handle_t ep)
{
    long dup = nx_handle_duplicate(ep, NX_RIGHTS_SAME);
    long child = dup < 0 ? dup : nx_spawn("bench-partner", PARTNER_PAGES, partner, dup);
    if (child < 0) {
        printf("bench: cannot start the partner process (%ld)\n", child);
        return;
    }
    measure(ep, "between two processes", "shell_ipc_process_instr");
    nx_handle_close(child);
}

int cmd_bench(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("BENCH prompt_instret %llu\n", (unsigned long long)nsh_prompt_instret);
    long ep = nx_endpoint_create();
    if (ep < 0) {
        printf("bench: no endpoint (%ld)\n", ep);
        return 1;
    }
    between_threads((nx_handle_t)ep);
    between_processes((nx_handle_t)ep);
    nx_handle_close(ep);
    return 0;
}

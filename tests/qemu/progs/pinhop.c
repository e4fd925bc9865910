// A thread that pins itself to another hart (nx_thread_set_affinity) moves there through
// sched_yield; so does one that yields while another hart idles. This one hops from hart to
// hart, yielding on each; then a child started on an idle hart pins itself elsewhere, serves
// calls there and is killed. Once, the yielding thread took the other hart's identity (two
// harts on one idle stack: the kill then hung) or sat queued there with no IPI sent (every
// hart halted).
#include <stdbool.h>
#include <nx/ipc.h>
#include <nx/loader.h>
#include <nx/nx.h>

#define ROUNDS_PER_HART 3
#define CALLS 100

static uint32_t harts, child_hart;

static void pin_self(uint32_t hart)
{
    nx_thread_set_affinity(NX_HANDLE_INVALID, 1ull << hart);
}

static uint32_t my_hart(void)
{
    struct nx_process_info info;
    nx_process_info(nx_self, &info);
    return info.thread_hart[0];
}

static void child(nx_handle_t ep)
{
    pin_self(child_hart);
    struct nx_msg m = { .info = 0 };
    long r = nx_ipc_recv(ep, &m, NX_DEADLINE_NEVER);
    while (r == NX_OK) {
        m.info = 0;
        r = nx_ipc_reply_recv(ep, &m, NX_DEADLINE_NEVER);
    }
}

static bool hop(void)
{
    for (uint32_t round = 0; round < ROUNDS_PER_HART * harts; round++) {
        uint32_t h = round % harts;
        pin_self(h);
        for (int i = 0; i < 3; i++)
            nx_yield();
        if (my_hart() != h) {
            nx_printf("pinhop: pinned to hart %u, on %u: WRONG\n", h, my_hart());
            return false;
        }
    }
    nx_thread_set_affinity(NX_HANDLE_INVALID, ~0ull);
    for (int i = 0; i < 10; i++)
        nx_yield();  // other harts idle: the thread may go to one of them each time
    return true;
}

static bool pinned_child(void)
{
    child_hart = harts - 1;
    pin_self(0);
    long ep = nx_endpoint_create();
    long c = nx_spawn("pinhop-child", 64, child,
                      (nx_handle_t)nx_handle_duplicate((nx_handle_t)ep, NX_RIGHTS_SAME));
    struct nx_msg m = { .info = 0 };
    for (int i = 0; i < CALLS; i++)
        if (nx_ipc_call((nx_handle_t)ep, &m, NX_DEADLINE_NEVER) != NX_OK)
            return false;
    struct nx_process_info info;
    bool there = nx_process_info((nx_handle_t)c, &info) == NX_OK &&
                 info.thread_hart[0] == child_hart;
    long status;
    nx_process_kill((nx_handle_t)c);
    nx_process_wait((nx_handle_t)c, NX_DEADLINE_NEVER, &status);
    nx_handle_close((nx_handle_t)c);
    nx_handle_close((nx_handle_t)ep);
    if (!there)
        nx_printf("pinhop: child not on hart %u: WRONG\n", child_hart);
    return there;
}

int main(void)
{
    harts = (uint32_t)nx_system_info(NX_INFO_HARTS);
    if (hop() && pinned_child())
        nx_printf("pinhop: %u harts, ok\n", harts);
    return 0;
}

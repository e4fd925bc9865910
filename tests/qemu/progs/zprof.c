#include <nx/ipc.h>
#include <nx/nx.h>
static uint64_t server_stack[1024] __attribute__((aligned(16)));
static void server(long ep, struct nx_ipc_buffer *ipc)
{
    (void)ipc;
    struct nx_msg m = { .info = 0 };
    long r = nx_ipc_recv((nx_handle_t)ep, &m, NX_DEADLINE_NEVER);
    while (r == NX_OK) {
        m.info = 0;
        r = nx_ipc_reply_recv((nx_handle_t)ep, &m, NX_DEADLINE_NEVER);
    }
    nx_thread_exit();
}
int main(void)
{
    long ep = nx_endpoint_create();
    nx_thread_create(nx_self, (long)server, (long)&server_stack[1024], ep, 16);
    struct nx_msg m = { .info = 0 };
    for (int i = 0; i < 20; i++) { m.info = 1; nx_ipc_call(ep, &m, NX_DEADLINE_NEVER); }
    nx_debug_write((long)"MARK\n", 5);
    for (int i = 0; i < 3; i++) { m.info = 1; nx_ipc_call(ep, &m, NX_DEADLINE_NEVER); }
    nx_debug_write((long)"MARK\n", 5);
    return 0;
}

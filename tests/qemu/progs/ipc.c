// Endpoints through real syscalls, between two threads of one process: call/reply on the
// fast path, badges, bytes, handle moves and copies, deadlines, bad arguments, a server that
// dies mid-call, a bound notification, and the leak counters. Prints "ipc: <check> ok" or
// "... WRONG (got X, want Y)"; ends by exiting its last thread.
#include <nx/ipc.h>
#define TEST_NAME "ipc"
#include "expect.h"

#define MS 1000000ull
#define NEVER NX_DEADLINE_NEVER

// What the server does with a call, by label.
enum { ECHO = 1, BYTES, HANDLES, DIE, QUIT };


// ---- the server thread ----

static uint64_t server_stack[1024] __attribute__((aligned(16)));

// Answer *m (a request the server just received) in place.
static void serve(struct nx_msg *m, struct nx_ipc_buffer *ipc)
{
    uint32_t label = NX_MSG_LABEL(m->info);
    uint64_t sum = 0;
    switch (label) {
    case ECHO:  // words + 1, the caller's badge and flags back in w[3]
        m->w[0]++, m->w[1]++, m->w[2] = m->badge, m->w[3] = NX_MSG_FLAGS(m->info);
        m->info = NX_MSG_INFO(ECHO + 100, 0, 0);
        break;
    case BYTES:  // sum of the bytes, and the bytes reversed
        for (uint32_t i = 0, n = NX_MSG_NBYTES(m->info); i < n / 2; i++) {
            uint8_t b = ipc->bytes[i];
            ipc->bytes[i] = ipc->bytes[n - 1 - i];
            ipc->bytes[n - 1 - i] = b;
        }
        for (uint32_t i = 0; i < NX_MSG_NBYTES(m->info); i++)
            sum += ipc->bytes[i];
        m->w[0] = sum;
        m->info = NX_MSG_INFO(BYTES + 100, NX_MSG_NBYTES(m->info), 0);
        break;
    case HANDLES:  // how many came and their rights; then move them all back
        m->w[0] = NX_MSG_NHANDLES(m->info);
        m->w[1] = ipc->handle_rights[0];
        for (uint32_t i = 0; i < NX_MSG_NHANDLES(m->info); i++)
            ipc->handle_rights[i] = NX_RIGHTS_SAME;
        m->info = NX_MSG_INFO(HANDLES + 100, 0, NX_MSG_NHANDLES(m->info));
        break;
    }
}

static void server(long ep, struct nx_ipc_buffer *ipc)
{
    struct nx_msg m = { .info = 0 };
    long r = nx_ipc_recv((nx_handle_t)ep, &m, NEVER);
    while (r == NX_OK && NX_MSG_LABEL(m.info) != QUIT) {
        if (NX_MSG_LABEL(m.info) == DIE)
            nx_thread_exit();  // with the call still owed
        serve(&m, ipc);
        r = nx_ipc_reply_recv((nx_handle_t)ep, &m, NEVER);
    }
    m.info = NX_MSG_INFO(QUIT + 100, 0, 0);
    nx_ipc_reply(&m);
    nx_thread_exit();
}

static long start_server(long ep)
{
    return nx_thread_create(nx_self, (long)server, (long)&server_stack[1024], ep,
                            PRIO_USER_DEFAULT);
}

static void stop_server(long ep, long thread)
{
    struct nx_msg m = { .info = NX_MSG_INFO(QUIT, 0, 0) };
    expect("server quits", nx_ipc_call((nx_handle_t)ep, &m, NEVER), NX_OK);
    nx_yield();  // let it exit
    nx_handle_close(thread);
}

// ---- the checks ----

static void call_and_badges(long ep)
{
    struct nx_msg m = { .info = NX_MSG_INFO(ECHO, 0, 0), .w = { 10, 20, 0, 0 } };
    expect("call returns", nx_ipc_call(ep, &m, NEVER), NX_OK);
    expect("reply label", NX_MSG_LABEL(m.info), ECHO + 100);
    expect("reply words", (long)(m.w[0] + m.w[1]), 32);
    expect("server saw a call", (long)m.w[3], NX_MSG_CALL >> 56);
    expect("unbadged handle has badge 0", (long)m.w[2], 0);
    long minted = nx_endpoint_mint(ep, 0xbadc0de, NX_RIGHT_SIGNAL);
    expect("mint", minted > 0, 1);
    m.info = NX_MSG_INFO(ECHO, 0, 0);
    expect("call through a minted handle", nx_ipc_call(minted, &m, NEVER), NX_OK);
    expect("server sees the badge", (long)m.w[2], 0xbadc0de);
    expect("mint needs a zero badge source", nx_endpoint_mint(minted, 1, NX_RIGHTS_SAME),
           NX_ERR_ACCESS);
    expect("badge 0 is not a badge", nx_endpoint_mint(ep, 0, NX_RIGHTS_SAME), NX_ERR_INVALID);
    expect("minted handle cannot receive", nx_ipc_recv(minted, &m, 0), NX_ERR_ACCESS);
    nx_handle_close(minted);
}

static void bytes(long ep)
{
    uint64_t copied = (uint64_t)nx_system_info(NX_INFO_BYTES_COPIED);
    uint64_t sum = 0;
    for (int i = 0; i < NX_MSG_BYTES_MAX; i++)
        sum += nx_ipc_buffer->bytes[i] = (uint8_t)(i * 7);
    struct nx_msg m = { .info = NX_MSG_INFO(BYTES, NX_MSG_BYTES_MAX, 0) };
    expect("call with 1024 bytes", nx_ipc_call(ep, &m, NEVER), NX_OK);
    expect("server summed them", (long)m.w[0], (long)sum);
    expect("reply brings them back reversed", nx_ipc_buffer->bytes[0], (uint8_t)(1023 * 7));
    expect("kernel counted the copies",
           nx_system_info(NX_INFO_BYTES_COPIED) - (long)copied, 2 * NX_MSG_BYTES_MAX);
    m.info = NX_MSG_INFO(BYTES, NX_MSG_BYTES_MAX + 1, 0);
    expect("1025 bytes is too big", nx_ipc_call(ep, &m, NEVER), NX_ERR_TOO_BIG);
}

static void handles(long ep)
{
    long moved = nx_notification_create(), copied = nx_notification_create();
    nx_ipc_buffer->handles[0] = (nx_handle_t)moved;
    nx_ipc_buffer->handle_rights[0] = NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER;
    nx_ipc_buffer->handles[1] = (nx_handle_t)copied;
    nx_ipc_buffer->handle_rights[1] = NX_RIGHTS_SAME | NX_XFER_COPY;
    struct nx_msg m = { .info = NX_MSG_INFO(HANDLES, 0, 2) };
    expect("call with two handles", nx_ipc_call(ep, &m, NEVER), NX_OK);
    expect("server got two", (long)m.w[0], 2);
    expect("with the rights chosen", (long)m.w[1], NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
    expect("moved handle left the sender", nx_handle_info(moved), NX_ERR_BAD_HANDLE);
    expect("copied handle stayed", nx_handle_info_type(nx_handle_info(copied)), NX_OBJ_NOTIFICATION);
    expect("reply moved both back", NX_MSG_NHANDLES(m.info), 2);
    expect("moved one came back shrunk", nx_handle_info_rights(nx_handle_info(nx_ipc_buffer->handles[0])),
           NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
    nx_handle_close(nx_ipc_buffer->handles[0]);
    nx_handle_close(nx_ipc_buffer->handles[1]);

    long weak = nx_handle_duplicate(copied, NX_RIGHT_SIGNAL);
    nx_ipc_buffer->handles[0] = (nx_handle_t)weak;
    nx_ipc_buffer->handle_rights[0] = NX_RIGHTS_SAME;
    m.info = NX_MSG_INFO(HANDLES, 0, 1);
    expect("handle without TRANSFER is refused", nx_ipc_call(ep, &m, NEVER), NX_ERR_ACCESS);
    expect("and stays", nx_handle_info_type(nx_handle_info(weak)), NX_OBJ_NOTIFICATION);
    nx_ipc_buffer->handles[0] = NX_HANDLE_INVALID;
    expect("invalid handle is refused", nx_ipc_call(ep, &m, NEVER), NX_ERR_BAD_HANDLE);
    nx_handle_close(weak);
    nx_handle_close(copied);
}

static void bad_arguments(long ep)
{
    struct nx_msg m = { .info = NX_MSG_INFO(ECHO, 0, 0) | NX_MSG_CALL };
    expect("kernel flags are not the sender's", nx_ipc_call(ep, &m, NEVER), NX_ERR_INVALID);
    m.info = NX_MSG_INFO(ECHO, 0, NX_MSG_HANDLES_MAX + 1);
    expect("five handles is too many", nx_ipc_send(ep, &m, NEVER), NX_ERR_TOO_BIG);
    m.info = NX_MSG_INFO(ECHO, 0, 0);
    expect("bad handle", nx_ipc_call(NX_HANDLE_INVALID, &m, NEVER), NX_ERR_BAD_HANDLE);
    expect("wrong type", nx_ipc_call(nx_self, &m, NEVER), NX_ERR_WRONG_TYPE);
    expect("reply to nobody", nx_ipc_reply(&m), NX_ERR_BAD_STATE);
}

static void deadlines(void)
{
    long ep = nx_endpoint_create();
    struct nx_msg m = { .info = NX_MSG_INFO(ECHO, 0, 0) };
    expect("recv with a past deadline", nx_ipc_recv(ep, &m, 0), NX_ERR_TIMED_OUT);
    expect("send with nobody receiving", nx_ipc_send(ep, &m, 0), NX_ERR_TIMED_OUT);
    expect("call with a past deadline", nx_ipc_call(ep, &m, 0), NX_ERR_TIMED_OUT);
    uint64_t t0 = (uint64_t)nx_clock_get();
    long r = nx_ipc_recv(ep, &m, t0 + 2 * MS);
    uint64_t waited = (uint64_t)nx_clock_get() - t0;
    expect("recv times out at its deadline", r, NX_ERR_TIMED_OUT);
    expect("and not before", waited >= 2 * MS, 1);
    t0 = (uint64_t)nx_clock_get();
    r = nx_ipc_call(ep, &m, t0 + 2 * MS);
    expect("unanswered call times out", r, NX_ERR_TIMED_OUT);
    nx_handle_close(ep);
}

static void server_dies_mid_call(void)
{
    long ep = nx_endpoint_create();
    long t = start_server(ep);
    struct nx_msg m = { .info = NX_MSG_INFO(DIE, 0, 0) };
    expect("server dying mid-call", nx_ipc_call(ep, &m, NEVER), NX_ERR_PEER_CLOSED);
    nx_handle_close(t);
    nx_handle_close(ep);
}

static uint64_t closer_stack[512] __attribute__((aligned(16)));

static void closer(long ep)
{
    nx_thread_set_affinity(NX_HANDLE_INVALID, 1);  // main's hart: it runs once main blocks
    nx_handle_close((nx_handle_t)ep);  // while main is blocked in recv on it
    nx_thread_exit();
}

static void endpoint_closed_under_a_receiver(void)
{
    long ep = nx_endpoint_create();
    // Below our priority and on our hart, the closer runs only once we are blocked in recv
    // (at the same priority a time slice ending before the recv would let it close the
    // handle first; on another hart it would run at once).
    nx_thread_set_affinity(NX_HANDLE_INVALID, 1);
    long t = nx_thread_create(nx_self, (long)closer, (long)&closer_stack[512], ep,
                              PRIO_USER_DEFAULT - 1);
    struct nx_msg m;
    expect("closing the endpoint wakes its receiver", nx_ipc_recv(ep, &m, NEVER),
           NX_ERR_PEER_CLOSED);
    nx_thread_set_affinity(NX_HANDLE_INVALID, ~0ull);
    nx_handle_close(t);
}

static void bound_notification(void)
{
    long ep = nx_endpoint_create(), n = nx_notification_create();
    struct nx_msg m;
    expect("bind", nx_endpoint_bind(ep, n), NX_OK);
    nx_notify_signal(n, 0x30);
    expect("recv returns pending bits", nx_ipc_recv(ep, &m, NEVER), NX_OK);
    expect("as signals", (long)(m.info == NX_MSG_SIGNALS && m.w[0] == 0x30), 1);
    long other = nx_endpoint_create();
    expect("a notification binds to one endpoint", nx_endpoint_bind(other, n), NX_ERR_BAD_STATE);
    expect("unbind", nx_endpoint_bind(ep, NX_HANDLE_INVALID), NX_OK);
    nx_notify_signal(n, 0x1);
    expect("unbound bits do not wake recv", nx_ipc_recv(ep, &m, 0), NX_ERR_TIMED_OUT);
    nx_handle_close(other);
    nx_handle_close(n);
    nx_handle_close(ep);
}

int main(void)
{
    struct leak_baseline baseline = leak_baseline();
    long ep = nx_endpoint_create();
    expect("endpoint create", nx_handle_info(ep), NX_OBJ_ENDPOINT | (long)NX_RIGHTS_ALL << 8);
    long t = start_server(ep);
    call_and_badges(ep);
    bytes(ep);
    handles(ep);
    bad_arguments(ep);
    stop_server(ep, t);
    nx_handle_close(ep);
    deadlines();
    server_dies_mid_call();
    endpoint_closed_under_a_receiver();
    bound_notification();
    expect_no_leaks(baseline);
    nx_printf("ipc: %d failures\n", failures);
    nx_thread_exit();
    __builtin_unreachable();
}

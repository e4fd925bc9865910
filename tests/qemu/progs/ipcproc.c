// Endpoints between two processes (two address spaces): the server is a copy of this program
// started with nx_spawn. Call/reply, badges, bytes, handles moved and copied both ways,
// deadlines, a server killed mid-call, a bound notification, and the leak counters. Prints
// "ipcproc: <check> ok" or "... WRONG (got X, want Y)".
#include <nx/ipc.h>
#define TEST_NAME "ipcproc"
#include "expect.h"

#define MS 1000000ull
#define NEVER NX_DEADLINE_NEVER
#define SERVER_PAGES 64

// What the server does with a call, by label.
enum { ECHO = 1, BYTES, HANDLES, SLOW, STATUS, HANG, BIND };


// Wait until the deadline (NEVER: for good) on a notification nobody signals.
static void sleep_until(uint64_t deadline)
{
    long n = nx_notification_create();
    uint64_t bits;
    nx_notify_wait_bits((nx_handle_t)n, deadline, &bits);
    nx_handle_close(n);
}

static void sleep_ns(uint64_t ns)
{
    sleep_until((uint64_t)nx_clock_get() + ns);
}

// ---- the server process ----

static uint64_t signals_seen;
static long slow_reply_result;

// Answer *m in place (after a SLOW request has already been answered, or not, by hand).
static void serve(nx_handle_t ep, struct nx_msg *m)
{
    struct nx_ipc_buffer *b = nx_ipc_buffer;
    uint32_t nbytes = NX_MSG_NBYTES(m->info), nhandles = NX_MSG_NHANDLES(m->info);
    uint64_t sum = 0;
    switch (NX_MSG_LABEL(m->info)) {
    case ECHO:  // words + 1, the badge, the flags, the bound notification's bits so far
        m->w[0]++, m->w[1] = m->badge, m->w[2] = NX_MSG_FLAGS(m->info), m->w[3] = signals_seen;
        m->info = NX_MSG_INFO(ECHO + 100, 0, 0);
        break;
    case BYTES:  // the sum, and the bytes back reversed
        for (uint32_t i = 0; i < nbytes; i++)
            sum += b->bytes[i];
        for (uint32_t i = 0; i < nbytes / 2; i++) {
            uint8_t t = b->bytes[i];
            b->bytes[i] = b->bytes[nbytes - 1 - i];
            b->bytes[nbytes - 1 - i] = t;
        }
        m->w[0] = sum;
        m->info = NX_MSG_INFO(BYTES + 100, nbytes, 0);
        break;
    case HANDLES:  // what came (type and rights of the first), signal it, move it back
        m->w[0] = nhandles;
        m->w[1] = (uint64_t)nx_handle_info(b->handles[0]);
        nx_notify_signal(b->handles[0], 0x8);
        for (uint32_t i = 1; i < nhandles; i++)
            nx_handle_close(b->handles[i]);
        b->handle_rights[0] = NX_RIGHTS_SAME;
        m->info = NX_MSG_INFO(HANDLES + 100, 0, nhandles ? 1 : 0);
        break;
    case SLOW:  // answer late, after the caller gave up; remember what the reply said
        sleep_ns(5 * MS);
        m->info = NX_MSG_INFO(SLOW + 100, 0, 0);
        slow_reply_result = nx_ipc_reply(m);
        m->info = NX_MSG_INFO(STATUS + 100, 0, 0);  // for the reply_recv: nobody waits now
        break;
    case STATUS:
        m->w[0] = (uint64_t)slow_reply_result;
        m->info = NX_MSG_INFO(STATUS + 100, 0, 0);
        break;
    case HANG:  // never answer; signal the notification that came along, if one did
        if (nhandles)
            nx_notify_signal(b->handles[0], 1);
        sleep_until(NEVER);
        break;
    case BIND: {  // bind a notification to ep and hand out a SIGNAL handle to it
        long n = nx_notification_create();
        m->w[0] = (uint64_t)nx_endpoint_bind(ep, n);
        b->handles[0] = (nx_handle_t)nx_handle_duplicate(n, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
        b->handle_rights[0] = NX_RIGHT_SIGNAL;
        m->info = NX_MSG_INFO(BIND + 100, 0, 1);
        break;
    }
    }
}

static void server(nx_handle_t ep)
{
    struct nx_msg m = { .info = 0 };
    long r = nx_ipc_recv(ep, &m, NEVER);
    while (r == NX_OK) {
        if (m.info & NX_MSG_SIGNALS) {
            signals_seen |= m.w[0];
            r = nx_ipc_recv(ep, &m, NEVER);
            continue;
        }
        serve(ep, &m);
        r = nx_ipc_reply_recv(ep, &m, NEVER);
    }
}

// ---- the client (this process) ----

static long call(nx_handle_t ep, uint32_t label, uint32_t nbytes, uint32_t nhandles,
                 struct nx_msg *m, uint64_t deadline)
{
    m->info = NX_MSG_INFO(label, nbytes, nhandles);
    return nx_ipc_call(ep, m, deadline);
}

static void call_and_badges(nx_handle_t ep)
{
    struct nx_msg m = { .w = { 41, 0, 0, 0 } };
    expect("call to another process", call(ep, ECHO, 0, 0, &m, NEVER), NX_OK);
    expect("its reply", NX_MSG_LABEL(m.info) == ECHO + 100 && m.w[0] == 42, 1);
    expect("the server saw a call", (long)m.w[2], NX_MSG_CALL >> 56);
    long a = nx_endpoint_mint(ep, 0xa, NX_RIGHT_SIGNAL), b = nx_endpoint_mint(ep, 0xb, NX_RIGHT_SIGNAL);
    call(a, ECHO, 0, 0, &m, NEVER);
    expect("badge of client a", (long)m.w[1], 0xa);
    call(b, ECHO, 0, 0, &m, NEVER);
    expect("badge of client b", (long)m.w[1], 0xb);
    nx_handle_close(a);
    nx_handle_close(b);
}

static void bytes(nx_handle_t ep)
{
    uint64_t sum = 0;
    for (int i = 0; i < NX_MSG_BYTES_MAX; i++)
        sum += nx_ipc_buffer->bytes[i] = (uint8_t)(i * 13 + 1);
    struct nx_msg m;
    expect("1024 bytes across", call(ep, BYTES, NX_MSG_BYTES_MAX, 0, &m, NEVER), NX_OK);
    expect("arrived intact", (long)m.w[0], (long)sum);
    expect("and came back reversed",
           nx_ipc_buffer->bytes[0] == (uint8_t)(1023 * 13 + 1) &&
               nx_ipc_buffer->bytes[1023] == 1, 1);
}

static void handles(nx_handle_t ep)
{
    long moved = nx_notification_create(), copied = nx_notification_create();
    uint64_t bits;
    nx_ipc_buffer->handles[0] = (nx_handle_t)moved;
    nx_ipc_buffer->handle_rights[0] = NX_RIGHT_SIGNAL | NX_RIGHT_WAIT | NX_RIGHT_TRANSFER;
    nx_ipc_buffer->handles[1] = (nx_handle_t)copied;
    nx_ipc_buffer->handle_rights[1] = NX_RIGHT_SIGNAL | NX_XFER_COPY;
    struct nx_msg m;
    expect("move one handle, copy another", call(ep, HANDLES, 0, 2, &m, NEVER), NX_OK);
    expect("both arrived", (long)m.w[0], 2);
    expect("with the rights the sender chose", (long)m.w[1],
           NX_OBJ_NOTIFICATION | (long)(NX_RIGHT_SIGNAL | NX_RIGHT_WAIT | NX_RIGHT_TRANSFER) << 8);
    expect("the moved handle left this process", nx_handle_info(moved), NX_ERR_BAD_HANDLE);
    expect("the copied one stayed", nx_handle_info_type(nx_handle_info(copied)), NX_OBJ_NOTIFICATION);
    nx_handle_t back = nx_ipc_buffer->handles[0];
    expect("the reply moved it back", NX_MSG_NHANDLES(m.info), 1);
    expect("and the server's signal on it is here",
           nx_notify_poll_bits(back, &bits) == NX_OK ? (long)bits : -1, 0x8);
    nx_handle_close(back);

    long weak = nx_handle_duplicate(copied, NX_RIGHT_SIGNAL);  // no TRANSFER
    nx_ipc_buffer->handles[0] = (nx_handle_t)weak;
    nx_ipc_buffer->handle_rights[0] = NX_RIGHTS_SAME;
    expect("a handle without TRANSFER stays home", call(ep, HANDLES, 0, 1, &m, NEVER),
           NX_ERR_ACCESS);
    long no_dup = nx_handle_duplicate(copied, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
    nx_ipc_buffer->handles[0] = (nx_handle_t)no_dup;
    nx_ipc_buffer->handle_rights[0] = NX_RIGHTS_SAME | NX_XFER_COPY;
    expect("copying needs DUPLICATE", call(ep, HANDLES, 0, 1, &m, NEVER), NX_ERR_ACCESS);
    nx_handle_close(no_dup);
    nx_handle_close(weak);
    nx_handle_close(copied);
}

static void deadlines(nx_handle_t ep)
{
    struct nx_msg m;
    uint64_t t0 = (uint64_t)nx_clock_get();
    expect("a late reply times the call out", call(ep, SLOW, 0, 0, &m, t0 + MS),
           NX_ERR_TIMED_OUT);
    expect("at its deadline", (uint64_t)nx_clock_get() - t0 >= MS, 1);
    expect("the server is told its caller is gone", call(ep, STATUS, 0, 0, &m, NEVER) == NX_OK
           ? (long)m.w[0] : -1, NX_ERR_PEER_CLOSED);
}

static void bound_notification(nx_handle_t ep)
{
    struct nx_msg m;
    expect("server binds a notification", call(ep, BIND, 0, 0, &m, NEVER) == NX_OK
           ? (long)m.w[0] : -1, NX_OK);
    nx_handle_t n = nx_ipc_buffer->handles[0];
    expect("and hands out a SIGNAL handle", nx_handle_info_rights(nx_handle_info(n)), NX_RIGHT_SIGNAL);
    nx_notify_signal(n, 0x40);
    call(ep, ECHO, 0, 0, &m, NEVER);
    expect("its bits reached the server's recv", (long)m.w[3], 0x40);
    nx_handle_close(n);
}

// ---- a server killed mid-call ----

static uint64_t caller_stack[1024] __attribute__((aligned(16)));
static volatile long caller_result = 1;

static nx_handle_t call_held;  // signalled by the server once it holds the call

static void hanging_caller(long ep, struct nx_ipc_buffer *ipc)
{
    struct nx_msg m = { .info = NX_MSG_INFO(HANG, 0, 1) };
    ipc->handles[0] = call_held;
    ipc->handle_rights[0] = NX_RIGHT_SIGNAL | NX_XFER_COPY;
    caller_result = nx_ipc_call((nx_handle_t)ep, &m, NEVER);
    nx_thread_exit();
}

// Wait (up to 5 s: other harts may be slow to run the threads involved) until the hanging
// caller's result is no longer `result`.
static void wait_for_change(long result)
{
    uint64_t end = (uint64_t)nx_clock_get() + 5000 * MS;
    while (caller_result == result && (uint64_t)nx_clock_get() < end)
        sleep_ns(MS);
}

static void server_killed_mid_call(void)
{
    long ep = nx_endpoint_create();
    long child = nx_spawn("doomed", SERVER_PAGES, server,
                          (nx_handle_t)nx_handle_duplicate(ep, NX_RIGHT_WAIT | NX_RIGHT_TRANSFER));
    long held = nx_notification_create();
    call_held = (nx_handle_t)held;
    long t = nx_thread_create(nx_self, (long)hanging_caller, (long)&caller_stack[1024], ep,
                              PRIO_USER_DEFAULT);
    uint64_t bits;
    expect("the server holds the call",
           nx_notify_wait_bits((nx_handle_t)held, (uint64_t)nx_clock_get() + 5000 * MS, &bits),
           NX_OK);
    sleep_ns(10 * MS);
    expect("the call is still waiting", caller_result, 1);
    nx_process_kill(child);
    wait_for_change(1);
    expect("killing the server ends it with PEER_CLOSED", caller_result, NX_ERR_PEER_CLOSED);
    nx_handle_close(held);
    nx_handle_close(t);
    nx_handle_close(child);
    nx_handle_close(ep);
}

int main(void)
{
    struct leak_baseline baseline = leak_baseline();
    long ep = nx_endpoint_create();
    long child = nx_spawn("ipcserver", SERVER_PAGES, server,
                          (nx_handle_t)nx_handle_duplicate(ep, NX_RIGHT_WAIT | NX_RIGHT_TRANSFER));
    expect("server process started", child > 0 ? 1 : child, 1);
    call_and_badges((nx_handle_t)ep);
    bytes((nx_handle_t)ep);
    handles((nx_handle_t)ep);
    deadlines((nx_handle_t)ep);
    bound_notification((nx_handle_t)ep);
    nx_process_kill(child);
    nx_handle_close(child);
    nx_handle_close(ep);
    server_killed_mid_call();
    expect_no_leaks(baseline);
    nx_printf("ipcproc: %d failures\n", failures);
    return 0;
}

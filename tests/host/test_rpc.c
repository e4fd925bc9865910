// Host unit tests for user/lib/rpc.c: message packing and its bounds, the server's dispatch
// (size checks, unknown operations, which handles get closed), and the client call against a
// scripted fake kernel. The syscall stubs are plain declarations on the host (nx/syscall.h):
// this file defines them.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <nx/rpc.h>
#include <nx/thread.h>

// ---- the fake kernel ----

static struct nx_ipc_buffer ipc;
static nx_handle_t closed[16];
static int nclosed;
// What the next nx_call returns: the result, and the reply it "receives" into ipc.
static long call_result;
static struct nx_msg call_reply;
static const char *call_reply_bytes;

struct nx_ipc_buffer *nx_ipc_buf(void)
{
    return &ipc;
}

long nx_syscall0(long n)
{
    (void)n;
    return NX_ERR_BAD_SYSCALL;
}

long nx_syscall7(long n, long x0, long x1, long x2, long x3, long x4, long x5, long x6)
{
    (void)x1, (void)x2, (void)x3, (void)x4, (void)x5, (void)x6;
    if (n != NX_SYS_handle_close)
        return NX_ERR_BAD_SYSCALL;
    closed[nclosed++] = (nx_handle_t)x0;
    return NX_OK;
}

long nx_syscall7_out(long n, long x0, long x1, long x2, long x3, long x4, long x5, long x6,
                     uint64_t out[6])
{
    (void)x0, (void)x1, (void)x2, (void)x3, (void)x4, (void)x5, (void)x6;
    assert_int_equal(n, NX_SYS_call);
    if (call_reply_bytes)
        memcpy(ipc.bytes, call_reply_bytes, NX_MSG_NBYTES(call_reply.info));
    out[0] = call_reply.info;
    for (int i = 0; i < NX_MSG_WORDS; i++)
        out[1 + i] = call_reply.w[i];
    out[5] = 0;
    return call_result;
}

static int setup(void **state)
{
    (void)state;
    memset(&ipc, 0, sizeof(ipc));
    nclosed = 0;
    call_result = NX_OK;
    call_reply = (struct nx_msg){ .info = 0 };
    call_reply_bytes = NULL;
    return 0;
}

// ---- packing ----

static void test_pack_unpack_round_trip(void **state)
{
    (void)state;
    struct nx_msg m;
    struct nx_rpc_handles hs = { .count = 2, .h = { 11, 12 }, .rights = { NX_RIGHTS_SAME, 3 } };
    assert_int_equal(nx_rpc_pack(&m, &ipc, 7, -5, "hello", 6, &hs), NX_OK);
    assert_int_equal(NX_MSG_LABEL(m.info), 7);
    assert_int_equal(NX_MSG_NBYTES(m.info), 6);
    assert_int_equal(NX_MSG_NHANDLES(m.info), 2);
    assert_int_equal((long)m.w[0], -5);
    char out[8];
    size_t len = 0;
    struct nx_rpc_handles got;
    assert_int_equal(nx_rpc_unpack(&m, &ipc, out, sizeof(out), &len, &got), NX_OK);
    assert_int_equal(len, 6);
    assert_string_equal(out, "hello");
    assert_int_equal(got.count, 2);
    assert_int_equal(got.h[1], 12);
    assert_int_equal(got.rights[1], 3);
}

static void test_pack_bounds(void **state)
{
    (void)state;
    static char big[NX_MSG_BYTES_MAX + 1];
    struct nx_msg m;
    assert_int_equal(nx_rpc_pack(&m, &ipc, 1, 0, big, NX_MSG_BYTES_MAX, NULL), NX_OK);
    assert_int_equal(nx_rpc_pack(&m, &ipc, 1, 0, big, sizeof(big), NULL), NX_ERR_TOO_BIG);
    struct nx_rpc_handles five = { .count = 5 };
    assert_int_equal(nx_rpc_pack(&m, &ipc, 1, 0, NULL, 0, &five), NX_ERR_TOO_BIG);
}

static void test_unpack_bounds(void **state)
{
    (void)state;
    struct nx_msg m = { .info = NX_MSG_INFO(1, 16, 1) };
    ipc.handles[0] = 42;
    char small[8];
    size_t len = 99;
    struct nx_rpc_handles got;
    // Too big for the caller: the error, and the handles still reported so they can be closed.
    assert_int_equal(nx_rpc_unpack(&m, &ipc, small, sizeof(small), &len, &got), NX_ERR_TOO_BIG);
    assert_int_equal(got.count, 1);
    assert_int_equal(got.h[0], 42);
    assert_int_equal(len, 99);
    // An info word no kernel would deliver is refused, not trusted.
    m.info = NX_MSG_INFO(1, NX_MSG_BYTES_MAX + 1, 0);
    assert_int_equal(nx_rpc_unpack(&m, &ipc, small, sizeof(small), &len, &got), NX_ERR_INVALID);
}

// ---- dispatch ----

enum { OP_ECHO = 1, OP_KEEP, OP_FAIL, OP_HUGE, OP_COUNT };

static long echo(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    // Reading the request while writing the reply in place: the request is a copy.
    for (size_t i = 0; i < req->len; i++)
        req->reply[i] = (uint8_t)(req->data[req->len - 1 - i]);
    req->reply_len = req->len;
    return (long)req->badge;
}

static long keep_first(void *ctx, struct nx_rpc_req *req)
{
    *(nx_handle_t *)ctx = req->handles.h[0];
    req->handles.h[0] = NX_HANDLE_INVALID;
    req->reply_handles = (struct nx_rpc_handles){ .count = 1, .h = { 77 } };
    return NX_OK;
}

static long fail_with_handles(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    req->reply_len = 10;
    req->reply_handles = (struct nx_rpc_handles){ .count = 1, .h = { 88 } };
    return NX_ERR_NOT_FOUND;
}

static long huge(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    req->reply_len = NX_MSG_BYTES_MAX + 1;
    return NX_OK;
}

static long count(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx, (void)req;
    return 3;
}

static const struct nx_rpc_op ops[] = {
    { OP_ECHO, 1, 16, echo },
    { OP_KEEP, 0, 0, keep_first },
    { OP_FAIL, 0, 0, fail_with_handles },
    { OP_HUGE, 0, 0, huge },
    { OP_COUNT, 0, NX_MSG_BYTES_MAX, count },
};

static nx_handle_t kept;
static const struct nx_rpc_server server = { ops, sizeof(ops) / sizeof(ops[0]), &kept, NULL };
static uint8_t scratch[NX_MSG_BYTES_MAX];

static long dispatch(uint32_t op, const char *bytes, size_t len, uint32_t nhandles)
{
    struct nx_msg m = { .info = NX_MSG_INFO(op, len, nhandles) | NX_MSG_CALL, .badge = 9 };
    memcpy(ipc.bytes, bytes, len);
    for (uint32_t i = 0; i < nhandles; i++)
        ipc.handles[i] = 100 + i;
    long status = nx_rpc_dispatch(&server, &m, &ipc, scratch);
    assert_int_equal((long)m.w[0], status);
    assert_int_equal(NX_MSG_LABEL(m.info), 0);
    return status;
}

static void test_dispatch_runs_the_handler(void **state)
{
    (void)state;
    assert_int_equal(dispatch(OP_ECHO, "abc", 3, 0), 9);  // the badge, as echo returns it
    assert_memory_equal(ipc.bytes, "cba", 3);
    assert_int_equal(dispatch(OP_COUNT, "", 0, 0), 3);  // non-negative statuses pass through
    assert_int_equal(nclosed, 0);
}

static void test_dispatch_checks_sizes_and_ops(void **state)
{
    (void)state;
    assert_int_equal(dispatch(OP_ECHO, "", 0, 0), NX_ERR_INVALID);  // below min_len
    assert_int_equal(dispatch(OP_ECHO, "0123456789abcdefg", 17, 0), NX_ERR_INVALID);
    assert_int_equal(dispatch(99, "", 0, 2), NX_ERR_INVALID);  // unknown: handles closed
    assert_int_equal(nclosed, 2);
    assert_int_equal(closed[0], 100);
    assert_int_equal(closed[1], 101);
}

static void test_dispatch_handles(void **state)
{
    (void)state;
    // The handler keeps the first handle; the second is closed; the reply carries one.
    assert_int_equal(dispatch(OP_KEEP, "", 0, 2), NX_OK);
    assert_int_equal(kept, 100);
    assert_int_equal(nclosed, 1);
    assert_int_equal(closed[0], 101);
    assert_int_equal(ipc.handles[0], 77);
    // A failed request's reply carries nothing: its handles are closed, its bytes dropped.
    nclosed = 0;
    assert_int_equal(dispatch(OP_FAIL, "", 0, 0), NX_ERR_NOT_FOUND);
    assert_int_equal(nclosed, 1);
    assert_int_equal(closed[0], 88);
    // A reply larger than a message becomes NX_ERR_TOO_BIG.
    assert_int_equal(dispatch(OP_HUGE, "", 0, 0), NX_ERR_TOO_BIG);
}

// ---- the client ----

static void test_client_call(void **state)
{
    (void)state;
    uint32_t req = 5, rep = 0;
    call_reply = (struct nx_msg){ .info = NX_MSG_INFO(0, 4, 0), .w = { 2 } };
    call_reply_bytes = "\x07\0\0\0";
    assert_int_equal(nx_rpc_call(1, OP_ECHO, &req, sizeof(req), &rep, sizeof(rep),
                                 NX_DEADLINE_NEVER), 2);
    assert_int_equal(rep, 7);
    // A reply of the wrong size is refused; a negative status passes whatever the size.
    call_reply.info = NX_MSG_INFO(0, 2, 0);
    assert_int_equal(nx_rpc_call(1, OP_ECHO, &req, sizeof(req), &rep, sizeof(rep),
                                 NX_DEADLINE_NEVER), NX_ERR_INVALID);
    call_reply = (struct nx_msg){ .info = NX_MSG_INFO(0, 0, 0), .w = { (uint64_t)NX_ERR_ACCESS } };
    assert_int_equal(nx_rpc_call(1, OP_ECHO, &req, sizeof(req), &rep, sizeof(rep),
                                 NX_DEADLINE_NEVER), NX_ERR_ACCESS);
    // The IPC error itself.
    call_result = NX_ERR_TIMED_OUT;
    assert_int_equal(nx_rpc_call(1, OP_ECHO, &req, sizeof(req), &rep, sizeof(rep), 0),
                     NX_ERR_TIMED_OUT);
}

static void test_client_reply_too_big(void **state)
{
    (void)state;
    char rep[4];
    call_reply = (struct nx_msg){ .info = NX_MSG_INFO(0, 8, 1) };
    ipc.handles[0] = 55;
    struct nx_rpc_call c = { .op = 1, .rep = rep, .rep_cap = sizeof(rep) };
    assert_int_equal(nx_rpc(1, &c), NX_ERR_TOO_BIG);
    assert_int_equal(c.recv.count, 0);  // its handle was closed
    assert_int_equal(nclosed, 1);
    assert_int_equal(closed[0], 55);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pack_unpack_round_trip, setup),
        cmocka_unit_test_setup(test_pack_bounds, setup),
        cmocka_unit_test_setup(test_unpack_bounds, setup),
        cmocka_unit_test_setup(test_dispatch_runs_the_handler, setup),
        cmocka_unit_test_setup(test_dispatch_checks_sizes_and_ops, setup),
        cmocka_unit_test_setup(test_dispatch_handles, setup),
        cmocka_unit_test_setup(test_client_call, setup),
        cmocka_unit_test_setup(test_client_reply_too_big, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

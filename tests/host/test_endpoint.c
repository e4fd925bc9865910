// The IPC state machine (kernel/endpoint.c) through its syscall handlers, over real handle
// tables and a fake scheduler (support/fake_kernel.h): a test plays each thread in turn by
// setting current_thread, and a blocked thread's syscall result is its wait_result.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include <nexus/ipc.h>
#include <nexus/syscall.h>
#include "endpoint.h"
#include "handle.h"
#include "notification.h"
#include "process.h"
#include "sched.h"
#include "support/fake_kernel.h"
#include "syscall.h"
#include "support/panic_stub.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define NEVER NX_DEADLINE_NEVER
#define LABEL(l) NX_MSG_INFO(l, 0, 0)

struct tproc {
    struct process p;
    struct handle_table table;
};
struct tthread {
    struct thread t;
    struct nx_ipc_buffer ipc;
};

// Two processes: the client A and the server B, with two threads each, and budgets of PAGES
// object pages.
#define PAGES 16
static struct tproc procs[2];
static struct tthread threads[4];
#define CLIENT (&threads[0].t)
#define CLIENT2 (&threads[1].t)
#define SERVER (&threads[2].t)
#define SERVER2 (&threads[3].t)

// Objects to pass around in messages.
static struct kobject objs[4];
static int objs_destroyed;
static void count_destroy(struct kobject *k) { (void)k; objs_destroyed++; }

static int setup(void **state)
{
    fake_reset(0);
    memset(threads, 0, sizeof(threads));
    for (int i = 0; i < 2; i++)
        fake_process_init(&procs[i].p, &procs[i].table, PAGES);
    for (int i = 0; i < 4; i++) {
        threads[i].t.proc = &procs[i / 2].p;
        threads[i].t.ipc = &threads[i].ipc;
        threads[i].t.state = THREAD_RUNNING;
    }
    for (int i = 0; i < 4; i++)
        kobject_init(&objs[i], NX_OBJ_VMO, count_destroy);
    objs_destroyed = 0;
    endpoint_bytes_copied = 0;
    return 0;
}

// Every endpoint page comes back once the handles are gone, and no thread is left linked.
static int teardown(void **state)
{
    for (int i = 0; i < 2; i++)
        handle_table_destroy(&procs[i].table);
    assert_int_equal(fake.object_pages, 0);
    for (int i = 0; i < 4; i++)
        assert_null(threads[i].t.caller);
    return 0;
}

static struct thread *as(struct thread *t)
{
    current_thread = t;
    return t;
}

static struct handle_table *table_of(struct thread *t) { return t->proc->handles; }

// A new endpoint, its handle in t's process.
static nx_handle_t make_ep(struct thread *t)
{
    as(t);
    long h = sys_endpoint_create();
    assert_true(h > 0);
    return (nx_handle_t)h;
}

// A copy of `from`'s handle h in to's process, with `rights`.
static nx_handle_t give(struct thread *from, nx_handle_t h, struct thread *to, uint32_t rights)
{
    nx_handle_t out;
    assert_int_equal(handle_transfer(table_of(from), h, rights, true, table_of(to), &out), NX_OK);
    return out;
}

// An endpoint owned by the server with a handle for the client; *client_h gets that one.
static nx_handle_t server_ep(nx_handle_t *client_h)
{
    nx_handle_t h = make_ep(SERVER);
    *client_h = give(SERVER, h, CLIENT, NX_RIGHTS_ALL);
    return h;
}

static struct endpoint *ep_of(struct thread *t, nx_handle_t h)
{
    struct kobject *k;
    assert_int_equal(handle_get(table_of(t), h, NX_OBJ_ENDPOINT, 0, &k, NULL), NX_OK);
    return (struct endpoint *)k;
}

static nx_handle_t install(struct thread *t, struct kobject *o, uint32_t rights)
{
    nx_handle_t h;
    assert_int_equal(handle_install(table_of(t), o, rights, &h), NX_OK);
    return h;
}

static bool valid(struct thread *t, nx_handle_t h)
{
    struct kobject *k;
    return handle_get(table_of(t), h, NX_OBJ_ANY, 0, &k, NULL) == NX_OK;
}

// Fill t's handle table; returns one of the fillers.
static nx_handle_t fill_table(struct thread *t)
{
    nx_handle_t h = NX_HANDLE_INVALID;
    while (handle_table_live(table_of(t)) < NX_HANDLE_TABLE_SIZE)
        h = install(t, &objs[3], NX_RIGHT_READ);
    return h;
}

static void expect_out(struct thread *t, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                       uint64_t w3, uint64_t badge)
{
    uint64_t want[6] = { info, w0, w1, w2, w3, badge };
    for (int i = 0; i < 6; i++)
        assert_int_equal(t->out[i], want[i]);
}

// What thread_kill does to a thread's IPC.
static void kill(struct thread *t)
{
    sched_cancel_wait(t);
    endpoint_thread_exit(t);
    t->state = THREAD_DEAD;
}

// ---- creation and minting ----

static void create_gives_all_rights_and_no_badge(void **state)
{
    nx_handle_t h = make_ep(SERVER);
    uint32_t type, rights, badge = 99;
    struct kobject *k;
    assert_int_equal(handle_info(table_of(SERVER), h, &type, &rights), NX_OK);
    assert_int_equal(type, NX_OBJ_ENDPOINT);
    assert_int_equal(rights, NX_RIGHTS_ALL);
    assert_int_equal(handle_get(table_of(SERVER), h, NX_OBJ_ENDPOINT, 0, &k, &badge), NX_OK);
    assert_int_equal(badge, 0);
    assert_int_equal(fake.object_pages, 1);
    assert_int_equal(handle_close(table_of(SERVER), h), NX_OK);
    assert_int_equal(fake.object_pages, 0);
}

// Check, then act: a create that fails makes nothing (not even for a moment).
static void create_fails_cleanly(void **state)
{
    as(SERVER);
    struct process *p = SERVER->proc;
    p->budget.limit = 0;
    struct fake_state before = fake_state(p);
    assert_int_equal(sys_endpoint_create(), NX_ERR_NO_MEMORY);
    struct fake_state after = fake_state(p);
    assert_memory_equal(&after, &before, sizeof(before));
    p->budget.limit = PAGES;
    fill_table(SERVER);
    before = fake_state(p);
    assert_int_equal(sys_endpoint_create(), NX_ERR_NO_SPACE);
    after = fake_state(p);
    assert_memory_equal(&after, &before, sizeof(before));
}

// syscall_install cannot fail: a handler that did not check the room first panics.
static void install_without_room_panics(void **state)
{
    as(SERVER);
    nx_handle_t filler = fill_table(SERVER);
    assert_int_equal(syscall_room(1), NX_ERR_NO_SPACE);
    kobject_ref(&objs[0]);
    assert_true(PANICS(syscall_install(&objs[0], NX_RIGHT_READ)));
    kobject_unref(&objs[0]);
    assert_int_equal(handle_close(table_of(SERVER), filler), NX_OK);
    assert_int_equal(syscall_room(1), NX_OK);
}

static void mint_fixes_a_badge_the_receiver_sees(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(CLIENT);
    long m = sys_endpoint_mint(c, 0xfeedbeef, NX_RIGHT_SIGNAL);
    assert_true(m > 0);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(sys_send(m, LABEL(1), 0, 0, 0, 0, NEVER), NX_OK);
    expect_out(SERVER, LABEL(1), 0, 0, 0, 0, 0xfeedbeef);
    // The minted handle has only SIGNAL: it cannot receive, or mint again.
    assert_int_equal(sys_recv(m, NEVER), NX_ERR_ACCESS);
    assert_int_equal(sys_endpoint_mint(m, 5, NX_RIGHTS_SAME), NX_ERR_ACCESS);
}

static void mint_refuses_bad_arguments(void **state)
{
    nx_handle_t c;
    server_ep(&c);
    nx_handle_t obj = install(CLIENT, &objs[0], NX_RIGHTS_ALL);
    nx_handle_t weak = give(CLIENT, c, CLIENT, NX_RIGHTS_ALL & ~NX_RIGHT_MANAGE);
    as(CLIENT);
    uint32_t before = handle_table_live(table_of(CLIENT));
    assert_int_equal(sys_endpoint_mint(c, 0, NX_RIGHTS_SAME), NX_ERR_INVALID);
    assert_int_equal(sys_endpoint_mint(c, 1ull << 32, NX_RIGHTS_SAME), NX_ERR_INVALID);
    assert_int_equal(sys_endpoint_mint(c, 1, 1ull << 32), NX_ERR_INVALID);
    assert_int_equal(sys_endpoint_mint(c, 1, NX_RIGHTS_ALL | (1u << 20)), NX_ERR_ACCESS);
    assert_int_equal(sys_endpoint_mint(weak, 1, NX_RIGHTS_SAME), NX_ERR_ACCESS);
    assert_int_equal(sys_endpoint_mint(obj, 1, NX_RIGHTS_SAME), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_endpoint_mint(c | (1ull << 32), 1, NX_RIGHTS_SAME), NX_ERR_BAD_HANDLE);
    long m = sys_endpoint_mint(c, 7, NX_RIGHTS_SAME);
    assert_true(m > 0);
    assert_int_equal(sys_endpoint_mint(m, 8, NX_RIGHTS_SAME), NX_ERR_INVALID);  // already badged
    assert_int_equal(handle_table_live(table_of(CLIENT)), before + 1);
}

// ---- the fast path ----

typedef long ipc_fn(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

// A call to a waiting server and its reply through call and reply_recv: the CPU goes straight
// to the peer both ways, and the server ends back on the receivers.
static void round_trip(ipc_fn *call, ipc_fn *reply_recv)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(call(c, LABEL(7), 1, 2, 3, 4, NEVER), FAKE_BLOCKED);
    assert_ptr_equal(fake.switched_to, SERVER);
    assert_int_equal(SERVER->wait_result, NX_OK);
    expect_out(SERVER, LABEL(7) | NX_MSG_CALL, 1, 2, 3, 4, 0);
    assert_ptr_equal(SERVER->caller, CLIENT);
    assert_ptr_equal(CLIENT->server, SERVER);
    assert_true(fake_blocked(CLIENT));
    assert_null(ep_of(SERVER, s)->receivers.head);

    as(SERVER);
    assert_int_equal(reply_recv(s, LABEL(8), 5, 6, 7, 8, NEVER), FAKE_BLOCKED);
    assert_ptr_equal(fake.switched_to, CLIENT);
    assert_int_equal(CLIENT->wait_result, NX_OK);
    expect_out(CLIENT, LABEL(8), 5, 6, 7, 8, 0);
    assert_null(SERVER->caller);
    assert_null(CLIENT->server);
    assert_true(fake_blocked(SERVER));
    assert_ptr_equal(ep_of(SERVER, s)->receivers.head, SERVER);
    assert_ptr_equal(SERVER->wait_queue, &ep_of(SERVER, s)->receivers);
    assert_int_equal(fake.wakes, 0);  // neither side went through the run queue
    assert_int_equal(endpoint_bytes_copied, 0);
    assert_int_equal(fake.ipc_switch_mismatches, 0);
}

static void call_to_waiting_server_switches_there_and_back(void **state)
{
    round_trip(sys_call, sys_reply_recv);
    assert_int_equal(fake.hand_offs, 0);
    assert_int_equal(fake.ipc_switches, 2);
}

// Bytes and handles take the same direct switch both ways (the payload moves first), with
// the message registers handed over as the receiver's out[].
static void payloads_take_the_fast_path_both_ways(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    nx_handle_t h = install(CLIENT, &objs[0], NX_RIGHTS_ALL);
    memcpy(CLIENT->ipc->bytes, "ping", 4);
    CLIENT->ipc->handles[0] = h;
    CLIENT->ipc->handle_rights[0] = NX_RIGHTS_SAME;
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(sys_call(c, NX_MSG_INFO(7, 4, 1), 1, 2, 3, 4, NEVER), FAKE_BLOCKED);
    assert_ptr_equal(fake.switched_to, SERVER);
    expect_out(SERVER, NX_MSG_INFO(7, 4, 1) | NX_MSG_CALL, 1, 2, 3, 4, 0);
    assert_memory_equal(SERVER->ipc->bytes, "ping", 4);
    assert_false(valid(CLIENT, h));
    nx_handle_t got = SERVER->ipc->handles[0];
    assert_true(valid(SERVER, got));
    assert_int_equal(SERVER->ipc->handle_rights[0], NX_RIGHTS_ALL);

    memcpy(SERVER->ipc->bytes, "pong!", 5);
    SERVER->ipc->handle_rights[0] = NX_RIGHT_READ | NX_RIGHT_TRANSFER;
    as(SERVER);
    assert_int_equal(sys_reply_recv(s, NX_MSG_INFO(8, 5, 1), 5, 6, 7, 8, NEVER), FAKE_BLOCKED);
    assert_ptr_equal(fake.switched_to, CLIENT);
    expect_out(CLIENT, NX_MSG_INFO(8, 5, 1), 5, 6, 7, 8, 0);
    assert_memory_equal(CLIENT->ipc->bytes, "pong!", 5);
    assert_false(valid(SERVER, got));
    assert_true(valid(CLIENT, CLIENT->ipc->handles[0]));
    assert_int_equal(CLIENT->ipc->handle_rights[0], NX_RIGHT_READ | NX_RIGHT_TRANSFER);
    assert_ptr_equal(ep_of(SERVER, s)->receivers.head, SERVER);
    assert_int_equal(fake.ipc_switches, 2);
    assert_int_equal(fake.ipc_switch_mismatches, 0);
    assert_int_equal(fake.wakes, 0);
    assert_int_equal(endpoint_bytes_copied, 9);
}

// ---- the shared paths (the big lock held shared) ----

// The same round trip without the exclusive lock: the shared hand-off both ways.
static void shared_call_and_reply_hand_the_hart_over(void **state)
{
    round_trip(sys_call_shared, sys_reply_recv_shared);
    assert_int_equal(fake.hand_offs, 2);
    assert_int_equal(fake.exclusive, 0);
}

// Whatever the shared path cannot do, it leaves untouched and the general path does, under
// the exclusive lock: no receiver, a payload, a deadline, a peer that cannot take the hart.
static void shared_paths_fall_back_with_nothing_changed(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(CLIENT);
    // Nobody receives: the call waits in line (the general path).
    assert_int_equal(sys_call_shared(c, LABEL(1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    assert_int_equal(fake.exclusive, 1);
    assert_ptr_equal(ep_of(SERVER, s)->senders.head, CLIENT);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), NX_OK);  // takes the queued call
    // A reply while a sender waits? None here; a deadline takes the general path.
    assert_int_equal(sys_reply_recv_shared(s, LABEL(2), 0, 0, 0, 0, 5000), FAKE_BLOCKED);
    assert_int_equal(fake.exclusive, 2);
    assert_int_equal(fake.hand_offs, 0);
    as(CLIENT);
    // The server waits with a deadline now: a call that finds it, but may not hand off.
    fake.no_hand_off = true;
    assert_int_equal(sys_call_shared(c, LABEL(3), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    assert_int_equal(fake.exclusive, 3);
    assert_int_equal(fake.hand_offs, 0);
    // Bytes in the message: the general path, which reports its errors as ever.
    fake.no_hand_off = false;
    assert_int_equal(sys_call_shared(c, NX_MSG_INFO(4, NX_MSG_BYTES_MAX + 1, 0), 0, 0, 0, 0,
                                     NEVER), NX_ERR_TOO_BIG);
    assert_int_equal(fake.exclusive, 4);
    // A bad handle: the general path's error.
    assert_int_equal(sys_call_shared(c + 1, LABEL(5), 0, 0, 0, 0, NEVER), NX_ERR_BAD_HANDLE);
    assert_int_equal(fake.exclusive, 5);
    as(SERVER);  // the call of step 3 was taken (the general path switched to the server)
    assert_int_equal(sys_reply(LABEL(6), 0, 0, 0, 0), NX_OK);
}

// ---- queued senders ----

static void call_waits_in_line_until_the_server_receives(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 10, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(CLIENT2);
    assert_int_equal(sys_call(c, LABEL(2), 20, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), NX_OK);  // oldest first
    expect_out(SERVER, LABEL(1) | NX_MSG_CALL, 10, 0, 0, 0, 0);
    assert_true(fake_blocked(CLIENT));  // still, now for its reply
    assert_int_equal(sys_reply(LABEL(100), 11, 0, 0, 0), NX_OK);
    assert_false(fake_blocked(CLIENT));
    assert_int_equal(CLIENT->wait_result, NX_OK);
    expect_out(CLIENT, LABEL(100), 11, 0, 0, 0, 0);
    // reply_recv with a sender queued: take it at once, wake the caller the plain way.
    assert_int_equal(sys_recv(s, NEVER), NX_OK);
    expect_out(SERVER, LABEL(2) | NX_MSG_CALL, 20, 0, 0, 0, 0);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(3), 30, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(SERVER);
    assert_int_equal(sys_reply_recv(s, LABEL(200), 21, 0, 0, 0, NEVER), NX_OK);
    assert_int_equal(CLIENT2->wait_result, NX_OK);
    expect_out(CLIENT2, LABEL(200), 21, 0, 0, 0, 0);
    expect_out(SERVER, LABEL(3) | NX_MSG_CALL, 30, 0, 0, 0, 0);
    assert_ptr_equal(SERVER->caller, CLIENT);
    assert_int_equal(sys_reply(LABEL(300), 0, 0, 0, 0), NX_OK);
}

static void send_is_one_way(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(CLIENT);
    assert_int_equal(sys_send(c, LABEL(1), 1, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), NX_OK);
    expect_out(SERVER, LABEL(1), 1, 0, 0, 0, 0);  // no NX_MSG_CALL
    assert_int_equal(CLIENT->wait_result, NX_OK);
    assert_false(fake_blocked(CLIENT));
    assert_null(SERVER->caller);
    assert_int_equal(sys_reply(LABEL(0), 0, 0, 0, 0), NX_ERR_BAD_STATE);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(sys_send(c, LABEL(2), 2, 0, 0, 0, NEVER), NX_OK);  // receiver was there
    assert_int_equal(SERVER->wait_result, NX_OK);
    expect_out(SERVER, LABEL(2), 2, 0, 0, 0, 0);
}

// ---- bytes and handles ----

static void bytes_travel_both_ways_up_to_the_limit(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    for (int i = 0; i < NX_MSG_BYTES_MAX; i++)
        CLIENT->ipc->bytes[i] = (uint8_t)i;
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(sys_call(c, NX_MSG_INFO(1, NX_MSG_BYTES_MAX, 0), 0, 0, 0, 0, NEVER),
                     FAKE_BLOCKED);
    assert_memory_equal(SERVER->ipc->bytes, CLIENT->ipc->bytes, NX_MSG_BYTES_MAX);
    assert_int_equal(NX_MSG_NBYTES(SERVER->out[0]), NX_MSG_BYTES_MAX);
    memcpy(SERVER->ipc->bytes, "pong", 4);
    as(SERVER);
    assert_int_equal(sys_reply(NX_MSG_INFO(2, 4, 0), 0, 0, 0, 0), NX_OK);
    assert_memory_equal(CLIENT->ipc->bytes, "pong", 4);
    assert_int_equal(endpoint_bytes_copied, NX_MSG_BYTES_MAX + 4);
}

static void bad_info_is_refused_and_changes_nothing(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    uint64_t bad[][2] = {
        { NX_MSG_INFO(1, NX_MSG_BYTES_MAX + 1, 0), NX_ERR_TOO_BIG },
        { NX_MSG_INFO(1, 0, NX_MSG_HANDLES_MAX + 1), NX_ERR_TOO_BIG },
        { LABEL(1) | NX_MSG_CALL, NX_ERR_INVALID },
        { LABEL(1) | NX_MSG_SIGNALS, NX_ERR_INVALID },
        { LABEL(1) | (1ull << 52), NX_ERR_INVALID },
        { LABEL(1) | (1ull << 63), NX_ERR_INVALID },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(sys_call(c, bad[i][0], 0, 0, 0, 0, NEVER), (long)bad[i][1]);
        assert_int_equal(sys_send(c, bad[i][0], 0, 0, 0, 0, NEVER), (long)bad[i][1]);
    }
    assert_int_equal(sys_call(NX_HANDLE_INVALID, LABEL(1), 0, 0, 0, 0, NEVER),
                     NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_call(c | (1ull << 40), LABEL(1), 0, 0, 0, 0, NEVER), NX_ERR_BAD_HANDLE);
    nx_handle_t obj = install(CLIENT, &objs[0], NX_RIGHTS_ALL);
    assert_int_equal(sys_send(obj, LABEL(1), 0, 0, 0, 0, NEVER), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_recv(obj, NEVER), NX_ERR_WRONG_TYPE);
    nx_handle_t no_signal = give(CLIENT, c, CLIENT, NX_RIGHT_WAIT);
    assert_int_equal(sys_call(no_signal, LABEL(1), 0, 0, 0, 0, NEVER), NX_ERR_ACCESS);
    nx_handle_t no_wait = give(CLIENT, c, CLIENT, NX_RIGHT_SIGNAL);
    assert_int_equal(sys_recv(no_wait, NEVER), NX_ERR_ACCESS);
    assert_int_equal(sys_reply_recv(no_wait, LABEL(1), 0, 0, 0, 0, NEVER), NX_ERR_ACCESS);
    // The server never heard a thing.
    assert_true(fake_blocked(SERVER));
    assert_int_equal(SERVER->wait_result, FAKE_BLOCKED);
    assert_int_equal(fake.wakes, 0);
}

static void handles_move_by_default_and_copy_on_request(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    nx_handle_t moved = install(CLIENT, &objs[0], NX_RIGHTS_ALL);
    nx_handle_t copied = install(CLIENT, &objs[1], NX_RIGHTS_ALL);
    CLIENT->ipc->handles[0] = moved;
    CLIENT->ipc->handle_rights[0] = NX_RIGHT_READ | NX_RIGHT_TRANSFER;
    CLIENT->ipc->handles[1] = copied;
    CLIENT->ipc->handle_rights[1] = NX_RIGHTS_SAME | NX_XFER_COPY;
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(sys_send(c, NX_MSG_INFO(1, 0, 2), 0, 0, 0, 0, NEVER), NX_OK);
    assert_int_equal(NX_MSG_NHANDLES(SERVER->out[0]), 2);
    assert_false(valid(CLIENT, moved));
    assert_true(valid(CLIENT, copied));
    struct kobject *k;
    uint32_t type, rights;
    assert_int_equal(handle_get(table_of(SERVER), SERVER->ipc->handles[0], NX_OBJ_VMO, 0, &k,
                                NULL), NX_OK);
    assert_ptr_equal(k, &objs[0]);
    assert_int_equal(SERVER->ipc->handle_rights[0], NX_RIGHT_READ | NX_RIGHT_TRANSFER);
    assert_int_equal(handle_info(table_of(SERVER), SERVER->ipc->handles[1], &type, &rights),
                     NX_OK);
    assert_int_equal(rights, NX_RIGHTS_ALL);
    assert_int_equal(SERVER->ipc->handle_rights[1], NX_RIGHTS_ALL);
}

static void handle_errors_are_the_senders_and_change_nothing(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    nx_handle_t h = install(CLIENT, &objs[0], NX_RIGHTS_ALL & ~NX_RIGHT_DUPLICATE);
    nx_handle_t stuck = install(CLIENT, &objs[1], NX_RIGHT_READ);
    struct { nx_handle_t h; uint32_t rights; long err; } bad[] = {
        { NX_HANDLE_INVALID, NX_RIGHTS_SAME, NX_ERR_BAD_HANDLE },
        { stuck, NX_RIGHTS_SAME, NX_ERR_ACCESS },                     // no TRANSFER
        { h, NX_RIGHTS_SAME | NX_XFER_COPY, NX_ERR_ACCESS },          // copy needs DUPLICATE
        { h, NX_RIGHT_READ | NX_RIGHT_DUPLICATE, NX_ERR_ACCESS },     // rights only shrink
    };
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CLIENT->ipc->handles[0] = h;
        CLIENT->ipc->handle_rights[0] = NX_RIGHTS_SAME;
        CLIENT->ipc->handles[1] = bad[i].h;
        CLIENT->ipc->handle_rights[1] = bad[i].rights;
        assert_int_equal(sys_call(c, NX_MSG_INFO(1, 0, 2), 0, 0, 0, 0, NEVER), bad[i].err);
    }
    CLIENT->ipc->handles[1] = h;  // the same handle moved twice
    CLIENT->ipc->handle_rights[1] = NX_RIGHTS_SAME;
    assert_int_equal(sys_call(c, NX_MSG_INFO(1, 0, 2), 0, 0, 0, 0, NEVER), NX_ERR_INVALID);
    assert_true(valid(CLIENT, h));
    assert_int_equal(handle_table_live(table_of(SERVER)), 1);  // just the endpoint
    assert_true(fake_blocked(SERVER));
    assert_ptr_equal(ep_of(SERVER, s)->receivers.head, SERVER);  // still in line
    assert_int_equal(fake.ipc_switches, 0);
    // With nobody receiving, the same errors come at once instead of a wait in line.
    as(SERVER);
    kill(SERVER);
    as(CLIENT);
    CLIENT->ipc->handles[1] = stuck;
    assert_int_equal(sys_send(c, NX_MSG_INFO(1, 0, 2), 0, 0, 0, 0, NEVER), NX_ERR_ACCESS);
    assert_true(waitq_empty(&ep_of(CLIENT, c)->senders));
}

static void full_receiver_table_fails_the_waiting_sender(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    nx_handle_t h = install(CLIENT, &objs[0], NX_RIGHTS_ALL);
    CLIENT->ipc->handles[0] = h;
    CLIENT->ipc->handle_rights[0] = NX_RIGHTS_SAME;
    as(CLIENT);
    assert_int_equal(sys_call(c, NX_MSG_INFO(1, 0, 1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    fill_table(SERVER);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);  // the receiver keeps waiting...
    assert_int_equal(CLIENT->wait_result, NX_ERR_NO_SPACE);  // ...the sender hears why
    assert_false(fake_blocked(CLIENT));
    assert_true(valid(CLIENT, h));
    assert_null(SERVER->caller);
    // And on the fast path the caller gets the error straight back.
    as(CLIENT);
    assert_int_equal(sys_call(c, NX_MSG_INFO(1, 0, 1), 0, 0, 0, 0, NEVER), NX_ERR_NO_SPACE);
    assert_true(fake_blocked(SERVER));
    assert_true(valid(CLIENT, h));
}

static void handle_closed_while_queued_fails_the_sender(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    nx_handle_t h = install(CLIENT, &objs[0], NX_RIGHTS_ALL);
    CLIENT->ipc->handles[0] = h;
    CLIENT->ipc->handle_rights[0] = NX_RIGHTS_SAME;
    as(CLIENT);
    assert_int_equal(sys_send(c, NX_MSG_INFO(1, 0, 1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(CLIENT2);
    assert_int_equal(handle_close(table_of(CLIENT2), h), NX_OK);  // a sibling thread
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    assert_int_equal(CLIENT->wait_result, NX_ERR_BAD_HANDLE);
    assert_int_equal(handle_table_live(table_of(SERVER)), 1);
}

static void reply_can_carry_handles_and_fail_without_losing_the_call(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    nx_handle_t h = install(SERVER, &objs[0], NX_RIGHTS_ALL);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    nx_handle_t filler = fill_table(CLIENT);
    SERVER->ipc->handles[0] = h;
    SERVER->ipc->handle_rights[0] = NX_RIGHTS_SAME;
    as(SERVER);
    assert_int_equal(sys_reply(NX_MSG_INFO(2, 0, 1), 0, 0, 0, 0), NX_ERR_NO_SPACE);
    assert_int_equal(sys_reply_recv(s, NX_MSG_INFO(2, 0, 1), 0, 0, 0, 0, NEVER),
                     NX_ERR_NO_SPACE);
    assert_ptr_equal(SERVER->caller, CLIENT);  // still owed
    assert_true(fake_blocked(CLIENT));
    assert_int_equal(handle_close(table_of(CLIENT), filler), NX_OK);
    assert_int_equal(sys_reply(NX_MSG_INFO(2, 0, 1), 0, 0, 0, 0), NX_OK);
    assert_int_equal(CLIENT->wait_result, NX_OK);
    assert_false(valid(SERVER, h));
    assert_true(valid(CLIENT, CLIENT->ipc->handles[0]));
}

// ---- deadlines ----

static void past_deadlines_never_block(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    struct endpoint *ep = ep_of(SERVER, s);
    as(SERVER);
    assert_int_equal(sys_recv(s, 0), NX_ERR_TIMED_OUT);
    assert_int_equal(sys_recv(s, fake.now), NX_ERR_TIMED_OUT);
    as(CLIENT);
    assert_int_equal(sys_send(c, LABEL(1), 0, 0, 0, 0, fake.now), NX_ERR_TIMED_OUT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, 0), NX_ERR_TIMED_OUT);
    assert_true(waitq_empty(&ep->senders));
    assert_true(waitq_empty(&ep->receivers));
    // A call with a past deadline is not even delivered: its reply could never come in time.
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, fake.now - 1), NX_ERR_TIMED_OUT);
    assert_true(fake_blocked(SERVER));
    // A send with a past deadline still goes to a waiting receiver.
    assert_int_equal(sys_send(c, LABEL(2), 0, 0, 0, 0, 0), NX_OK);
    expect_out(SERVER, LABEL(2), 0, 0, 0, 0, 0);
}

static void deadline_passing_in_line_leaves_the_queue(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    struct endpoint *ep = ep_of(SERVER, s);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, fake.now + 10), FAKE_BLOCKED);
    as(CLIENT2);
    assert_int_equal(sys_send(c, LABEL(2), 0, 0, 0, 0, fake.now + 10), FAKE_BLOCKED);
    fake_timeout(CLIENT);
    assert_ptr_equal(ep->senders.head, CLIENT2);
    fake_timeout(CLIENT2);
    assert_true(waitq_empty(&ep->senders));
    as(SERVER);
    assert_int_equal(sys_recv(s, fake.now + 10), FAKE_BLOCKED);
    fake_timeout(SERVER);
    assert_int_equal(SERVER->wait_result, NX_ERR_TIMED_OUT);
    assert_true(waitq_empty(&ep->receivers));
}

static void caller_that_gave_up_is_not_replied_to(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, fake.now + 10), FAKE_BLOCKED);
    fake_timeout(CLIENT);  // the deadline covers the wait for the reply too
    assert_int_equal(CLIENT->wait_result, NX_ERR_TIMED_OUT);
    assert_null(CLIENT->server);
    as(SERVER);
    assert_int_equal(sys_reply(LABEL(2), 0, 0, 0, 0), NX_ERR_PEER_CLOSED);
    assert_int_equal(sys_reply(LABEL(2), 0, 0, 0, 0), NX_ERR_PEER_CLOSED);
    // reply_recv just drops such a reply and receives.
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(3), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    fake_timeout(CLIENT);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    assert_false(SERVER->caller_gone);
    assert_int_equal(sys_reply(LABEL(2), 0, 0, 0, 0), NX_ERR_BAD_STATE);
}

// ---- peers that die ----

static void caller_killed_in_line_or_in_service(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    struct endpoint *ep = ep_of(SERVER, s);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(CLIENT2);
    assert_int_equal(sys_call(c, LABEL(2), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    kill(CLIENT);
    assert_ptr_equal(ep->senders.head, CLIENT2);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), NX_OK);
    expect_out(SERVER, LABEL(2) | NX_MSG_CALL, 0, 0, 0, 0, 0);
    kill(CLIENT2);  // while the server holds its call
    assert_null(SERVER->caller);
    assert_int_equal(sys_reply(LABEL(9), 0, 0, 0, 0), NX_ERR_PEER_CLOSED);
    assert_int_equal(sys_reply_recv(s, LABEL(9), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
}

static void server_killed_mid_call_releases_the_caller(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(SERVER);
    kill(SERVER);
    assert_int_equal(CLIENT->wait_result, NX_ERR_PEER_CLOSED);
    assert_false(fake_blocked(CLIENT));
    assert_null(CLIENT->server);
    // A killed receiver leaves the queue: the next call waits in line instead.
    as(SERVER2);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    kill(SERVER2);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    assert_ptr_equal(ep_of(CLIENT, c)->senders.head, CLIENT);
    kill(CLIENT);
}

static void receiving_again_abandons_the_owed_reply(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), NX_OK);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    assert_int_equal(CLIENT->wait_result, NX_ERR_PEER_CLOSED);
    assert_null(SERVER->caller);
}

static void closing_the_endpoint_wakes_everyone(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    as(CLIENT);
    assert_int_equal(sys_call(c, LABEL(1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(CLIENT2);
    assert_int_equal(sys_send(c, LABEL(2), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    assert_int_equal(handle_close(table_of(CLIENT), c), NX_OK);
    assert_int_equal(fake.object_pages, 1);  // the server's handle keeps it
    assert_int_equal(handle_close(table_of(SERVER), s), NX_OK);
    assert_int_equal(fake.object_pages, 0);
    assert_int_equal(CLIENT->wait_result, NX_ERR_PEER_CLOSED);
    assert_int_equal(CLIENT2->wait_result, NX_ERR_PEER_CLOSED);

    s = make_ep(SERVER);
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    as(SERVER2);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    assert_int_equal(handle_close(table_of(SERVER), s), NX_OK);
    assert_int_equal(SERVER->wait_result, NX_ERR_PEER_CLOSED);
    assert_int_equal(SERVER2->wait_result, NX_ERR_PEER_CLOSED);
}

// ---- bound notifications ----

static struct notification notif;
static int notif_destroyed;
static void notif_destroy(struct kobject *k) { (void)k; notif_destroyed++; }

static nx_handle_t make_notif(struct thread *t, uint32_t rights)
{
    memset(&notif, 0, sizeof(notif));
    kobject_init(&notif.obj, NX_OBJ_NOTIFICATION, notif_destroy);
    notif_destroyed = 0;
    nx_handle_t h = install(t, &notif.obj, rights);
    kobject_unref(&notif.obj);  // the handle holds it now
    return h;
}

static void bound_notification_wakes_a_receiver(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    nx_handle_t n = make_notif(SERVER, NX_RIGHTS_ALL);
    as(SERVER);
    assert_int_equal(sys_endpoint_bind(s, n), NX_OK);
    assert_ptr_equal(notif.bound, ep_of(SERVER, s));
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    notif.bits = 0x5;
    endpoint_notify(notif.bound);  // what notification_signal does
    assert_int_equal(SERVER->wait_result, NX_OK);
    expect_out(SERVER, NX_MSG_SIGNALS, 0x5, 0, 0, 0, 0);
    assert_int_equal(notif.bits, 0);
    // Bits and queued messages both there take turns, so signals that keep coming (a
    // pager's requests) never keep a caller waiting: the last receive took signals, so the
    // message comes first, then the bits, then the next message.
    as(CLIENT);
    assert_int_equal(sys_send(c, LABEL(1), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    as(CLIENT2);
    assert_int_equal(sys_send(c, LABEL(2), 0, 0, 0, 0, NEVER), FAKE_BLOCKED);
    notif.bits = 0x80;
    as(SERVER);
    assert_int_equal(sys_recv(s, NEVER), NX_OK);
    expect_out(SERVER, LABEL(1), 0, 0, 0, 0, 0);
    notif.bits |= 0x40;   // signalled again meanwhile
    assert_int_equal(sys_recv(s, NEVER), NX_OK);
    expect_out(SERVER, NX_MSG_SIGNALS, 0xc0, 0, 0, 0, 0);
    notif.bits = 0x20;
    assert_int_equal(sys_recv(s, NEVER), NX_OK);
    expect_out(SERVER, LABEL(2), 0, 0, 0, 0, 0);
    // Bits alone come at once, whatever came last.
    assert_int_equal(sys_recv(s, NEVER), NX_OK);
    expect_out(SERVER, NX_MSG_SIGNALS, 0x20, 0, 0, 0, 0);
    // With nobody receiving, a signal leaves the bits where they are.
    notif.bits = 1;
    endpoint_notify(notif.bound);
    assert_int_equal(notif.bits, 1);
    // Binding when bits are pending wakes a receiver at once.
    assert_int_equal(sys_endpoint_bind(s, NX_HANDLE_INVALID), NX_OK);
    assert_null(notif.bound);
    assert_int_equal(sys_recv(s, NEVER), FAKE_BLOCKED);
    assert_int_equal(sys_endpoint_bind(s, n), NX_OK);
    expect_out(SERVER, NX_MSG_SIGNALS, 1, 0, 0, 0, 0);
    // Closing the endpoint unbinds and lets the notification go.
    assert_int_equal(handle_close(table_of(SERVER), n), NX_OK);
    assert_int_equal(notif_destroyed, 0);
    assert_int_equal(handle_close(table_of(SERVER), s), NX_OK);
    assert_int_equal(handle_close(table_of(CLIENT), c), NX_OK);
    assert_int_equal(notif_destroyed, 1);
}

static void bind_checks_rights_and_binds_once(void **state)
{
    nx_handle_t c;
    nx_handle_t s = server_ep(&c);
    nx_handle_t other = make_ep(SERVER);
    nx_handle_t n = make_notif(SERVER, NX_RIGHTS_ALL);
    nx_handle_t n_nowait = give(SERVER, n, SERVER, NX_RIGHT_SIGNAL);
    nx_handle_t s_nowait = give(SERVER, s, SERVER, NX_RIGHT_SIGNAL);
    as(SERVER);
    assert_int_equal(sys_endpoint_bind(s, n_nowait), NX_ERR_ACCESS);
    assert_int_equal(sys_endpoint_bind(s_nowait, n), NX_ERR_ACCESS);
    assert_int_equal(sys_endpoint_bind(n, n), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_endpoint_bind(s, s), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_endpoint_bind(s, n | (1ull << 33)), NX_ERR_BAD_HANDLE);
    assert_null(notif.bound);
    assert_int_equal(sys_endpoint_bind(s, n), NX_OK);
    assert_int_equal(sys_endpoint_bind(s, n), NX_OK);
    assert_int_equal(sys_endpoint_bind(other, n), NX_ERR_BAD_STATE);
    assert_ptr_equal(notif.bound, ep_of(SERVER, s));
    assert_int_equal(sys_endpoint_bind(s, NX_HANDLE_INVALID), NX_OK);
    assert_int_equal(sys_endpoint_bind(other, n), NX_OK);
    assert_ptr_equal(notif.bound, ep_of(SERVER, other));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(create_gives_all_rights_and_no_badge),
        T(create_fails_cleanly),
        T(install_without_room_panics),
        T(mint_fixes_a_badge_the_receiver_sees),
        T(mint_refuses_bad_arguments),
        T(call_to_waiting_server_switches_there_and_back),
        T(payloads_take_the_fast_path_both_ways),
        T(shared_call_and_reply_hand_the_hart_over),
        T(shared_paths_fall_back_with_nothing_changed),
        T(call_waits_in_line_until_the_server_receives),
        T(send_is_one_way),
        T(bytes_travel_both_ways_up_to_the_limit),
        T(bad_info_is_refused_and_changes_nothing),
        T(handles_move_by_default_and_copy_on_request),
        T(handle_errors_are_the_senders_and_change_nothing),
        T(full_receiver_table_fails_the_waiting_sender),
        T(handle_closed_while_queued_fails_the_sender),
        T(reply_can_carry_handles_and_fail_without_losing_the_call),
        T(past_deadlines_never_block),
        T(deadline_passing_in_line_leaves_the_queue),
        T(caller_that_gave_up_is_not_replied_to),
        T(caller_killed_in_line_or_in_service),
        T(server_killed_mid_call_releases_the_caller),
        T(receiving_again_abandons_the_owed_reply),
        T(closing_the_endpoint_wakes_everyone),
        T(bound_notification_wakes_a_receiver),
        T(bind_checks_rights_and_binds_once),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

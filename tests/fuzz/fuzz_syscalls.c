// libFuzzer target: sequences of system calls from three fake processes (two threads each)
// against the real handle tables, endpoints (IPC, handle transfer, badges, revocation) and
// their syscall layer, with the scheduler and object pages of tests/host/support/fake_kernel.
// Each input byte string is a program: which thread acts, which call, which arguments (handles
// it was given or guessed values, rights, message infos with bytes and handles, deadlines);
// threads block and are woken, time out, or are killed with their process. After every step
// the kernel's invariants must hold:
//   - budgets exact: every object page is charged to exactly one process, none over its limit;
//   - handles exact: the live handles of all tables are those installed minus those closed
//     and revoked, and every live handle names an object with a reference;
//   - every thread in an endpoint's queues is blocked, and each queue is well formed.
// At the end every process is killed: every object page must be back, every handle gone and
// no object left alive. ASan/UBSan catch the rest (use after free, overflow).
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include <nexus/ipc.h>
#include <nexus/syscall.h>
#include "endpoint.h"
#include "handle.h"
#include "process.h"
#include "sched.h"
#include "syscall.h"
#include "thread.h"
#include "support/fake_kernel.h"

#define NPROC 3
#define THREADS_PER_PROC 2
#define NTHREAD (NPROC * THREADS_PER_PROC)
#define PAGES 6   // object pages per process: budgets run out
#define SEEN 32   // handle values the program has seen, to pass back

struct fproc {
    struct process p;
    struct handle_table table;
    bool dead;
};
struct fthread {
    struct thread t;
    struct nx_ipc_buffer ipc;
};

static struct fproc procs[NPROC];
static struct fthread threads[NTHREAD];
static nx_handle_t seen[SEEN];
static uint64_t baseline_objects;

// The program: bytes taken one at a time, zeros once it is used up.
struct program {
    const uint8_t *data;
    size_t size, pos;
};

static uint8_t byte(struct program *pr)
{
    return pr->pos < pr->size ? pr->data[pr->pos++] : 0;
}

static uint32_t word(struct program *pr)
{
    uint32_t w = 0;
    for (int i = 0; i < 4; i++)
        w = w << 8 | byte(pr);
    return w;
}

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_syscalls: invariant broken: %s\n", what);
    abort();
}

static void remember(nx_handle_t h)
{
    for (int i = SEEN - 1; i > 0; i--)
        seen[i] = seen[i - 1];
    seen[0] = h;
}

// A handle value: one seen (in any process: a wrong table's value is a test too), or any.
static nx_handle_t handle_arg(struct program *pr)
{
    uint8_t b = byte(pr);
    return b < 224 ? seen[b % SEEN] : word(pr);
}

static uint64_t rights_arg(struct program *pr)
{
    uint8_t b = byte(pr);
    return b < 64 ? NX_RIGHTS_SAME : b < 128 ? NX_RIGHTS_ALL : (uint64_t)word(pr) & 0x83ffu;
}

static uint64_t deadline_arg(struct program *pr)
{
    uint8_t b = byte(pr);
    return b < 128 ? NX_DEADLINE_NEVER : b < 192 ? 0 : fake.now + (b & 31);
}

// A message info, and the IPC buffer of t filled for it: handles seen, rights, copy or move.
static uint64_t message_arg(struct program *pr, struct fthread *ft)
{
    uint8_t b = byte(pr);
    uint32_t nhandles = b & 7, nbytes = (uint32_t)(b >> 3) * 40;  // up to 1240: some too long
    for (uint32_t i = 0; i < NX_MSG_HANDLES_MAX; i++) {
        ft->ipc.handles[i] = handle_arg(pr);
        uint8_t r = byte(pr);
        ft->ipc.handle_rights[i] = (r & 1 ? NX_XFER_COPY : 0) |
                                   (r & 2 ? NX_RIGHTS_SAME : (uint32_t)(r >> 2) * 17u);
    }
    memset(ft->ipc.bytes, b, sizeof(ft->ipc.bytes));
    return NX_MSG_INFO(byte(pr), nbytes, nhandles) | (byte(pr) == 0xff ? (uint64_t)word(pr) << 32 : 0);
}

// Handles a thread received become values to play with.
static void take_received(struct fthread *ft, long r)
{
    if (r != NX_OK)
        return;
    for (uint32_t i = 0; i < NX_MSG_NHANDLES(ft->t.out[0]) && i < NX_MSG_HANDLES_MAX; i++)
        remember(ft->ipc.handles[i]);
}

enum op {
    OP_ENDPOINT_CREATE, OP_MINT, OP_DUPLICATE, OP_CLOSE, OP_REVOKE, OP_INFO, OP_SEND, OP_CALL,
    OP_RECV, OP_REPLY, OP_REPLY_RECV, OP_TIMEOUT, OP_KILL, OP_COUNT
};

static long run_op(struct program *pr, struct fthread *ft, enum op op)
{
    uint64_t info;
    switch (op) {
    case OP_ENDPOINT_CREATE: return sys_endpoint_create();
    case OP_MINT: return sys_endpoint_mint(handle_arg(pr), word(pr), rights_arg(pr));
    case OP_DUPLICATE: return sys_handle_duplicate(handle_arg(pr), rights_arg(pr));
    case OP_CLOSE: return sys_handle_close(handle_arg(pr));
    case OP_REVOKE: return sys_handle_revoke(handle_arg(pr));
    case OP_INFO: return sys_handle_info(handle_arg(pr));
    case OP_SEND:
        info = message_arg(pr, ft);
        return sys_send(handle_arg(pr), info, 1, 2, 3, 4, deadline_arg(pr));
    case OP_CALL:
        info = message_arg(pr, ft);
        return sys_call(handle_arg(pr), info, 1, 2, 3, 4, deadline_arg(pr));
    case OP_RECV: return sys_recv(handle_arg(pr), deadline_arg(pr));
    case OP_REPLY:
        info = message_arg(pr, ft);
        return sys_reply(info, 5, 6, 7, 8);
    case OP_REPLY_RECV:
        info = message_arg(pr, ft);
        return sys_reply_recv(handle_arg(pr), info, 5, 6, 7, 8, deadline_arg(pr));
    default: return NX_OK;
    }
}

// What the kernel does when a process dies: each thread leaves its wait and its IPC links,
// then the handle table goes.
static void kill_process(struct fproc *fp)
{
    if (fp->dead)
        return;
    fp->dead = true;
    for (int i = 0; i < NTHREAD; i++) {
        struct thread *t = &threads[i].t;
        if (t->proc != &fp->p)
            continue;
        sched_cancel_wait(t);
        endpoint_thread_exit(t);
        t->state = THREAD_DEAD;
    }
    handle_table_destroy(&fp->table);
}

// Every thread waiting on the endpoint is blocked (not running, woken or dead), and queued
// once: the walk from the head ends at the tail.
static void check_queue(const struct waitq *q)
{
    const struct thread *last = NULL;
    int n = 0;
    for (const struct thread *t = q->head; t; last = t, t = t->wait_next) {
        if (t->state != THREAD_BLOCKED)
            fail("a thread in an endpoint's queue is not blocked");
        if (++n > NTHREAD)
            fail("an endpoint's queue loops");
    }
    if (last != q->tail)
        fail("an endpoint's queue does not end at its tail");
}

static void check_invariants(void)
{
    size_t charged = 0;
    uint64_t live = 0;
    for (int i = 0; i < NPROC; i++) {
        const struct process *p = &procs[i].p;
        if (p->budget.used > p->budget.limit)
            fail("a budget over its limit");
        charged += p->budget.used;
        if (procs[i].dead)
            continue;
        live += handle_table_live(&procs[i].table);
        for (int s = 0; s < NX_HANDLE_TABLE_SIZE; s++) {
            const struct kobject *o = procs[i].table.slots[s].obj;
            if (o && o->refcount == 0)
                fail("a handle names an object without references");
            if (o && o->type == NX_OBJ_ENDPOINT) {
                check_queue(&((const struct endpoint *)o)->senders);
                check_queue(&((const struct endpoint *)o)->receivers);
            }
        }
    }
    if (charged != fake.object_pages)
        fail("object pages not charged to exactly one budget");
    if (live != handle_counters.installed - handle_counters.closed - handle_counters.revoked)
        fail("live handles differ from installed - closed - revoked");
}

static void setup(void)
{
    fake_reset(0);
    memset(&handle_counters, 0, sizeof(handle_counters));
    memset(threads, 0, sizeof(threads));
    memset(seen, 0, sizeof(seen));
    for (int i = 0; i < NPROC; i++) {
        fake_process_init(&procs[i].p, &procs[i].table, PAGES);
        procs[i].dead = false;
    }
    for (int i = 0; i < NTHREAD; i++) {
        threads[i].t.proc = &procs[i / THREADS_PER_PROC].p;
        threads[i].t.ipc = &threads[i].ipc;
        threads[i].t.state = THREAD_RUNNING;
    }
    baseline_objects = kobject_live_count();
}

// One step: a thread acts (a blocked one can only time out, or die with its process).
static void step(struct program *pr)
{
    struct fthread *ft = &threads[byte(pr) % NTHREAD];
    struct thread *t = &ft->t;
    enum op op = (enum op)(byte(pr) % OP_COUNT);
    fake.now++;
    if (op == OP_KILL) {
        kill_process(&procs[(ft - threads) / THREADS_PER_PROC]);
        return;
    }
    if (t->state == THREAD_DEAD)
        return;
    if (t->state == THREAD_BLOCKED) {
        if (op == OP_TIMEOUT)
            fake_timeout(t);
        return;
    }
    if (t->state == THREAD_READY)  // woken: its blocking call returned wait_result
        take_received(ft, t->wait_result);
    t->state = THREAD_RUNNING;
    current_thread = t;
    long r = run_op(pr, ft, op);
    if (r == FAKE_BLOCKED)
        return;
    if (op == OP_RECV || op == OP_CALL || op == OP_REPLY_RECV)
        take_received(ft, r);
    else if (r > 0 && (op == OP_ENDPOINT_CREATE || op == OP_MINT || op == OP_DUPLICATE))
        remember((nx_handle_t)r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct program pr = { data, size, 0 };
    setup();
    while (pr.pos < pr.size) {
        step(&pr);
        check_invariants();
    }
    for (int i = 0; i < NPROC; i++)
        kill_process(&procs[i]);
    check_invariants();
    if (fake.object_pages != 0)
        fail("object pages left after every process died");
    if (handle_counters.installed != handle_counters.closed + handle_counters.revoked)
        fail("handles left after every process died");
    if (kobject_live_count() != baseline_objects)
        fail("objects left after every process died");
    return 0;
}

// SMP stress (run at -smp 8): processes of several threads each, spread over the harts by
// random affinities, do random valid work (VMOs created, written, read back, mapped, unmapped,
// closed; notifications; IPC inside the process and to this one), while this supervisor kills
// them at random moments, mostly while their threads run on other harts, and starts new
// ones. Two threads of the supervisor do the same work in its own address space meanwhile
// (mappings changed under threads on other harts). After STRESS_NS every child is killed, and
// the free-page, live-handle, live-object and live-process counters must equal their values
// from before the first child. Prints "smpstress: ... ok", or WRONG, LEAK (run_tests.py
// forbids both).
#include <stdbool.h>
#include <nx/ipc.h>
#include <nx/thread.h>

#define TEST_NAME "smpstress"
#include "counters.h"

#define MS 1000000ull
#define STRESS_NS (12000 * MS)
#define CHILDREN 3        // alive at once
#define CHILD_THREADS 2   // besides its first and its server
#define CHILD_PAGES 256
#define SUPERVISOR_WORKERS 2
// The supervisor keeps to 3 harts: a mapping change fences every hart its process ran on,
// synchronously, and each fence waits for every QEMU hart it names to be run by the host
// (with 8 harts on a busy 2-core host, spawns spread over all 8 took seconds each).
#define SUPERVISOR_HARTS 1ull          // its first thread and its servers
#define SUPERVISOR_WORKER_HARTS 6ull   // its workers
#define CALL_DEADLINE_NS (200 * MS)
#define NAP_MAX_NS (50 * MS)  // after each piece of work
#define LABEL_WORK 1      // a call whose reply is 2 * w0 + 1

static _Thread_local uint64_t rng;
static long nharts;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void seed(uint64_t salt)
{
    rng = ((uint64_t)nx_clock_get() ^ salt) * 0x9e3779b97f4a7c15ull | 1;
}

static void wrong(const char *what, long got)
{
    nx_printf("smpstress: %s: got %ld WRONG\n", what, got);
}

// A random non-empty set of harts.
static uint64_t random_harts(void)
{
    uint64_t all = (1ull << nharts) - 1, m = next_random() & all;
    return m ? m : 1ull << (next_random() % (uint64_t)nharts);
}

// ---- the work every thread does ----

static void vmo_roundtrip(void)
{
    size_t size = 4096 * (1 + next_random() % 4);
    long vmo = nx_vmo_create(size);
    if (vmo < 0)
        return;  // out of budget while another thread holds some: fine
    uint64_t v = next_random(), back = 0;
    uint64_t off = (next_random() % (size / 8)) * 8;
    long r = nx_vmo_write((nx_handle_t)vmo, off, &v, sizeof v);
    if (r == NX_OK && (r = nx_vmo_read((nx_handle_t)vmo, off, &back, sizeof back)) == NX_OK &&
        back != v)
        wrong("vmo read back", (long)back);
    nx_handle_close((nx_handle_t)vmo);
}

static void map_roundtrip(void)
{
    long vmo = nx_vmo_create(4096 * 2);
    if (vmo < 0)
        return;
    long va = nx_vm_map(nx_self, (nx_handle_t)vmo, 0, 0, 4096 * 2, NX_PROT_READ | NX_PROT_WRITE);
    if (va >= 0) {
        volatile uint64_t *p = (volatile uint64_t *)va;
        uint64_t v = next_random(), back = 0;
        p[513] = v;
        if (nx_vmo_read((nx_handle_t)vmo, 513 * 8, &back, sizeof back) == NX_OK && back != v)
            wrong("mapped write read back", (long)back);
        long r = nx_vm_unmap(nx_self, (uint64_t)va, 4096 * 2);
        if (r != NX_OK)
            wrong("unmap", r);
    }
    nx_handle_close((nx_handle_t)vmo);
}

static void notification_roundtrip(void)
{
    long n = nx_notification_create();
    if (n < 0)
        return;
    uint64_t bit = 1ull << (next_random() % 64), bits = 0;
    nx_notify_signal((nx_handle_t)n, bit);
    long r = nx_notify_poll_bits((nx_handle_t)n, &bits);
    if (r != NX_OK || bits != bit)
        wrong("notification poll", r == NX_OK ? (long)bits : r);
    nx_handle_close((nx_handle_t)n);
}

static void call_roundtrip(nx_handle_t ep)
{
    struct nx_msg m = { .info = NX_MSG_INFO(LABEL_WORK, 0, 0), .w = { next_random() >> 1 } };
    uint64_t want = 2 * m.w[0] + 1;
    long r = nx_ipc_call(ep, &m, (uint64_t)nx_clock_get() + CALL_DEADLINE_NS);
    if (r == NX_OK && m.w[0] != want)
        wrong("call reply", (long)m.w[0]);
    else if (r != NX_OK && r != NX_ERR_TIMED_OUT)
        wrong("call", r);
}

// Answer LABEL_WORK calls on ep for ever (a deadline now and then: recv timing out too).
static void serve(nx_handle_t ep)
{
    struct nx_msg m = { 0 };
    long r = nx_ipc_recv(ep, &m, (uint64_t)nx_clock_get() + 50 * MS);
    for (;;) {
        if (r == NX_OK) {
            m.w[0] = 2 * m.w[0] + 1;
            m.info = NX_MSG_INFO(LABEL_WORK, 0, 0);
            r = nx_ipc_reply_recv(ep, &m, (uint64_t)nx_clock_get() + 50 * MS);
        } else {
            r = nx_ipc_recv(ep, &m, (uint64_t)nx_clock_get() + 50 * MS);
        }
    }
}

static _Thread_local long nap_notification;  // the calling thread's, for nap

static void make_nap_notification(void)
{
    nap_notification = nx_notification_create();
}

// Block for up to NAP_MAX_NS, so harts go idle and are woken: wake-ups and IPIs between harts (and
// a host with fewer cores than QEMU has harts keeps up).
static void nap(void)
{
    uint64_t bits;
    if (nap_notification > 0)
        nx_notify_wait_bits((nx_handle_t)nap_notification,
                            (uint64_t)nx_clock_get() + next_random() % (NAP_MAX_NS + 1), &bits);
}

// One random piece of work, then a nap; local and remote are endpoints served by another
// thread.
static void work_once(nx_handle_t local, nx_handle_t remote, bool may_move)
{
    switch (next_random() % 8) {
    case 0: vmo_roundtrip(); break;
    case 1: case 2: map_roundtrip(); break;
    case 3: notification_roundtrip(); break;
    case 4: call_roundtrip(local); break;
    case 5: call_roundtrip(remote); break;
    case 6:
        if (may_move)
            nx_thread_set_affinity(NX_HANDLE_INVALID, random_harts());
        break;
    default: nx_yield(); break;
    }
    nap();
}

// ---- a child ----

struct child_ctx {
    nx_handle_t local, remote;
};
static struct child_ctx child;

static void child_server(void *arg)
{
    (void)arg;
    seed(1);
    serve(child.local);
}

static void child_worker(void *arg)
{
    seed((uint64_t)arg);
    make_nap_notification();
    for (;;) {
        work_once(child.local, child.remote, true);
        if (next_random() % 4096 == 0)
            nx_thread_exit();  // a thread ends while its siblings go on
    }
}

static void child_main(nx_handle_t supervisor)
{
    seed(0);
    child.remote = supervisor;
    make_nap_notification();
    long ep = nx_endpoint_create();
    if (ep < 0)
        return;
    child.local = (nx_handle_t)ep;
    long t = nx_thread_start(child_server, NULL, PRIO_USER_DEFAULT, 0);
    if (t >= 0)
        nx_thread_set_affinity((nx_handle_t)t, random_harts());
    for (uint64_t i = 0; i < CHILD_THREADS; i++) {
        t = nx_thread_start(child_worker, (void *)(i + 2), PRIO_USER_DEFAULT, 0);
        if (t >= 0)
            nx_thread_set_affinity((nx_handle_t)t, random_harts());
    }
    for (;;) {
        work_once(child.local, child.remote, true);
        if (next_random() % 8192 == 0)
            return;  // the process exits by itself now and then
    }
}

// ---- the supervisor ----

static nx_handle_t supervisor_ep, own_ep;
static volatile int pause_workers, paused;

static void supervisor_server(void *arg)
{
    serve(*(nx_handle_t *)arg);
}

static void supervisor_worker(void *arg)
{
    seed((uint64_t)arg + 100);
    make_nap_notification();  // before the baseline: paused workers hold it
    for (;;) {
        if (pause_workers) {
            __atomic_fetch_add(&paused, 1, __ATOMIC_SEQ_CST);
            while (pause_workers)
                nap();
            __atomic_fetch_sub(&paused, 1, __ATOMIC_SEQ_CST);
        }
        work_once(own_ep, supervisor_ep, false);
    }
}

// Hold the supervisor's workers between two pieces of work (they hold nothing then).
static void pause_all_workers(void)
{
    pause_workers = 1;
    while (paused < SUPERVISOR_WORKERS)
        nap();
}

struct slot {
    long proc;   // process handle, or 0
};

// The harts (bits) proc's threads last ran on.
static uint64_t harts_of(long proc)
{
    struct nx_process_info info;
    uint64_t seen = 0;
    if (nx_process_info((nx_handle_t)proc, &info) != NX_OK)
        return 0;
    for (uint32_t i = 0; i < info.threads && i < 64; i++)
        if (info.thread_hart[i] != NX_HART_NONE)
            seen |= 1ull << info.thread_hart[i];
    return seen;
}

static bool has_ended(long proc)
{
    struct nx_process_info info;
    return nx_process_info((nx_handle_t)proc, &info) == NX_OK && info.state == NX_PROC_DEAD;
}

static void end_child(struct slot *s)
{
    nx_process_kill((nx_handle_t)s->proc);
    nx_handle_close((nx_handle_t)s->proc);
    s->proc = 0;
}

int main(void)
{
    seed(42);
    nharts = nx_system_info(NX_INFO_HARTS);
    supervisor_ep = (nx_handle_t)nx_endpoint_create();
    own_ep = (nx_handle_t)nx_endpoint_create();
    long watch = nx_notification_create();
    make_nap_notification();
    nx_thread_set_affinity(NX_HANDLE_INVALID, SUPERVISOR_HARTS);
    long t = nx_thread_start(supervisor_server, &supervisor_ep, PRIO_USER_DEFAULT, 0);
    nx_thread_set_affinity((nx_handle_t)t, SUPERVISOR_HARTS);
    t = nx_thread_start(supervisor_server, &own_ep, PRIO_USER_DEFAULT, 0);
    nx_thread_set_affinity((nx_handle_t)t, SUPERVISOR_HARTS);
    for (uint64_t i = 0; i < SUPERVISOR_WORKERS; i++) {
        long t = nx_thread_start(supervisor_worker, (void *)i, PRIO_USER_DEFAULT, 0);
        nx_thread_set_affinity((nx_handle_t)t, SUPERVISOR_WORKER_HARTS);
    }
    // A warm-up, so what the workers leave behind for good (page tables of their mapping
    // window) is there before the baseline.
    uint64_t bits;
    nx_notify_wait_bits((nx_handle_t)watch, (uint64_t)nx_clock_get() + 200 * MS, &bits);
    pause_all_workers();
    struct counters before = read_counters();
    long ipis_before = nx_system_info(NX_INFO_IPIS_SENT);
    pause_workers = 0;

    struct slot slots[CHILDREN] = { 0 };
    uint64_t spawned = 0, killed = 0, exited = 0, ran_on = 0;
    uint64_t end = (uint64_t)nx_clock_get() + STRESS_NS;
    while ((uint64_t)nx_clock_get() < end) {
        for (uint32_t i = 0; i < CHILDREN; i++) {
            if (slots[i].proc)
                continue;
            long dup = nx_handle_duplicate(supervisor_ep, NX_RIGHTS_SAME);
            long p = dup < 0 ? dup : nx_spawn("stresschild", CHILD_PAGES, child_main,
                                              (nx_handle_t)dup);
            if (p < 0) {
                wrong("spawn", p);
                break;
            }
            nx_process_watch((nx_handle_t)p, (nx_handle_t)watch, 1ull << i);
            slots[i].proc = p;
            spawned++;
        }
        bits = 0;
        nx_notify_wait_bits((nx_handle_t)watch,
                            (uint64_t)nx_clock_get() + (next_random() % 40) * MS, &bits);
        // A bit may be a killed child's, left for the one started in its slot since.
        for (uint32_t i = 0; i < CHILDREN; i++)
            if (bits >> i & 1 && slots[i].proc && has_ended(slots[i].proc)) {
                nx_handle_close((nx_handle_t)slots[i].proc);
                slots[i].proc = 0;
                exited++;
            }
        struct slot *victim = &slots[next_random() % CHILDREN];
        if (victim->proc) {
            ran_on |= harts_of(victim->proc);
            end_child(victim);
            killed++;
        }
    }
    for (uint32_t i = 0; i < CHILDREN; i++)
        if (slots[i].proc)
            end_child(&slots[i]);
    pause_all_workers();
    long ipis = nx_system_info(NX_INFO_IPIS_SENT) - ipis_before;
    struct counters after = settled_counters(before);
    nx_printf("smpstress: %lu children started, %lu killed, %lu exited by themselves\n",
              (unsigned long)spawned, (unsigned long)killed, (unsigned long)exited);
    nx_printf("smpstress: the killed children's threads ran on %d of %ld harts\n",
              __builtin_popcountll(ran_on), nharts);
    nx_printf("smpstress: IPIs sent meanwhile: %s\n", ipis > 0 ? "some" : "none");
    compare_counters(before, after);
    return 0;
}

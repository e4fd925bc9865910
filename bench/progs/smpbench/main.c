// make bench, the SMP boot (bench/run_bench.py): booted alone (init=smpbench) on 8 harts,
// once under -icount (instruction figures) and once on multi-threaded TCG (round trips per
// second of host time). Every figure comes from "jobs": a client process pinned to one hart
// does something in a loop against a partner pinned to another (or the same) hart, for a
// window of time that starts at one instant for all the jobs of a run; the coordinator (this
// process) waits for the clients to exit and reads what they wrote into a page shared with it.
//
// Under -icount QEMU runs the harts in turn, one after the other, and instret (QEMU 7.2: the
// instruction count behind the virtual clock, without the time all harts sat halted) reads
// the same on every hart: the instret elapsed over a run is the instructions all harts
// retired together, a hart spinning on a lock included. The clock (nx_clock_get) also runs
// while every hart is halted. Without -icount instret is host ticks: only the ns count.
#include <stdbool.h>
#include <nx/ipc.h>
#include <nx/loader.h>
#include <nx/nx.h>

#define MS 1000000ull
#define PAGE 4096ul
#define RW (NX_PROT_READ | NX_PROT_WRITE)
#define CHECK_EVERY 64        // round trips between two looks at the clock
#define WINDOW_NS (50 * MS)   // each run's window (virtual time under -icount: instructions)
#define SETUP_NS (50 * MS)    // from the first spawn to the window: room to start every job
#define CLIENT_PAGES 256
#define SERVER_PAGES 64
// Unmaps timed per address-space state (tlb_shootdown): few, since under -icount a remote
// fence waits for the fenced harts' turns (about 300 M instructions each).
#define UNMAPS 2
#define SHOOTDOWN_HARTS 4     // harts the process of tlb_shootdown_instr ran on

enum kind {
    IPC,      // call + reply to a server process on server_hart
    WAKE,     // signal a thread of the client's process waiting on server_hart, and be signalled
    UNMAP,    // unmap a touched page of its own, having run on the harts in server_mask
};

// What a client does: set before its nx_spawn, so the child's copy of .data holds it.
static struct job {
    enum kind kind;
    uint32_t slot;          // its line in the shared page
    uint32_t client_hart;
    uint32_t server_hart;   // IPC, WAKE
    uint64_t server_mask;   // UNMAP: the running harts, where its other threads may go
    uint64_t start_ns;      // the window, on the clock (nx_clock_get)
    uint64_t end_ns;
} job;

// A client's report, in the page shared with the coordinator.
struct result {
    uint64_t start_instret, end_instret, start_ns, end_ns;
    uint64_t count;         // round trips; UNMAP: instructions of the UNMAPS timed unmaps
    uint64_t local;         // UNMAP: the same before the other harts ran it
    uint64_t placed;        // 1 if every thread was where it was pinned at the end
    uint64_t done;
};
#define MAX_SLOTS (PAGE / sizeof(struct result))

static volatile struct result *results;

static void report(const char *name, uint64_t value)
{
    nx_printf("BENCH %s %lu\n", name, value);
}

static void pin_self(uint32_t hart)
{
    nx_thread_set_affinity(NX_HANDLE_INVALID, 1ull << hart);
}

// Is thread i of proc last seen on hart?
static bool ran_on(nx_handle_t proc, uint32_t thread, uint32_t hart)
{
    struct nx_process_info info;
    return nx_process_info(proc, &info) == NX_OK && info.thread_hart[thread] == hart;
}

static void sleep_until(uint64_t deadline)
{
    long n = nx_notification_create();
    uint64_t bits;
    nx_notify_wait_bits((nx_handle_t)n, deadline, &bits);
    nx_handle_close((nx_handle_t)n);
}

// Run step() from job.start_ns until the clock passes job.end_ns; record the window and the
// steps taken.
static void run_window(volatile struct result *r, void (*step)(nx_handle_t), nx_handle_t h)
{
    sleep_until(job.start_ns);
    uint64_t count = 0;
    r->start_ns = (uint64_t)nx_clock_get();
    r->start_instret = nx_rdinstret();
    do {
        for (int i = 0; i < CHECK_EVERY; i++)
            step(h);
        count += CHECK_EVERY;
    } while ((uint64_t)nx_clock_get() < job.end_ns);
    r->end_instret = nx_rdinstret();
    r->end_ns = (uint64_t)nx_clock_get();
    r->count = count;
}

// ---- IPC: a server process ----

static void server(nx_handle_t ep)
{
    pin_self(job.server_hart);
    struct nx_msg m = { .info = 0 };
    long r = nx_ipc_recv(ep, &m, NX_DEADLINE_NEVER);
    while (r == NX_OK) {
        m.info = 0;
        r = nx_ipc_reply_recv(ep, &m, NX_DEADLINE_NEVER);
    }
}

static void call_step(nx_handle_t ep)
{
    struct nx_msg m = { .info = 0 };
    nx_ipc_call(ep, &m, NX_DEADLINE_NEVER);
}

static void ipc_client(volatile struct result *r)
{
    long ep = nx_endpoint_create();
    long srv = nx_spawn("smp-server", SERVER_PAGES, server,
                        (nx_handle_t)nx_handle_duplicate((nx_handle_t)ep, NX_RIGHTS_SAME));
    run_window(r, call_step, (nx_handle_t)ep);
    r->placed = ran_on(nx_self, 0, job.client_hart) && ran_on((nx_handle_t)srv, 0, job.server_hart);
    nx_process_kill((nx_handle_t)srv);
    nx_handle_close((nx_handle_t)srv);
    nx_handle_close((nx_handle_t)ep);
}

// ---- WAKE: a thread of this process on another hart ----

static nx_handle_t ping, pong;  // client -> partner, partner -> client
static volatile bool partner_stop;
static uint64_t partner_stack[512] __attribute__((aligned(16)));

static void wake_partner(long unused)
{
    (void)unused;
    pin_self(job.server_hart);
    uint64_t bits;
    while (nx_notify_wait_bits(ping, NX_DEADLINE_NEVER, &bits) == NX_OK && !partner_stop)
        nx_notify_signal(pong, 1);
    nx_thread_exit();
}

static void wake_step(nx_handle_t unused)
{
    (void)unused;
    uint64_t bits;
    nx_notify_signal(ping, 1);
    nx_notify_wait_bits(pong, NX_DEADLINE_NEVER, &bits);
}

static void wake_client(volatile struct result *r)
{
    ping = (nx_handle_t)nx_notification_create();
    pong = (nx_handle_t)nx_notification_create();
    long t = nx_thread_create(nx_self, (long)wake_partner, (long)&partner_stack[512], 0,
                              PRIO_USER_DEFAULT);
    run_window(r, wake_step, NX_HANDLE_INVALID);
    r->placed = ran_on(nx_self, 0, job.client_hart) && ran_on(nx_self, 1, job.server_hart);
    partner_stop = true;
    nx_notify_signal(ping, 1);
    nx_handle_close((nx_handle_t)t);
}

// ---- UNMAP: a page of a process that ran on several harts ----

static void run_once_there(long hart)
{
    pin_self((uint32_t)hart);
    nx_thread_exit();
}

// Instructions of UNMAPS unmaps of one page, each mapped and touched first (an untouched
// page has no entry for any hart to hold).
static uint64_t timed_unmaps(long vmo)
{
    uint64_t sum = 0;
    for (int i = 0; i < UNMAPS; i++) {
        long va = nx_vm_map(nx_self, (nx_handle_t)vmo, 0, 0, PAGE, RW);
        *(volatile char *)va = 1;
        uint64_t t0 = nx_rdinstret();
        nx_vm_unmap(nx_self, (uint64_t)va, PAGE);
        sum += nx_rdinstret() - t0;
    }
    return sum;
}

// The hart the calling thread (the process's first) runs on.
static uint32_t my_hart(void)
{
    struct nx_process_info info;
    nx_process_info(nx_self, &info);
    return info.thread_hart[0];
}

// The process stays on the hart it started on (the only one it has run on): unmaps there;
// then a thread of it runs once on each of SHOOTDOWN_HARTS - 1 other running harts, and the
// unmaps again, which must now fence those harts too.
static void unmap_client(volatile struct result *r)
{
    uint32_t home = my_hart();
    pin_self(home);
    long vmo = nx_vmo_create(PAGE);
    r->local = timed_unmaps(vmo);
    static uint64_t stacks[SHOOTDOWN_HARTS][256] __attribute__((aligned(16)));
    long threads[SHOOTDOWN_HARTS];
    uint32_t n = 0;
    for (uint64_t m = job.server_mask & ~(1ull << home); m && n < SHOOTDOWN_HARTS - 1;
         m &= m - 1, n++)
        threads[n] = nx_thread_create(nx_self, (long)run_once_there, (long)&stacks[n][256],
                                      __builtin_ctzll(m), PRIO_USER_DEFAULT);
    sleep_until((uint64_t)nx_clock_get() + 10 * MS);  // they have run and exited
    r->count = timed_unmaps(vmo);
    r->placed = my_hart() == home;
    for (uint32_t i = 0; i < n; i++)
        nx_handle_close((nx_handle_t)threads[i]);
    nx_handle_close((nx_handle_t)vmo);
}

// ---- the clients, and the coordinator ----

static void client(nx_handle_t vmo)
{
    results = (volatile struct result *)nx_vm_map(nx_self, vmo, 0, 0, PAGE, RW);
    volatile struct result *r = &results[job.slot];
    if (job.kind == UNMAP) {
        unmap_client(r);
    } else {
        pin_self(job.client_hart);
        if (job.kind == IPC)
            ipc_client(r);
        else
            wake_client(r);
    }
    r->done = 1;
}

// What a run of jobs measured together.
struct totals {
    uint64_t instret, ns, count;
    bool ok;
};

// Start the n jobs (their windows at one instant), wait for them and add up what they wrote.
static struct totals run(nx_handle_t vmo, const struct job *jobs, uint32_t n)
{
    long clients[MAX_SLOTS];
    uint64_t start = (uint64_t)nx_clock_get() + SETUP_NS;
    __builtin_memset((void *)results, 0, PAGE);
    for (uint32_t i = 0; i < n; i++) {
        job = jobs[i];
        job.slot = i;
        job.start_ns = start;
        job.end_ns = start + WINDOW_NS;
        clients[i] = nx_spawn("smp-client", CLIENT_PAGES, client,
                              (nx_handle_t)nx_handle_duplicate(vmo, NX_RIGHTS_SAME));
    }
    struct totals t = { .instret = 0, .ns = 0, .count = 0, .ok = true };
    uint64_t first_instret = UINT64_MAX, last_instret = 0, first_ns = UINT64_MAX, last_ns = 0;
    for (uint32_t i = 0; i < n; i++) {
        long status;
        t.ok &= clients[i] >= 0 && nx_process_wait((nx_handle_t)clients[i], NX_DEADLINE_NEVER,
                                                   &status) == NX_OK;
        nx_handle_close((nx_handle_t)clients[i]);
        volatile struct result *r = &results[i];
        t.ok &= r->done && r->placed;
        first_instret = r->start_instret < first_instret ? r->start_instret : first_instret;
        last_instret = r->end_instret > last_instret ? r->end_instret : last_instret;
        first_ns = r->start_ns < first_ns ? r->start_ns : first_ns;
        last_ns = r->end_ns > last_ns ? r->end_ns : last_ns;
        t.count += r->count;
        if (jobs[i].kind != UNMAP)
            nx_printf("smpbench: job %u (client on hart %u): %lu steps from %lu ns to %lu ns%s\n",
                      i, jobs[i].client_hart, r->count, r->start_ns - start, r->end_ns - start,
                      r->placed ? "" : ", not where it was pinned");
    }
    t.instret = last_instret - first_instret;
    t.ns = last_ns - first_ns;
    return t;
}

// A figure (instructions per step under -icount; steps per second of the clock), or a
// complaint when a job did not run where it was pinned or did not end.
static void report_run(const char *name, struct totals t, uint64_t steps_per_count)
{
    if (!t.ok || !t.count) {
        nx_printf("smpbench: %s: a job failed or was not on its hart\n", name);
        return;
    }
    nx_printf("smpbench: %s: %lu steps, %lu instret, %lu ns\n", name, t.count, t.instret, t.ns);
    nx_printf("BENCH %s_instr %lu\n", name, t.instret / (t.count * steps_per_count));
    nx_printf("BENCH %s_per_s %lu\n", name, (uint64_t)(t.count * 1000000000ull / t.ns));
}

static const uint32_t pair_counts[] = { 1, 2, 4, 8 };

// The harts that run (a hart that did not start is counted in NX_INFO_HARTS but takes no
// thread: pinning to it alone fails), in index order; returns how many.
static uint32_t running_harts(uint32_t *out)
{
    uint32_t harts = (uint32_t)nx_system_info(NX_INFO_HARTS), n = 0;
    for (uint32_t i = 0; i < harts && i < 64; i++)
        if (nx_thread_set_affinity(NX_HANDLE_INVALID, 1ull << i) == NX_OK)
            out[n++] = i;
    nx_thread_set_affinity(NX_HANDLE_INVALID, ~0ull);
    return n;
}

int main(void)
{
    uint32_t hart[64];
    uint32_t harts = running_harts(hart);
    long vmo = nx_vmo_create(PAGE);
    results = (volatile struct result *)nx_vm_map(nx_self, (nx_handle_t)vmo, 0, 0, PAGE, RW);
    nx_printf("smpbench: %u harts running of %lu\n", harts, nx_system_info(NX_INFO_HARTS));
    struct job jobs[8];
    for (uint32_t k = 0; k < sizeof(pair_counts) / sizeof(pair_counts[0]); k++) {
        uint32_t n = pair_counts[k];
        if (n > harts)
            break;
        for (uint32_t i = 0; i < n; i++)
            jobs[i] = (struct job){ .kind = IPC, .client_hart = hart[i], .server_hart = hart[i] };
        static const char *const names[] = { "smp_ipc_pairs_1", "smp_ipc_pairs_2",
                                             "smp_ipc_pairs_4", "smp_ipc_pairs_8" };
        const char *name = names[k];
        uint64_t ipis = (uint64_t)nx_system_info(NX_INFO_IPIS_SENT);
        report_run(name, run((nx_handle_t)vmo, jobs, n), 1);
        nx_printf("smpbench: %s: %lu IPIs\n", name,
                  (uint64_t)nx_system_info(NX_INFO_IPIS_SENT) - ipis);
    }
    if (harts < 2)
        return 0;
    jobs[0] = (struct job){ .kind = IPC, .client_hart = hart[0], .server_hart = hart[harts - 1] };
    report_run("ipc_cross_hart_roundtrip", run((nx_handle_t)vmo, jobs, 1), 1);
    jobs[0] = (struct job){ .kind = WAKE, .client_hart = hart[0], .server_hart = hart[harts - 1] };
    report_run("ipi_wake", run((nx_handle_t)vmo, jobs, 1), 2);
    if (harts < SHOOTDOWN_HARTS)
        return 0;
    jobs[0] = (struct job){ .kind = UNMAP };
    for (uint32_t i = 0; i < harts; i++)
        jobs[0].server_mask |= 1ull << hart[i];
    struct totals t = run((nx_handle_t)vmo, jobs, 1);
    if (t.ok) {
        report("tlb_unmap_local_instr", results[0].local / UNMAPS);
        report("tlb_shootdown_instr", results[0].count / UNMAPS);
    }
    return 0;
}

// SMP end to end (issue 11, docs/smp.md) on however many harts the machine has
// (NX_INFO_HARTS). At one hart every pin names hart 0 and the same checks run, with time
// slices standing in for harts running at once.
//  1. A thread yields beside idle harts and sleeps, over and over (a kernel panic once).
//     Threads of one process, pinned one per hart, hammer shared memory with atomic adds and
//     with plain adds under libnx's lock: both sums exact, each thread ran on its hart.
//     Pairs of threads, one pair per hart, call and reply on their own endpoints: the kernel
//     hands each hart over under its lock held shared, not exclusive. Processes, one per
//     hart, map and unmap VMOs of their own in a loop: also under the lock held shared.
//  2. A process killed while its pinned threads spin or churn syscalls on the other harts:
//     dead when the kill returns, and every page, handle and object comes back.
//  3. A mapping unmapped (by this process) while its owner's thread on another hart reads and
//     writes it: the toucher faults, having seen only the old page, and the pages new VMOs
//     get next never show or take its touches.
//  4. FP: 4 processes of 3 threads (more threads than harts), each thread holding all 32 FP
//     registers and exact sums of its own while time slices and its own re-pinning move it.
//  5. Bad input: affinity masks naming no hart, dead threads, wrong handles; a shootdown
//     storm on every hart while another process's fixed work still finishes, right and in
//     bounded time.
// Prints "smp: <check> ok" or "... WRONG (got X, want Y)".
#define TEST_NAME "smp"
#include <stdbool.h>
#include <string.h>
#include <sys/lock.h>
#include <nx/ipc.h>
#include <nx/loader.h>
#include <nx/thread.h>
#include "expect.h"
#include "fregs.h"

#define MS ((uint64_t)1000000)
#define PAGE 4096
#define MAX_THREADS 8  // of a part's process: one per hart at most (the kernel's MAX_HARTS)

static long harts;              // NX_INFO_HARTS
static nx_handle_t pause_notif;  // never signalled: sleeps wait on it

static uint64_t hart_bit(uint64_t i)
{
    return 1ull << (i % (uint64_t)harts);
}

// Hart of thread i of a process working beside this one, which pins itself to hart 0 in
// parts 2 and 3: the other harts in turn (hart 0 when it is the only one).
static uint64_t other_hart(uint64_t i)
{
    return harts > 1 ? 1 + i % (uint64_t)(harts - 1) : 0;
}

static long pin_self(uint64_t mask)
{
    return nx_thread_set_affinity(NX_HANDLE_INVALID, mask);
}

static void sleep_ns(uint64_t ns)
{
    uint64_t bits;
    nx_notify_wait_bits(pause_notif, (uint64_t)nx_clock_get() + ns, &bits);
}

// A child (nx_spawn) starts with a copy of this program's data: its own counters and
// notification, not the parent's.
static void enter_child(void)
{
    failures = 0;
    pause_notif = (nx_handle_t)nx_notification_create();
}

// Wait until *v >= want, at most ms; whether it got there. It looks after 1 ms, then twice
// as long each time up to a second: in a shootdown storm every kernel entry waits long for
// the kernel (half a second at -smp 4 on a loaded 2-core host), and a poller at a higher
// priority than the storm would keep its hart to itself.
static bool wait_for(volatile long *v, long want, uint64_t ms)
{
    uint64_t end = (uint64_t)nx_clock_get() + ms * MS, pause = MS;
    while (*v < want) {
        if ((uint64_t)nx_clock_get() >= end)
            return false;
        sleep_ns(pause);
        pause = pause < 1000 * MS ? 2 * pause : pause;
    }
    return true;
}

// Wait until every bit of want has been signalled on n, at most ms; whether they all came.
static bool wait_bits_all(nx_handle_t n, uint64_t want, uint64_t ms)
{
    uint64_t end = (uint64_t)nx_clock_get() + ms * MS, got = 0, bits;
    while ((got & want) != want)
        if (nx_notify_wait_bits(n, end, &bits) == NX_OK)
            got |= bits;
        else
            return false;
    return true;
}

static struct nx_process_info info_of(nx_handle_t proc)
{
    struct nx_process_info info = { 0 };
    nx_process_info(proc, &info);
    return info;
}

// Wait until this process is down to `threads` threads again (its others returned), at most
// a second.
static void close_all(const nx_handle_t *h, long n)
{
    for (long i = 0; i < n; i++)
        nx_handle_close(h[i]);
}

static void wait_threads_gone(uint32_t threads)
{
    uint64_t end = (uint64_t)nx_clock_get() + 1000 * MS;
    while (info_of(nx_self).threads > threads && (uint64_t)nx_clock_get() < end)
        sleep_ns(MS);
}

// A killed process's threads current on other harts end as those harts leave them: wait up
// to a second for the counters to come back before comparing them.
static void expect_no_leaks_settled(struct leak_baseline b)
{
    uint64_t end = (uint64_t)nx_clock_get() + 1000 * MS;
    for (;;) {
        struct leak_baseline now = leak_baseline();
        if ((now.pages == b.pages && now.handles == b.handles && now.objects == b.objects) ||
            (uint64_t)nx_clock_get() >= end)
            break;
        sleep_ns(MS);
    }
    expect_no_leaks(b);
}

// A baseline once the counters hold still (the same over 20 ms, a second at most): a thread
// an earlier part ended on another hart may not have given its pages back yet.
static struct leak_baseline settled_baseline(void)
{
    uint64_t end = (uint64_t)nx_clock_get() + 1000 * MS;
    struct leak_baseline b = leak_baseline();
    for (int same = 0; same < 4 && (uint64_t)nx_clock_get() < end;) {
        sleep_ns(5 * MS);
        struct leak_baseline now = leak_baseline();
        same = now.pages == b.pages && now.handles == b.handles && now.objects == b.objects
                   ? same + 1 : 0;
        b = now;
    }
    return b;
}

// Parts 2 and 3 run rounds, each returning a bit per step that went as it must (bit j:
// steps[j]): every step must go right in every round, and nothing may leak.
#define ROUND_STEPS 4

static void expect_every_round(const char *const steps[ROUND_STEPS], long (*round)(long),
                               long rounds)
{
    struct leak_baseline b = settled_baseline();
    long right[ROUND_STEPS] = { 0 };
    for (long i = 0; i < rounds; i++) {
        long r = round(i);
        for (int j = 0; j < ROUND_STEPS; j++)
            right[j] += r >> j & 1;
    }
    for (int j = 0; j < ROUND_STEPS; j++)
        expect(steps[j], right[j], rounds);
    expect_no_leaks_settled(b);
}

// One page shared with every child that reports back (parts 3 and 5), mapped here once so
// that the leak baselines never see this process's own page tables change.
static volatile void *report;
static nx_handle_t report_vmo;

static nx_handle_t report_for_child(void)
{
    memset((void *)report, 0, PAGE);
    return (nx_handle_t)nx_handle_duplicate(report_vmo, NX_RIGHTS_SAME);
}

static volatile void *child_report(nx_handle_t vmo)
{
    long va = nx_vm_map(nx_self, vmo, 0, 0, PAGE, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0)
        nx_exit_process(2);
    return (volatile void *)va;
}

// Spawn n processes running entry, *index = i in the i-th (its copy of this program's data
// says which it is); how many exited with status 0 within 60 s.
static long children_exiting_0(const char *name, size_t pages, void (*entry)(nx_handle_t),
                               long *index, long n)
{
    long child[MAX_THREADS], ok = 0;
    for (long i = 0; i < n; i++) {
        *index = i;
        child[i] = nx_spawn(name, pages, entry, NX_HANDLE_INVALID);
    }
    for (long i = 0; i < n; i++) {
        long status = -1;
        if (child[i] > 0 &&
            nx_process_wait((nx_handle_t)child[i], (uint64_t)nx_clock_get() + 60000 * MS,
                            &status) == NX_OK)
            ok += status == 0;
        nx_handle_close((nx_handle_t)child[i]);
    }
    return ok;
}

// ---- 1. threads of one process hammering shared memory ----

#define HAMMER_ADDS 1000000  // atomic adds per thread: tens of ms, several time slices
#define HAMMER_LOCKED 100000  // of them, also done under the lock
#define IDLE_YIELDS 20

static struct {
    long atomic_sum, locked_sum;
    long pinned, ready, go, inside, most_inside;
    _LOCK_T lock;
    nx_handle_t done, release[MAX_THREADS];
} hammer;

static void note_inside(long n)
{
    long most = __atomic_load_n(&hammer.most_inside, __ATOMIC_RELAXED);
    while (n > most && !__atomic_compare_exchange_n(&hammer.most_inside, &most, n, false,
                                                    __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

static void locked_add(long v)
{
    __retarget_lock_acquire(hammer.lock);
    volatile long *sum = &hammer.locked_sum;
    long old = *sum;
    for (volatile int i = 0; i < 8; i++) {  // widens the window a lost update needs
    }
    *sum = old + v;
    __retarget_lock_release(hammer.lock);
}

static void hammer_thread(void *arg)
{
    long i = (long)arg, add = i + 1;
    if (pin_self(hart_bit((uint64_t)i)) == NX_OK)
        __atomic_add_fetch(&hammer.pinned, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&hammer.ready, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&hammer.go, __ATOMIC_ACQUIRE))
        nx_yield();
    note_inside(__atomic_add_fetch(&hammer.inside, 1, __ATOMIC_RELAXED));
    for (long n = 0; n < HAMMER_ADDS; n++) {
        __atomic_fetch_add(&hammer.atomic_sum, add, __ATOMIC_RELAXED);
        if (n % (HAMMER_ADDS / HAMMER_LOCKED) == 0)
            locked_add(add);
    }
    __atomic_sub_fetch(&hammer.inside, 1, __ATOMIC_RELAXED);
    nx_notify_signal(hammer.done, 1ull << i);
    uint64_t bits;  // stays until its hart has been read
    nx_notify_wait_bits(hammer.release[i], NX_DEADLINE_NEVER, &bits);
}

// A thread that yields while other harts idle may be moved to one of them: until it has
// switched out it still runs here (the kernel once marked it as on the idle hart at once, so
// two harts took the same hart's state and the next block ran another hart's idle thread: a
// kernel panic at -smp 2). Each yield is followed by a sleep, the block that went wrong.
static void yield_beside_idle_harts(void)
{
    long returned = 0;
    for (int i = 0; i < IDLE_YIELDS; i++) {
        returned += nx_yield() == NX_OK;
        sleep_ns(MS);
    }
    expect("yields beside idle harts, each followed by a sleep", returned, IDLE_YIELDS);
}

static void threads_hammer_shared_memory(void)
{
    long n = harts > 1 ? harts : 4;
    yield_beside_idle_harts();
    __retarget_lock_init(&hammer.lock);
    hammer.done = (nx_handle_t)nx_notification_create();
    long threads[MAX_THREADS];
    for (long i = 0; i < n; i++) {
        hammer.release[i] = (nx_handle_t)nx_notification_create();
        threads[i] = nx_thread_start(hammer_thread, (void *)i, PRIO_USER_DEFAULT, 0);
    }
    expect("hammer: threads ready", wait_for(&hammer.ready, n, 30000), 1);
    uint64_t start = (uint64_t)nx_clock_get();
    __atomic_store_n(&hammer.go, 1, __ATOMIC_RELEASE);
    expect("hammer: every thread done", wait_bits_all(hammer.done, (1ull << n) - 1, 60000), 1);
    nx_printf("smp: hammer: %ld threads, %ld adds each, %lu ms, at most %ld at once\n", n,
              (long)HAMMER_ADDS, ((uint64_t)nx_clock_get() - start) / MS, hammer.most_inside);
    expect("hammer: each thread pinned itself", hammer.pinned, n);
    expect("hammer: atomic sum exact", hammer.atomic_sum, HAMMER_ADDS * n * (n + 1) / 2);
    expect("hammer: sum under the lock exact", hammer.locked_sum, HAMMER_LOCKED * n * (n + 1) / 2);
    expect("hammer: threads were inside at once", hammer.most_inside >= 2, 1);
    struct nx_process_info self = info_of(nx_self);  // thread 0 is this one
    long on_own = 0;
    for (long i = 0; i < n; i++)
        on_own += self.thread_hart[1 + i] == i % harts;
    expect("hammer: each thread ran on its own hart", on_own, n);
    for (long i = 0; i < n; i++) {
        nx_notify_signal(hammer.release[i], 1);
        nx_handle_close(threads[i]);
    }
    wait_threads_gone(1);
    close_all(hammer.release, n);
    nx_handle_close(hammer.done);
}

// ---- 1b. IPC pairs, one per hart, without the exclusive kernel lock ----

#define PAIR_CALLS 5000

static struct {
    nx_handle_t ep[MAX_THREADS], done;
    long wrong[MAX_THREADS];
} pairs;

static void pair_server(void *arg)
{
    long i = (long)arg;
    pin_self(hart_bit((uint64_t)i));
    struct nx_msg m = { .info = 0 };
    long r = nx_ipc_recv(pairs.ep[i], &m, NX_DEADLINE_NEVER);
    while (r == NX_OK && NX_MSG_LABEL(m.info) == 1) {
        m.info = NX_MSG_INFO(1, 0, 0);
        m.w[0] += 1;
        r = nx_ipc_reply_recv(pairs.ep[i], &m, NX_DEADLINE_NEVER);
    }
    m.info = NX_MSG_INFO(2, 0, 0);
    nx_ipc_reply(&m);  // the last call (label 2) ends the pair
}

static void pair_client(void *arg)
{
    long i = (long)arg;
    pin_self(hart_bit((uint64_t)i));
    for (uint64_t n = 0; n < PAIR_CALLS; n++) {
        struct nx_msg m = { .info = NX_MSG_INFO(1, 0, 0), .w = { n * 8 + (uint64_t)i } };
        if (nx_ipc_call(pairs.ep[i], &m, NX_DEADLINE_NEVER) != NX_OK || m.w[0] != n * 8 + i + 1)
            pairs.wrong[i]++;
    }
    struct nx_msg quit = { .info = NX_MSG_INFO(2, 0, 0) };
    nx_ipc_call(pairs.ep[i], &quit, NX_DEADLINE_NEVER);
    nx_notify_signal(pairs.done, 1ull << i);
}

static long hand_offs(long n)
{
    long sum = 0;
    for (long i = 0; i < n; i++)
        sum += nx_system_info(NX_INFO_HART((unsigned)i, NX_HART_HAND_OFFS));
    return sum;
}

// Each pair's calls and replies hand the hart over under the kernel lock held shared, so the
// pairs run in the kernel at once (docs/smp.md); at one hart there is no shared path.
static void ipc_pairs_without_the_exclusive_lock(void)
{
    long n = harts < 4 ? harts : 4;
    pairs.done = (nx_handle_t)nx_notification_create();
    long before = hand_offs(harts);
    nx_handle_t threads[2 * MAX_THREADS];
    for (long i = 0; i < n; i++) {
        pairs.ep[i] = (nx_handle_t)nx_endpoint_create();
        threads[2 * i] =
            (nx_handle_t)nx_thread_start(pair_server, (void *)i, PRIO_USER_DEFAULT, 0);
    }
    for (long i = 0; i < n; i++)
        threads[2 * i + 1] =
            (nx_handle_t)nx_thread_start(pair_client, (void *)i, PRIO_USER_DEFAULT, 0);
    expect("pairs: every pair done", wait_bits_all(pairs.done, (1ull << n) - 1, 60000), 1);
    long wrong = 0;
    for (long i = 0; i < n; i++)
        wrong += pairs.wrong[i];
    expect("pairs: every reply right", wrong, 0);
    long handed = hand_offs(harts) - before, calls = 2 * PAIR_CALLS * n;
    nx_printf("smp: pairs: %ld pairs, %ld hand-offs under the shared lock of %ld\n", n,
              handed, calls);
    // Almost all: one waits now and then for a hart holding the lock exclusive (a timer).
    expect("pairs: calls and replies went without the exclusive lock",
           harts == 1 ? handed == 0 : handed >= calls * 9 / 10, 1);
    close_all(threads, 2 * n);
    wait_threads_gone(1);
    close_all(pairs.ep, n);
    nx_handle_close(pairs.done);
}

// ---- 1c. processes mapping memory at once, without the exclusive kernel lock ----

#define MAPPERS 4
#define MAPS 2000
#define MAPPER_PAGES 64

static long mapper_index;  // set before each spawn: the child's copy says which it is

static long shared_maps(void)
{
    long sum = 0;
    for (long i = 0; i < harts; i++)
        sum += nx_system_info(NX_INFO_HART((unsigned)i, NX_HART_SHARED_MAPS));
    return sum;
}

// Map and unmap a VMO of its own MAPS times on its hart; every 100th time write the mapping
// and read the word back through the VMO. Exit status: how many went wrong.
static void mapper(nx_handle_t unused)
{
    (void)unused;
    enter_child();
    pin_self(hart_bit((uint64_t)(mapper_index % harts)));
    long wrong = 0, vmo = nx_vmo_create(2 * PAGE);
    for (uint64_t n = 0; n < MAPS && vmo > 0; n++) {
        long va = nx_vm_map(nx_self, vmo, 0, 0, 2 * PAGE, NX_PROT_READ | NX_PROT_WRITE);
        if (va < 0) {
            wrong++;
            continue;
        }
        uint64_t word = n << 8 | (uint64_t)mapper_index, got = 0;
        if (n % 100 == 0) {
            *(volatile uint64_t *)(va + PAGE) = word;
            wrong += nx_vmo_read(vmo, PAGE, &got, sizeof(got)) != NX_OK || got != word;
        }
        wrong += nx_vm_unmap(nx_self, (uint64_t)va, 2 * PAGE) != NX_OK;
    }
    nx_exit_process(vmo > 0 ? wrong : -1);
}

static void processes_map_without_the_exclusive_lock(void)
{
    struct leak_baseline base = settled_baseline();
    long before = shared_maps();
    long right = children_exiting_0("mapper", MAPPER_PAGES, mapper, &mapper_index, MAPPERS);
    expect("maps: every mapper's maps, unmaps and words right", right, MAPPERS);
    long shared = shared_maps() - before, calls = 2 * MAPS * MAPPERS;
    nx_printf("smp: maps: %d processes, %ld of %ld maps and unmaps under the shared lock\n",
              MAPPERS, shared, calls);
    // All but each process's first map (which makes its table) and any that met a hart
    // holding the lock exclusive: the faults every 100th map, a timer.
    expect("maps: maps and unmaps went without the exclusive lock",
           harts == 1 ? shared == 0 : shared >= calls * 9 / 10, 1);
    expect_no_leaks_settled(base);
}

// ---- 2. a process killed while its threads run on other harts ----

#define KILL_ROUNDS 6
#define SPINNER_PAGES 256
#define SPINNER_THREADS_MIN 3

static long spinner_running;  // the spinner's own copy

static long spinner_threads(void)
{
    return harts - 1 > SPINNER_THREADS_MIN ? harts - 1 : SPINNER_THREADS_MIN;
}

// Even threads spin in user mode; odd ones churn VMOs through syscalls, so a kill finds
// threads in user mode, in the kernel, and waiting to enter it.
static void spin_or_churn(long k)
{
    pin_self(hart_bit(other_hart((uint64_t)k)));
    __atomic_add_fetch(&spinner_running, 1, __ATOMIC_RELEASE);
    if (k % 2 == 0)
        for (volatile long x = 0;; x++) {
        }
    for (;;) {
        long v = nx_vmo_create(PAGE);
        long va = nx_vm_map(nx_self, v, 0, 0, PAGE, NX_PROT_READ | NX_PROT_WRITE);
        if (va > 0) {
            *(volatile long *)va = k;
            nx_vm_unmap(nx_self, va, PAGE);
        }
        nx_handle_close(v);
    }
}

static void spinner_thread(void *arg)
{
    spin_or_churn((long)arg);
}

static void spinner(nx_handle_t ready)
{
    enter_child();
    pin_self(hart_bit(other_hart(0)));
    long n = spinner_threads();
    for (long k = 1; k < n; k++)
        nx_thread_start(spinner_thread, (void *)k, PRIO_USER_DEFAULT, 0);
    while (__atomic_load_n(&spinner_running, __ATOMIC_ACQUIRE) < n - 1)
        nx_yield();
    nx_notify_signal(ready, 1);
    spin_or_churn(0);
}

static bool threads_on_other_harts(const struct nx_process_info *info)
{
    for (uint32_t k = 0; k < info->threads; k++)
        if (info->thread_hart[k] != other_hart(k))
            return false;
    return true;
}

// One round: a spinner killed `round` ms after its threads are all up. Steps: it came up,
// its threads were on the other harts, the kill worked, and it was dead when it returned.
static long kill_round(long round)
{
    long ready = nx_notification_create();
    long child = nx_spawn("spinner", SPINNER_PAGES, spinner,
                          (nx_handle_t)nx_handle_duplicate(ready, NX_RIGHTS_SAME));
    long up = child > 0 && wait_bits_all((nx_handle_t)ready, 1, 30000);
    sleep_ns((uint64_t)round * MS);  // the kill lands somewhere else each round
    struct nx_process_info before = info_of((nx_handle_t)child);
    long spread = up && before.threads == spinner_threads() && threads_on_other_harts(&before);
    long killed = nx_process_kill((nx_handle_t)child) == NX_OK;
    struct nx_process_info after = info_of((nx_handle_t)child);
    long dead = after.state == NX_PROC_DEAD && after.exit_status == NX_EXIT_KILLED;
    nx_handle_close((nx_handle_t)child);
    nx_handle_close((nx_handle_t)ready);
    return up | spread << 1 | killed << 2 | dead << 3;
}

static const char *const kill_steps[ROUND_STEPS] = {
    "kill: every spinner came up", "kill: its threads were on the other harts", "kill: killed",
    "kill: dead when the kill returned"
};

// ---- 3. unmap while another hart's thread touches the mapping ----

#define UNMAP_ROUNDS 8
#define TOUCH_PAGES 4
#define TOUCHER_PAGES 64
#define NEW_VMOS 8  // each of TOUCH_PAGES pages, made right after the unmap
#define OLD_WORD(p) (0x01d0000000000000ull | (p))
#define NEW_WORD 0x0e30000000000000ull

struct touch_report {
    uint64_t va;  // where the pages are mapped in the toucher (0: not yet)
    long reads;
    long wrong;
    uint64_t seen;  // the last wrong word
};

// Reads a word of each page, checks it is the old one and stores it back, for ever: a stale
// translation to a page reused by a new VMO would show the new word, or leave the old one
// in it.
static void toucher(nx_handle_t report_handle)
{
    enter_child();
    volatile struct touch_report *r = child_report(report_handle);
    pin_self(hart_bit(other_hart(0)));
    while (!r->va)
        nx_yield();
    volatile uint64_t *pages = (volatile uint64_t *)r->va;
    for (uint64_t i = 0;; i++) {
        for (uint64_t p = 0; p < TOUCH_PAGES; p++) {
            volatile uint64_t *w = pages + p * (PAGE / 8) + i % (PAGE / 8);
            uint64_t v = *w;
            if (v != OLD_WORD(p)) {
                r->seen = v;
                r->wrong++;
            }
            *w = OLD_WORD(p);
        }
        r->reads++;
    }
}

// A copy of a VMO's words (main touches it first: its pages are committed before any
// baseline).
static uint64_t words[TOUCH_PAGES * PAGE / 8];

static long vmo_filled(size_t pages, uint64_t (*word)(uint64_t page))
{
    for (uint64_t i = 0; i < pages * PAGE / 8; i++)
        words[i] = word(i / (PAGE / 8));
    long v = nx_vmo_create(pages * PAGE);
    if (v > 0)
        nx_vmo_write((nx_handle_t)v, 0, words, pages * PAGE);
    return v;
}

static uint64_t old_word(uint64_t page)
{
    return OLD_WORD(page);
}

static uint64_t new_word(uint64_t page)
{
    (void)page;
    return NEW_WORD;
}

// Words of v (TOUCH_PAGES pages) that are not NEW_WORD.
static long not_new(long v)
{
    if (nx_vmo_read((nx_handle_t)v, 0, words, sizeof(words)) != NX_OK)
        return -1;
    long n = 0;
    for (size_t i = 0; i < sizeof(words) / 8; i++)
        n += words[i] != NEW_WORD;
    return n;
}

// One round. Steps: the toucher was touching, the unmap worked, the toucher faulted, it saw
// only the old words and the new VMOs hold only theirs.
static long unmap_round(long round)
{
    (void)round;
    volatile struct touch_report *r = report;
    long child = nx_spawn("toucher", TOUCHER_PAGES, toucher, report_for_child());
    long old = vmo_filled(TOUCH_PAGES, old_word);
    long va = nx_vm_map((nx_handle_t)child, (nx_handle_t)old, 0, 0, TOUCH_PAGES * PAGE,
                        NX_PROT_READ | NX_PROT_WRITE);
    nx_handle_close((nx_handle_t)old);  // the mapping holds the pages now: the unmap frees them
    r->va = (uint64_t)va;
    long result = wait_for(&r->reads, 1000, 5000);
    nx_printf("smp: unmap: %lx-%lx of process %u\n", va, va + TOUCH_PAGES * PAGE,
              info_of((nx_handle_t)child).pid);
    result |= (nx_vm_unmap((nx_handle_t)child, (uint64_t)va, TOUCH_PAGES * PAGE) == NX_OK) << 1;
    long fresh[NEW_VMOS];
    for (int i = 0; i < NEW_VMOS; i++)
        fresh[i] = vmo_filled(TOUCH_PAGES, new_word);
    long status = 0;
    if (nx_process_wait((nx_handle_t)child, (uint64_t)nx_clock_get() + 2000 * MS, &status))
        nx_process_kill((nx_handle_t)child);  // never faulted
    result |= (status == NX_EXIT_KILLED) << 2;
    long untouched = r->wrong == 0;
    if (!untouched)
        nx_printf("smp: unmap: the toucher saw %lx WRONG\n", r->seen);
    for (int i = 0; i < NEW_VMOS; i++) {
        untouched &= not_new(fresh[i]) == 0;
        nx_handle_close((nx_handle_t)fresh[i]);
    }
    nx_handle_close((nx_handle_t)child);
    return result | untouched << 3;
}

static const char *const unmap_steps[ROUND_STEPS] = {
    "unmap: the toucher was touching", "unmap: unmapped under it", "unmap: the toucher faulted",
    "unmap: only the old page seen, new VMOs untouched"
};

// ---- 4. FP in several processes, preempted and moved ----

#define FP_PROCESSES 4
#define FP_THREADS 3     // per process: 12 threads in all, more than the harts (at most 8)
#define FP_PHASES 3
#define FP_HOLD_TICKS 200000  // 20 ms of the 10 MHz time base
#define FP_SUM_TICKS 200000
#define FP_MOVE_EVERY 4096    // sum rounds between re-pinnings (a fraction of a ms)
#define FP_PAGES 128

static long fp_index;  // set before each spawn: the child's copy says which it is

#define EACH8(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)
#define STEP(j) const double s##j = (double)(seed * 8 + (j) + 1) * 0.25;
#define ZERO(j) double a##j = 0;
#define ADD(j) a##j += s##j;
#define WRONG_SUM(j) + (a##j != (double)n * s##j)

// Eight sums of steps that are the thread's own (multiples of 1/4: every partial sum is
// exact), kept in FP registers until the deadline while the thread re-pins itself to another
// hart now and then; how many came out inexact.
static long exact_sums(uint64_t seed, uint64_t deadline)
{
    EACH8(STEP)
    EACH8(ZERO)
    long n = 0;
    do {
        EACH8(ADD)
        if (++n % FP_MOVE_EVERY == 0)
            pin_self(hart_bit(seed + (uint64_t)n / FP_MOVE_EVERY));
    } while (now_ticks() < deadline);
    return 0 EACH8(WRONG_SUM);
}

static void fp_work(long t, long *wrong)
{
    long zero_at_first = fregs_nonzero();
    uint64_t seed = (uint64_t)(fp_index * FP_THREADS + t + 1);
    long mismatches = 0, inexact = 0;
    for (uint64_t phase = 0; phase < FP_PHASES; phase++) {
        uint64_t base = seed << 40 | phase << 32;
        mismatches += fregs_hold(base, now_ticks() + FP_HOLD_TICKS, (seed + phase) % 5);
        inexact += exact_sums(seed, now_ticks() + FP_SUM_TICKS);
    }
    if (zero_at_first || mismatches || inexact)
        nx_printf("smp: fp process %ld thread %ld: %ld registers not zero at first, %ld "
                  "mismatches, %ld inexact sums WRONG\n",
                  fp_index, t, zero_at_first, mismatches, inexact);
    __atomic_add_fetch(wrong, zero_at_first + mismatches + inexact, __ATOMIC_RELAXED);
}

static struct {
    long wrong;
    nx_handle_t done;
} fp;

static void fp_thread(void *arg)
{
    fp_work((long)arg, &fp.wrong);
    nx_notify_signal(fp.done, 1ull << (long)arg);
}

static void fp_process(nx_handle_t unused)
{
    (void)unused;
    enter_child();
    fp.done = (nx_handle_t)nx_notification_create();
    for (long t = 1; t < FP_THREADS; t++)
        nx_thread_start(fp_thread, (void *)t, PRIO_USER_DEFAULT, 0);
    fp_work(0, &fp.wrong);
    bool all = wait_bits_all(fp.done, ((1ull << FP_THREADS) - 1) & ~1ull, 30000);
    nx_exit_process(all ? fp.wrong : -1);
}

static void fp_processes_keep_their_own_values(void)
{
    expect("fp: more FP threads than harts", FP_PROCESSES * FP_THREADS > harts, 1);
    long exact = children_exiting_0("fp", FP_PAGES, fp_process, &fp_index, FP_PROCESSES);
    expect("fp: every process's registers and sums its own and exact", exact, FP_PROCESSES);
}

// ---- 5. bad input ----

// A thread made in another process runs this: yields for ever, touching no stack.
__attribute__((naked)) static void parked_thread(void)
{
    __asm__ volatile("1: li a7, %0\n ecall\n j 1b\n" : : "i"(NX_SYS_yield));
}

static void wait_forever(nx_handle_t unused)
{
    (void)unused;
    enter_child();
    uint64_t bits;
    nx_notify_wait_bits(pause_notif, NX_DEADLINE_NEVER, &bits);
}

static void returns_at_once(void *arg)
{
    (void)arg;
}

static void affinity_bad_input(void)
{
    uint64_t all = harts >= 64 ? ~0ull : (1ull << harts) - 1;
    expect("affinity: no bit", pin_self(0), NX_ERR_INVALID);
    expect("affinity: only harts that do not exist", pin_self(~all), NX_ERR_INVALID);
    expect("affinity: the top bit", pin_self(1ull << 63), NX_ERR_INVALID);
    expect("affinity: hart 0 and harts that do not exist", pin_self(1 | ~all), NX_OK);
    expect("affinity: then it runs on hart 0", (nx_yield(), info_of(nx_self).thread_hart[0]), 0);
    expect("affinity: every hart", pin_self(all), NX_OK);
    expect("affinity: a process handle", nx_thread_set_affinity(nx_self, 1), NX_ERR_WRONG_TYPE);
    long n = nx_notification_create();
    expect("affinity: a notification", nx_thread_set_affinity((nx_handle_t)n, 1),
           NX_ERR_WRONG_TYPE);
    nx_handle_close((nx_handle_t)n);
    expect("affinity: a closed handle", nx_thread_set_affinity((nx_handle_t)n, 1),
           NX_ERR_BAD_HANDLE);

    uint32_t threads = info_of(nx_self).threads;
    long t = nx_thread_start(returns_at_once, NULL, PRIO_USER_DEFAULT, 0);
    long weak = nx_handle_duplicate((nx_handle_t)t, NX_RIGHT_READ | NX_RIGHT_DUPLICATE);
    expect("affinity: a thread handle without MANAGE", nx_thread_set_affinity((nx_handle_t)weak, 1),
           NX_ERR_ACCESS);
    wait_threads_gone(threads);
    expect("affinity: a thread that returned", nx_thread_set_affinity((nx_handle_t)t, 1),
           NX_ERR_BAD_STATE);
    nx_handle_close((nx_handle_t)weak);
    nx_handle_close((nx_handle_t)t);

    long child = nx_spawn("parked", 64, wait_forever, NX_HANDLE_INVALID);
    long other = nx_thread_create((nx_handle_t)child, (long)parked_thread, (long)report, 0,
                                  PRIO_USER_DEFAULT);
    expect("affinity: another process's thread", nx_thread_set_affinity((nx_handle_t)other,
                                                                        hart_bit(other_hart(0))),
           NX_OK);
    nx_process_kill((nx_handle_t)child);
    expect("affinity: a thread of a killed process",
           nx_thread_set_affinity((nx_handle_t)other, 1), NX_ERR_BAD_STATE);
    nx_handle_close((nx_handle_t)other);
    nx_handle_close((nx_handle_t)child);
}

// The shootdown storm: threads on every hart map, touch and unmap pages of their process
// (whose address space has run on every hart, so every unmap fences them all) as fast as
// they can. With several harts they run below the worker's priority, so that what slows the
// worker is the kernel (its lock, the fences) and not time slices with a storm thread; at
// one hart they share it by time slices, or there would be no storm while the worker runs.
#define STORM_PRIORITY (PRIO_USER_DEFAULT - 1)
#define STORM_PAGES 4
#define STORMER_PAGES 256
#define WORK_ROUNDS 400
#define WORK_PAGES 16
#define WORKER_PAGES 64

struct storm_report {
    long rounds[MAX_THREADS];
    long wrong;
};

static long storm_threads(void)
{
    return harts > 1 ? harts : 2;
}

static volatile struct storm_report *storm;  // the stormer's mapping of the report

static void storm_thread(void *arg)
{
    long k = (long)arg;
    pin_self(hart_bit((uint64_t)k));
    long v = nx_vmo_create(STORM_PAGES * PAGE);
    for (uint64_t round = 0;; round++) {
        long va = nx_vm_map(nx_self, (nx_handle_t)v, 0, 0, STORM_PAGES * PAGE,
                            NX_PROT_READ | NX_PROT_WRITE);
        if (va < 0) {
            storm->wrong++;
            continue;
        }
        volatile uint64_t *w = (volatile uint64_t *)(va + round % STORM_PAGES * PAGE);
        uint64_t word = round << 8 | (uint64_t)k;
        *w = word;
        if (*w != word)
            storm->wrong++;
        nx_vm_unmap(nx_self, (uint64_t)va, STORM_PAGES * PAGE);
        storm->rounds[k]++;
    }
}

static void stormer(nx_handle_t report_handle)
{
    enter_child();
    storm = child_report(report_handle);
    uint32_t priority = harts > 1 ? STORM_PRIORITY : PRIO_USER_DEFAULT;
    for (long k = 0; k < storm_threads(); k++)
        nx_thread_start(storm_thread, (void *)k, priority, 0);
    uint64_t bits;
    nx_notify_wait_bits(pause_notif, NX_DEADLINE_NEVER, &bits);
}

static void storm_rounds(long *rounds)
{
    const volatile struct storm_report *r = report;
    for (long k = 0; k < storm_threads(); k++)
        rounds[k] = r->rounds[k];
}

// Rounds the fastest storm thread made since `before` (the one sharing the worker's hart
// below its priority makes hardly any).
static long most_rounds_since(const long *before)
{
    long now[MAX_THREADS], most = 0;
    storm_rounds(now);
    for (long k = 0; k < storm_threads(); k++)
        most = now[k] - before[k] > most ? now[k] - before[k] : most;
    return most;
}

// The worker's fixed work: WORK_ROUNDS times, its WORK_PAGES pages filled through a mapping
// (user work) and one of their words read back with nx_vmo_read (a syscall). Its exit status
// is how many words differed.
static void worker(nx_handle_t unused)
{
    (void)unused;
    enter_child();
    long v = nx_vmo_create(WORK_PAGES * PAGE);
    long va = nx_vm_map(nx_self, (nx_handle_t)v, 0, 0, WORK_PAGES * PAGE,
                        NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0)
        nx_exit_process(-1);
    long wrong = 0;
    volatile uint64_t *words_at = (volatile uint64_t *)va;
    for (uint64_t r = 0; r < WORK_ROUNDS; r++) {
        for (uint64_t i = 0; i < WORK_PAGES * PAGE / 8; i++)
            words_at[i] = (r << 32 | i) * 0x9e3779b97f4a7c15ull;
        uint64_t i = r * 37 % (WORK_PAGES * PAGE / 8), back = 0;
        nx_vmo_read((nx_handle_t)v, i * 8, &back, sizeof(back));
        wrong += back != (r << 32 | i) * 0x9e3779b97f4a7c15ull;
    }
    nx_exit_process(wrong);
}

// Run the worker to its end; its status, and the time it took in *ns.
static long time_worker(uint64_t *ns)
{
    uint64_t start = (uint64_t)nx_clock_get();
    long child = nx_spawn("worker", WORKER_PAGES, worker, NX_HANDLE_INVALID), status = -1;
    if (child > 0 &&
        nx_process_wait((nx_handle_t)child, start + 300000 * MS, &status) != NX_OK) {
        nx_process_kill((nx_handle_t)child);
        status = -1;
    }
    *ns = (uint64_t)nx_clock_get() - start;
    nx_handle_close((nx_handle_t)child);
    return status;
}

// How long the work may take in the storm, from how fast the storm itself went meanwhile
// (so the bound follows the host's speed). Its own work: at one hart it shares the hart with
// the storm threads by time slices; with several it runs above them, allowing twice its time
// for the noise of a loaded host. Its kernel entries compete with the storm's for the kernel:
// each is allowed two storm rounds (six of the storm's own entries: a map, a fault and an
// unmap that fences every hart, each with its wait). The big lock queues nobody (a waiter
// that halted loses to harts still spinning), and at -smp 3 on a loaded host an entry of the
// worker took about two of the storm's; a lock that let the storm cut in again and again
// would take many more.
#define WORK_KERNEL_ENTRIES (WORK_ROUNDS + WORK_PAGES + 64)  // syscalls, faults; spawn, exit

static uint64_t storm_bound_ns(uint64_t alone_ns, uint64_t round_ns)
{
    uint64_t shares = harts > 1 ? 2 : (uint64_t)storm_threads() + 1;
    return shares * alone_ns + 2 * WORK_KERNEL_ENTRIES * round_ns + 1000 * MS;
}

static void work_finishes_in_a_shootdown_storm(void)
{
    struct leak_baseline b = settled_baseline();
    uint64_t alone_ns, storm_ns;
    expect("storm: the work alone is right", time_worker(&alone_ns), 0);
    volatile struct storm_report *r = report;
    long child = nx_spawn("stormer", STORMER_PAGES, stormer, report_for_child());
    long storming = 0;
    for (long k = 0; k < storm_threads(); k++)
        storming += wait_for(&r->rounds[k], 2, 60000);
    expect("storm: mapping and unmapping on every hart", storming, storm_threads());
    long before[MAX_THREADS];
    storm_rounds(before);
    expect("storm: the work in the storm is right", time_worker(&storm_ns), 0);
    long rounds = most_rounds_since(before);
    expect("storm: the storm went on meanwhile", rounds > 0, 1);
    uint64_t round_ns = storm_ns / (uint64_t)(rounds > 0 ? rounds : 1);
    uint64_t bound = storm_bound_ns(alone_ns, round_ns);
    nx_printf("smp: storm: the work took %lu ms alone, %lu ms in the storm (bound %lu ms; a "
              "storm round took %lu us)\n", alone_ns / MS, storm_ns / MS, bound / MS,
              round_ns / 1000);
    expect("storm: the work finished in bounded time", storm_ns <= bound, 1);
    expect("storm: kill the stormer", nx_process_kill((nx_handle_t)child), NX_OK);
    expect("storm: its pages read what it wrote", r->wrong, 0);
    nx_handle_close((nx_handle_t)child);
    expect_no_leaks_settled(b);
}

int main(void)
{
    harts = nx_system_info(NX_INFO_HARTS);
    pause_notif = (nx_handle_t)nx_notification_create();
    report_vmo = (nx_handle_t)nx_vmo_create(PAGE);
    report = (volatile void *)nx_vm_map(nx_self, report_vmo, 0, 0, PAGE,
                                        NX_PROT_READ | NX_PROT_WRITE);
    memset(words, 0, sizeof(words));
    memset((void *)report, 0, PAGE);
    nx_printf("smp: %ld harts\n", harts);
    expect("harts between 1 and 8", harts >= 1 && harts <= MAX_THREADS, 1);
    threads_hammer_shared_memory();
    ipc_pairs_without_the_exclusive_lock();
    processes_map_without_the_exclusive_lock();
    pin_self(1);  // parts 2 and 3 put the other processes' threads on the other harts
    expect_every_round(kill_steps, kill_round, KILL_ROUNDS);
    expect_every_round(unmap_steps, unmap_round, UNMAP_ROUNDS);
    pin_self(~0ull);
    fp_processes_keep_their_own_values();
    affinity_bad_input();
    work_finishes_in_a_shootdown_storm();
    nx_printf("smp: %d failures\n", failures);
    return failures;
}

// Kernel objects through real syscalls: handles and rights, notifications with deadlines,
// threads, processes (watch, status, kill, budgets), and the leak counters. Prints
// "objects: <check> ok" or "... WRONG (got X, want Y)"; ends by exiting its last thread.
#define TEST_NAME "objects"
#include "expect.h"

#define MS 1000000ull


static void handles(void)
{
    long n = nx_notification_create();
    expect("create gives a handle", n > 0, 1);
    expect("info: type and rights", nx_handle_info(n),
           NX_OBJ_NOTIFICATION | (long)NX_RIGHTS_ALL << 8);
    long weak = nx_handle_duplicate(n, NX_RIGHT_WAIT | NX_RIGHT_DUPLICATE);
    expect("duplicate with fewer rights", nx_handle_info(weak),
           NX_OBJ_NOTIFICATION | (long)(NX_RIGHT_WAIT | NX_RIGHT_DUPLICATE) << 8);
    expect("rights never grow", nx_handle_duplicate(weak, NX_RIGHT_SIGNAL), NX_ERR_ACCESS);
    expect("missing right is refused", nx_notify_signal(weak, 1), NX_ERR_ACCESS);
    expect("unknown rights bits", nx_handle_duplicate(n, 1 << 20), NX_ERR_INVALID);
    long grand = nx_handle_duplicate(weak, NX_RIGHTS_SAME);
    expect("revoke closes what was derived", nx_handle_revoke(n), 2);
    expect("revoked handle is stale", nx_handle_info(grand), NX_ERR_BAD_HANDLE);
    expect("wrong type", nx_process_kill(n), NX_ERR_WRONG_TYPE);
    // The typed stub would cut the value to 32 bits: the raw call passes the whole register.
    expect("upper bits name no handle",
           nx_syscall7(NX_SYS_handle_close, n | 1l << 32, 0, 0, 0, 0, 0, 0), NX_ERR_BAD_HANDLE);
    expect("close", nx_handle_close(n), NX_OK);
    expect("closed handle is stale", nx_handle_close(n), NX_ERR_BAD_HANDLE);
    expect("invalid handle", nx_handle_info(NX_HANDLE_INVALID), NX_ERR_BAD_HANDLE);
}

// A hart adds its halted instret when its WFI ends, and other services (the users service's
// first-boot hashing) may keep every hart busy for a while: so wait in 2 ms steps, a bounded
// number of times, until some halt is counted. With one hart, the halted share must also be
// less than the instret that passed.
static long halted_time_is_counted(nx_handle_t n)
{
    uint64_t bits;
    for (int tries = 0; tries < 100; tries++) {
        uint64_t instret = nx_rdinstret();
        long idle = nx_system_info(NX_INFO_IDLE_INSTRET);
        nx_notify_wait_bits(n, (uint64_t)nx_clock_get() + 2 * MS, &bits);
        idle = nx_system_info(NX_INFO_IDLE_INSTRET) - idle;
        instret = nx_rdinstret() - instret;
        if (idle > 0)
            return (uint64_t)idle < instret || nx_system_info(NX_INFO_HARTS) > 1;
    }
    return 0;
}

static void notifications(void)
{
    long n = nx_notification_create();
    uint64_t bits = 0;
    nx_notify_signal(n, 0x5);
    nx_notify_signal(n, 0x100);
    expect("poll returns the bits", nx_notify_poll_bits(n, &bits) == NX_OK ? (long)bits : -1,
           0x105);
    expect("poll clears them", nx_notify_poll_bits(n, &bits) == NX_OK ? (long)bits : -1, 0);
    expect("past deadline does not block", nx_notify_wait_bits(n, 0, &bits), NX_ERR_TIMED_OUT);
    uint64_t t0 = (uint64_t)nx_clock_get();
    long r = nx_notify_wait_bits(n, t0 + 2 * MS, &bits);
    uint64_t waited = (uint64_t)nx_clock_get() - t0;
    expect("wait times out at its deadline", r, NX_ERR_TIMED_OUT);
    expect("and not before", waited >= 2 * MS, 1);
    expect("the hart's halted time is counted", halted_time_is_counted(n), 1);
    nx_handle_close(n);
}

// ---- threads ----

static uint64_t stack[2][1024] __attribute__((aligned(16)));
static volatile long worker_saw;
static nx_handle_t reply;

static void worker(long n)
{
    uint64_t bits;
    worker_saw = nx_notify_wait_bits((nx_handle_t)n, NX_DEADLINE_NEVER, &bits) == NX_OK
                     ? (long)bits : -1;
    nx_notify_signal(reply, 0x2);  // back to main
    nx_thread_exit();
}

static void threads(void)
{
    long n = nx_notification_create();
    reply = nx_notification_create();
    uint64_t top = (uint64_t)&stack[0][1024];
    expect("priority above the creator's", nx_thread_create(nx_self, (long)worker, top, n, 17),
           NX_ERR_ACCESS);
    expect("pc outside user space", nx_thread_create(nx_self, 0, top, n, 16), NX_ERR_INVALID);
    // Both on one hart, so that our yield lets the worker reach its wait before we signal.
    nx_thread_set_affinity(NX_HANDLE_INVALID, 1);
    long t = nx_thread_create(nx_self, (long)worker, top, n, 16);
    expect("thread create", nx_handle_info_type(nx_handle_info(t)), NX_OBJ_THREAD);
    nx_thread_set_affinity(t, 1);
    nx_yield();
    nx_notify_signal(n, 0x1);
    uint64_t bits = 0;
    // The answer comes on its own notification: had the worker not waited yet, a wait of
    // ours on n could take the 0x1 meant for it.
    long r = nx_notify_wait_bits(reply, (uint64_t)nx_clock_get() + 100 * MS, &bits);
    expect("signal wakes a thread blocked in wait", worker_saw, 0x1);
    expect("and it answers", r == NX_OK ? (long)bits : r, 0x2);
    nx_thread_set_affinity(NX_HANDLE_INVALID, ~0ull);
    nx_handle_close(t);
    nx_handle_close(n);
    nx_handle_close(reply);
}

// ---- processes ----

static void processes(void)
{
    long n = nx_notification_create();
    uint64_t bits;
    long status = 0;
    expect("name too long", nx_process_create("0123456789012345678901234567890123", 34, 64),
           NX_ERR_TOO_BIG);
    expect("budget beyond ours", nx_process_create("big", 3, 1 << 30), NX_ERR_NO_MEMORY);
    expect("budget too small to exist", nx_process_create("tiny", 4, 2), NX_ERR_NO_MEMORY);
    long p = nx_process_create("empty", 5, 64);
    expect("process create", nx_handle_info_type(nx_handle_info(p)), NX_OBJ_PROCESS);
    expect("status while alive", nx_process_status(p, &status), NX_ERR_BAD_STATE);
    expect("watch needs bits", nx_process_watch(p, n, 0), NX_ERR_INVALID);
    expect("watch", nx_process_watch(p, n, 0x40), NX_OK);
    // Nothing is mapped in the child: its first instruction faults and only it dies.
    expect("start above our priority", nx_process_start(p, 0x10000, 0x3ffffff000,
                                                        NX_HANDLE_INVALID, 17), NX_ERR_ACCESS);
    expect("start", nx_process_start(p, 0x10000, 0x3ffffff000, NX_HANDLE_INVALID, 16), NX_OK);
    expect("start twice", nx_process_start(p, 0x10000, 0x3ffffff000, NX_HANDLE_INVALID, 16),
           NX_ERR_BAD_STATE);
    long r = nx_notify_wait_bits(n, (uint64_t)nx_clock_get() + 100 * MS, &bits);
    expect("exit wakes the watcher", r == NX_OK ? (long)bits : r, 0x40);
    expect("status after death", nx_process_status(p, &status), NX_OK);
    expect("killed status", status, NX_EXIT_KILLED);
    expect("status to a bad pointer", nx_process_status(p, (long *)8), NX_ERR_BAD_ADDRESS);
    expect("kill the dead", nx_process_kill(p), NX_ERR_BAD_STATE);
    nx_handle_close(p);

    long q = nx_process_create("victim", 6, 64);
    nx_process_watch(q, n, 0x80);
    expect("kill", nx_process_kill(q), NX_OK);
    expect("kill signals at once", nx_notify_poll_bits(n, &bits) == NX_OK ? (long)bits : -1, 0x80);
    nx_handle_close(q);
    nx_handle_close(n);
}

// ---- check, then act ----

// What a failed call must leave as it was: kernel pages, handles, objects, processes, and the
// pages charged to this process.
struct counters {
    long pages, handles, objects, processes, used;
};

static struct counters counters_now(void)
{
    struct nx_process_info info;
    nx_process_info(nx_self, &info);
    return (struct counters){ nx_system_info(NX_INFO_FREE_PAGES),
                              nx_system_info(NX_INFO_LIVE_HANDLES),
                              nx_system_info(NX_INFO_LIVE_OBJECTS),
                              nx_system_info(NX_INFO_LIVE_PROCESSES), (long)info.used_pages };
}

static void expect_unchanged(const char *what, struct counters before)
{
    struct counters now = counters_now();
    expect(what, now.pages == before.pages && now.handles == before.handles &&
                 now.objects == before.objects && now.processes == before.processes &&
                 now.used == before.used, 1);
}

static long pid_of(long proc)
{
    struct nx_process_info info;
    return nx_process_info(proc, &info) == NX_OK ? (long)info.pid : -1;
}

static long fill_table(long h, long *fillers)
{
    long n = 0, d;
    while ((d = nx_handle_duplicate(h, NX_RIGHTS_SAME)) > 0)
        fillers[n++] = d;
    return n;
}

// Every create checks for a free handle slot before it makes anything: with a full table
// nothing is made and undone, and a process create uses up no pid.
static void creates_with_a_full_table(void)
{
    long a = nx_process_create("a", 1, 64);
    long n = nx_notification_create();
    long fillers[NX_HANDLE_TABLE_SIZE];
    long filled = fill_table(n, fillers);
    struct counters before = counters_now();
    expect("process create, table full", nx_process_create("b", 1, 64), NX_ERR_NO_SPACE);
    expect("endpoint create, table full", nx_endpoint_create(), NX_ERR_NO_SPACE);
    expect("notification create, table full", nx_notification_create(), NX_ERR_NO_SPACE);
    expect("vmo create, table full", nx_vmo_create(4096), NX_ERR_NO_SPACE);
    expect("timer create, table full", nx_timer_create(n, 1), NX_ERR_NO_SPACE);
    expect("thread create, table full",
           nx_thread_create(nx_self, 0x10000, 0x3ffffff000, 0, 16), NX_ERR_NO_SPACE);
    expect_unchanged("failed creates change nothing", before);
    for (long i = 0; i < filled; i++)
        nx_handle_close(fillers[i]);
    long b = nx_process_create("b", 1, 64);
    expect("the failed process create used up no pid", pid_of(b), pid_of(a) + 1);
    nx_process_kill(a);
    nx_process_kill(b);
    nx_handle_close(a);
    nx_handle_close(b);
    nx_handle_close(n);
}

// A start checks everything and makes the thread before it moves the handle it passes: a
// start that fails leaves the handle with the caller.
static void start_without_budget_for_a_thread(void)
{
    long p = nx_process_create("small", 5, 5);  // the least a process can have
    long n = nx_notification_create();
    struct counters before = counters_now();
    struct nx_process_info info;
    nx_process_info(p, &info);
    long used = (long)info.used_pages;
    expect("start without budget for a thread",
           nx_process_start(p, 0x10000, 0x3ffffff000, n, 16), NX_ERR_NO_MEMORY);
    expect("leaves the handle with the caller", nx_handle_info(n) & 0xff, NX_OBJ_NOTIFICATION);
    expect_unchanged("and changes nothing", before);
    nx_process_info(p, &info);
    expect("nor in the process", info.state == NX_PROC_NEW && (long)info.used_pages == used, 1);
    nx_process_kill(p);
    nx_handle_close(p);
    nx_handle_close(n);
}

static long used_pages(void)
{
    struct nx_process_info info;
    return nx_process_info(nx_self, &info) == NX_OK ? (long)info.used_pages : -1;
}

// Small kernel objects share slab pages (kernel/slab.c): 126 notifications, 63 to a page,
// take exactly 2 more pages of the budget (the one partly used page they may start in has
// 62 free slots at most), and every page comes back when they go.
static void small_objects_share_pages(void)
{
    static long n[126];
    long before = used_pages(), free_before = nx_system_info(NX_INFO_FREE_PAGES);
    for (int i = 0; i < 126; i++)
        n[i] = nx_notification_create();
    expect("126 notifications take 2 pages", used_pages() - before, 2);
    expect("charged as taken", free_before - nx_system_info(NX_INFO_FREE_PAGES), 2);
    for (int i = 0; i < 126; i++)
        nx_handle_close(n[i]);
    expect("and give them back", used_pages(), before);
    // A child's handle table takes 4 pages of its budget; its struct is a slot of ours.
    expect("4 pages cannot hold the table and one more", nx_process_create("four", 4, 4),
           NX_ERR_NO_MEMORY);
    long five = nx_process_create("five", 4, 5);
    expect("5 pages can", nx_handle_info_type(nx_handle_info(five)), NX_OBJ_PROCESS);
    nx_process_kill(five);
    nx_handle_close(five);
}

static void process_info_and_boot_archive(void)
{
    struct nx_process_info info;
    expect("info of itself", nx_process_info(nx_self, &info), NX_OK);
    expect("pid", info.pid, 1);
    expect("state", info.state, NX_PROC_RUNNING);
    expect("threads", info.threads, 1);
    expect("priority", info.priority, PRIO_USER_DEFAULT);
    expect("budget", (long)info.budget_pages, 49152);  // BOOT_PROGRAM_PAGES (kernel/main.c)
    expect("name", info.name[0] == 'o' && info.name[6] == 's' && info.name[7] == 0, 1);
    expect("info to a bad pointer", nx_process_info(nx_self, (struct nx_process_info *)16),
           NX_ERR_BAD_ADDRESS);
    long rights = NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER;
    expect("boot archive: a read-only VMO", nx_handle_info(nx_boot_archive),
           NX_OBJ_VMO | rights << 8);
    char magic[7] = { 0 };
    expect("boot archive: read", nx_vmo_read(nx_boot_archive, 0, magic, 6), NX_OK);
    expect("boot archive: cpio newc magic", magic[0] == '0' && magic[5] == '1', 1);
    expect("boot archive: cannot be written", nx_vmo_write(nx_boot_archive, 0, magic, 1),
           NX_ERR_ACCESS);
}

int main(void)
{
    struct leak_baseline baseline = leak_baseline();
    expect("unknown counter", nx_system_info(NX_INFO_COUNT), NX_ERR_INVALID);
    handles();
    notifications();
    threads();
    processes();
    creates_with_a_full_table();
    start_without_budget_for_a_thread();
    small_objects_share_pages();
    process_info_and_boot_archive();
    expect_no_leaks(baseline);
    nx_printf("objects: %d failures\n", failures);
    nx_thread_exit();  // the last thread: the process exits with status 0
    __builtin_unreachable();
}

// A hostile process throws random and boundary arguments at every syscall for a bounded time
// while this (well-behaved) process keeps working. Afterwards the kernel must have survived
// and every page, handle, object and process the hostile ones used must be back.
//
// The supervisor (main) records the kernel's counters, then spawns hostile children (a copy of
// this program entering fuzz()) one after another until FUZZ_NS of time has passed: a child
// that crashes itself is replaced. Meanwhile a worker thread of the supervisor does real work
// and checks every result. Finally the last child is killed and the counters compared.
#include <stdbool.h>
#include <nx/nx.h>

#define TEST_NAME "hostile"
#include "counters.h"

#define MS 1000000ull
// Fuzz for at least FUZZ_NS and FUZZ_CALLS calls in all (a loaded host runs fewer per
// second), but never past FUZZ_MAX_NS.
#define FUZZ_NS (2000 * MS)
#define FUZZ_CALLS 20000
#define FUZZ_MAX_NS (20000 * MS)
#define CHILD_PAGES 512

// ---- the hostile side ----

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static nx_handle_t own[8];  // real handles of the child, so some calls get past the lookup
static uint64_t scratch[64];

// An argument that is likely to hit an edge: limits, bad and good pointers, own handles,
// near deadlines, or plain random bits.
static long boundary_arg(void)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 4095, 4096, 4097, 1ull << 21, 0x7fffffff, 0xffffffff, 1ull << 32,
        UINT64_MAX, UINT64_MAX - 4095, 0x8000000000000000ull, 0x10000, 0x3f00000000ull,
        0x3fff000000ull, 0x3ffffff000ull, 0xffffffc000000000ull, 0xffffffff80200000ull,
        NX_MSG_INFO(1, NX_MSG_BYTES_MAX, NX_MSG_HANDLES_MAX), NX_MSG_INFO(0, 5000, 9),
        NX_RIGHTS_ALL, NX_RIGHTS_SAME, 16, 31, 32, 255, 256,
    };
    switch (next_random() % 6) {
    case 0: return (long)edges[next_random() % (sizeof(edges) / sizeof(edges[0]))];
    case 1: return own[next_random() % 8];
    case 2: return (long)&scratch[next_random() % 64] + (long)(next_random() % 3);
    case 3: return nx_clock_get() + (long)(next_random() % (2 * MS));
    case 4: return (long)nx_handle_encode(next_random() % 300, next_random() % 3);
    default: return (long)next_random();
    }
}

// Calls that would end the fuzzing on purpose, or flood the console, are left out: the
// point is what a hostile process can do to others, and those only affect itself.
static bool skipped(long n)
{
    return n == NX_SYS_exit || n == NX_SYS_thread_exit || n == NX_SYS_debug_write;
}

// Where a blocking call takes its deadline (or -1). A random deadline would often be "never"
// and park the fuzzer for good, so those get a near one instead: blocking paths and their
// timeouts are exercised, and the fuzzing goes on.
static int deadline_arg(long n)
{
    switch (n) {
    case NX_SYS_recv: case NX_SYS_notify_wait: return 1;
    case NX_SYS_call: case NX_SYS_send: case NX_SYS_reply_recv: return 6;
    default: return -1;
    }
}

static void make_own_handles(void)
{
    own[0] = (nx_handle_t)nx_notification_create();
    own[1] = (nx_handle_t)nx_endpoint_create();
    own[2] = (nx_handle_t)nx_vmo_create(3 * 4096);
    own[3] = (nx_handle_t)nx_timer_create(own[0], 1);
    own[4] = (nx_handle_t)nx_handle_duplicate(own[1], NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
    own[5] = (nx_handle_t)nx_process_create("grandchild", 10, 32);
    own[6] = (nx_handle_t)nx_vmo_create(1 << 21);
    // Its own process without MANAGE: killing itself would only end the fuzzing early.
    own[7] = (nx_handle_t)nx_handle_duplicate(nx_self, NX_RIGHT_READ | NX_RIGHT_MAP);
    nx_handle_close(nx_self);  // else a random handle value finds it and kills the fuzzer
}

// The child counts its calls in a page shared with the supervisor (it could scribble on it:
// that only spoils its own report): word 0. Words 1 and 2 hold the first result that was an
// error the syscall table does not list for that call (its number + 1, and the error).
static volatile uint64_t *map_counter(nx_handle_t vmo)
{
    long va = nx_vm_map(nx_self, vmo, 0, 0, 4096, NX_PROT_READ | NX_PROT_WRITE);
    return va < 0 ? NULL : (volatile uint64_t *)va;
}

static void fuzz(nx_handle_t counter_vmo)
{
    rng ^= (uint64_t)nx_clock_get() * 2654435761u;
    volatile uint64_t *counter = map_counter(counter_vmo);
    make_own_handles();
    for (uint64_t calls = 1;; calls++) {
        long n = (long)(next_random() % (NX_SYSCALL_COUNT + 3));
        if (skipped(n))
            continue;
        if (counter)
            (*counter)++;
        long a[7];
        for (int i = 0; i < 7; i++)
            a[i] = boundary_arg();
        if (deadline_arg(n) >= 0)
            a[deadline_arg(n)] = nx_clock_get() + (long)(next_random() % (MS / 2));
        long r = nx_syscall7(n, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
        bool listed = r >= 0 || (r > -32 && (nx_syscall_errors((uint64_t)n) & NX_ERROR_BIT(r)));
        if (!listed && counter && !counter[1])
            counter[1] = (uint64_t)n + 1, counter[2] = (uint64_t)r;
    }
}

// ---- the well-behaved side ----

static volatile uint64_t rounds, wrong;
static volatile int stop;
static uint64_t worker_stack[1024] __attribute__((aligned(16)));
static nx_handle_t work_vmo, work_notif, done_notif;

// Real work with checked results: VMO writes read back, notifications delivered.
static void worker(long unused)
{
    (void)unused;
    while (!stop) {
        uint64_t v = rounds * 7 + 1, back = 0, bits = 0, bit = 1ull << (rounds % 64);
        if (nx_vmo_write(work_vmo, 8, &v, sizeof(v)) != NX_OK ||
            nx_vmo_read(work_vmo, 8, &back, sizeof(back)) != NX_OK || back != v)
            wrong++;
        nx_notify_signal(work_notif, bit);
        if (nx_notify_poll_bits(work_notif, &bits) != NX_OK || bits != bit)
            wrong++;
        rounds++;
        nx_yield();
    }
    nx_notify_signal(done_notif, 1);
    nx_thread_exit();
}

int main(void)
{
    long watch = nx_notification_create();
    uint64_t zero = 0, bits;
    work_vmo = (nx_handle_t)nx_vmo_create(4096);
    work_notif = (nx_handle_t)nx_notification_create();
    done_notif = (nx_handle_t)nx_notification_create();
    nx_vmo_write(work_vmo, 8, &zero, sizeof(zero));  // commit its page before the baseline
    long counter_vmo = nx_vmo_create(4096);
    volatile uint64_t *calls = map_counter((nx_handle_t)counter_vmo);
    calls[0] = calls[1] = 0;  // its page and page tables are in place before the baseline too
    struct counters before = read_counters();
    long w = nx_thread_create(nx_self, (long)worker, (long)&worker_stack[1024], 0,
                              PRIO_USER_DEFAULT);
    uint64_t start = (uint64_t)nx_clock_get(), end = start + FUZZ_NS;
    long children = 0;
    while ((uint64_t)nx_clock_get() < start + FUZZ_MAX_NS) {
        if ((uint64_t)nx_clock_get() >= end) {
            if (*calls >= FUZZ_CALLS)
                break;
            end += 500 * MS;
        }
        long child = nx_spawn("hostile-child", CHILD_PAGES, fuzz,
                              (nx_handle_t)nx_handle_duplicate(counter_vmo, NX_RIGHTS_SAME));
        if (child < 0) {
            nx_printf("hostile: spawn failed %ld\n", child);
            break;
        }
        children++;
        nx_process_watch(child, watch, 1);
        if (nx_notify_wait_bits(watch, end, &bits) == NX_ERR_TIMED_OUT) {
            nx_process_kill(child);  // still fuzzing at the end of the time
            // Its end signals the watch too: take that bit now, or the next child's wait
            // would return at once and leave that child running (with several harts it has
            // made a handle to itself by then, so closing ours would not end it).
            nx_notify_wait_bits(watch, NX_DEADLINE_NEVER, &bits);
        }
        nx_handle_close(child);
    }
    stop = 1;
    nx_notify_wait_bits(done_notif, NX_DEADLINE_NEVER, &bits);
    // The worker signals just before it exits; if the time slice ended in between, it waits
    // at our priority: one turn lets it finish, so the counters below do not see it alive.
    nx_yield();
    nx_handle_close(w);
    nx_printf("hostile: %ld hostile processes made %lu calls, worker did %lu rounds, %lu wrong\n",
              children, (unsigned long)*calls, (unsigned long)rounds, (unsigned long)wrong);
    if (calls[1])
        nx_printf("hostile: syscall %lu returned %ld, an error NX_SYSCALLS does not list: "
                  "UNDOCUMENTED\n", (unsigned long)calls[1] - 1, (long)calls[2]);
    struct counters after = settled_counters(before);
    compare_counters(before, after);
    return wrong == 0 && rounds > 0 ? 0 : 1;
}

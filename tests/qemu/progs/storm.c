// A seeded storm of at least STORM_CALLS random system calls from hostile children, then the
// kernel's counters must be back where they were.
//
// Unlike hostile.c, which throws mostly garbage for a while, each call here is drawn with
// argument kinds that fit the syscall: handles of the right type from a pool of every object
// type the child holds (processes, threads, VMOs, endpoints, notifications, an IRQ, timers,
// the device resource without MANAGE), addresses of its own mappings, sizes, rights,
// protections, message infos and near deadlines, with one argument in ten a boundary value
// instead. Two threads of the child storm at once, so IPC passes between them (handles and
// bytes included); children spawned by the child (grandchildren here) answer and call on its
// endpoints until they are killed. The child's own image, stacks and counter page are never
// unmapped or reprotected (ranges on itself are kept to the storm's window and the mappings it
// made itself), and it holds no MANAGE handle to itself.
//
// The supervisor (main) spawns one child per CHILD_CALLS share, the child of share k seeded
// with STORM_SEED + k, until STORM_CALLS calls are made; a child that dies early is replaced
// by the next share. The per-thread sequences are fixed by the seed; which calls meet (IPC,
// timeouts) depends on scheduling. docs/testing.md.
#include <stdbool.h>
#include <stdio.h>
#include <nx/nx.h>

#define TEST_NAME "storm"
#include "counters.h"

#define MS 1000000ull
#define STORM_SEED 0x5107a2026ull
#define STORM_CALLS 1000000ull
#define CHILD_CALLS 200000ull
#define STORM_MAX_NS (100000 * MS)  // 1M calls take 40-55 s at -smp 4 on a loaded 2-core host
#define SHARE_NS (10000 * MS)  // a child whose share takes longer is killed
#define CHILD_PAGES 2048
#define GRANDCHILD_PAGES 64
#define GRANDCHILDREN 2
#define THREAD_STACK (16 * 1024)

// Where the storm maps into itself at fixed addresses: far below what the kernel picks (from
// the top down) and above the image.
#define WINDOW 0x1000000000ull
#define WINDOW_SIZE (4ull << 20)
#define POOL 48
#define RECORDS 64
#define LAST_CALLS 8
#define SPAWNING 1000
#define IN_FLIGHT (-1000000)

// QEMU virt: 8 virtio-mmio slots of one page from 0x10001000, interrupt lines 1..8.
#define VIRTIO_BASE 0x10001000ull
#define VIRTIO_SLOTS 8

// The page the supervisor shares with each child: the seed, its share, and counts.
struct shared {
    uint64_t seed, end;        // the child's seed; it exits once calls reaches end
    uint64_t calls;            // every call made, by every child
    uint64_t ok[NX_SYSCALL_COUNT];

    uint64_t messages;         // IPC messages received by the storm threads
    uint64_t handles_received; // handles that came with them
    // The last calls of each storming thread, printed if the child dies: n (SPAWNING for
    // the spawn of a grandchild), the arguments and the result (IN_FLIGHT until it returns).
    struct call_record {
        uint64_t n, a[7];
        int64_t r;
    } last[2][LAST_CALLS];
    uint64_t next[2];
};
_Static_assert(sizeof(struct shared) <= 4096, "one page");

static const char *const syscall_names[] = {
#define NX_SYSCALL_NAME(num, name, result, nargs, args, errors, doc) [num] = #name,
    NX_SYSCALLS(NX_SYSCALL_NAME)
#undef NX_SYSCALL_NAME
};

static const uint8_t syscall_nargs[] = {
#define NX_SYSCALL_NARGS(num, name, result, nargs, args, errors, doc) [num] = nargs,
    NX_SYSCALLS(NX_SYSCALL_NARGS)
#undef NX_SYSCALL_NARGS
};

// ---- argument kinds ----

enum kind {
    K_ANY,  // a boundary value (the default for a syscall without a row below)
    K_HANDLE, K_PROC, K_THREAD, K_VMO, K_EP, K_NOTIF, K_IRQ, K_TIMER, K_RES,
    K_RIGHTS, K_SIZE, K_OFFSET, K_LEN, K_BUF, K_VA, K_PROT, K_INFO, K_WORD, K_DEADLINE,
    K_BITS, K_PRIO, K_PC, K_SP, K_NAME, K_NAMELEN, K_PAGES, K_LINE, K_PADDR, K_FLAGS, K_WHAT,
    K_BADGE, K_SLACK,
};

// The handle kinds follow the order of enum nx_obj_type.
_Static_assert(K_PROC - K_HANDLE == NX_OBJ_PROCESS && K_RES - K_HANDLE == NX_OBJ_RESOURCE,
               "handle kinds in type order");

// A thread the storm starts elsewhere runs this: a yield, then its end. It touches no stack,
// so whatever stack it was given, it lives and ends cleanly.
__attribute__((naked)) static void brief_thread(void)
{
    __asm__ volatile("li a7, %0\n ecall\n li a7, %1\n ecall\n"
                     :
                     : "i"(NX_SYS_yield), "i"(NX_SYS_thread_exit));
}

static const uint8_t signature[NX_SYSCALL_COUNT][7] = {
    [NX_SYS_handle_close] = { K_HANDLE },
    [NX_SYS_handle_duplicate] = { K_HANDLE, K_RIGHTS },
    [NX_SYS_handle_info] = { K_HANDLE },
    [NX_SYS_handle_revoke] = { K_HANDLE },
    [NX_SYS_process_create] = { K_NAME, K_NAMELEN, K_PAGES },
    [NX_SYS_process_start] = { K_PROC, K_PC, K_SP, K_HANDLE, K_PRIO },
    [NX_SYS_process_kill] = { K_PROC },
    [NX_SYS_process_watch] = { K_PROC, K_NOTIF, K_BITS },
    [NX_SYS_process_status] = { K_PROC, K_BUF },
    [NX_SYS_thread_create] = { K_PROC, K_PC, K_SP, K_WORD, K_PRIO },
    [NX_SYS_vmo_create] = { K_SIZE },
    [NX_SYS_vmo_read] = { K_VMO, K_OFFSET, K_BUF, K_LEN },
    [NX_SYS_vmo_write] = { K_VMO, K_OFFSET, K_BUF, K_LEN },
    [NX_SYS_vmo_commit] = { K_VMO, K_OFFSET, K_LEN },
    [NX_SYS_vmo_seal] = { K_VMO },
    [NX_SYS_vmo_clone] = { K_VMO, K_OFFSET, K_SIZE },
    [NX_SYS_vmo_physical] = { K_RES, K_PADDR, K_SIZE },
    [NX_SYS_vm_map] = { K_PROC, K_VMO, K_VA, K_OFFSET, K_SIZE, K_PROT },
    [NX_SYS_vm_unmap] = { K_PROC, K_VA, K_SIZE },
    [NX_SYS_vm_protect] = { K_PROC, K_VA, K_SIZE, K_PROT },
    [NX_SYS_endpoint_mint] = { K_EP, K_BADGE, K_RIGHTS },
    [NX_SYS_call] = { K_EP, K_INFO, K_WORD, K_WORD, K_WORD, K_WORD, K_DEADLINE },
    [NX_SYS_send] = { K_EP, K_INFO, K_WORD, K_WORD, K_WORD, K_WORD, K_DEADLINE },
    [NX_SYS_recv] = { K_EP, K_DEADLINE },
    [NX_SYS_reply] = { K_INFO, K_WORD, K_WORD, K_WORD, K_WORD },
    [NX_SYS_reply_recv] = { K_EP, K_INFO, K_WORD, K_WORD, K_WORD, K_WORD, K_DEADLINE },
    [NX_SYS_notify_signal] = { K_NOTIF, K_BITS },
    [NX_SYS_notify_wait] = { K_NOTIF, K_DEADLINE },
    [NX_SYS_notify_poll] = { K_NOTIF },
    [NX_SYS_endpoint_bind] = { K_EP, K_NOTIF },
    [NX_SYS_irq_create] = { K_RES, K_LINE, K_NOTIF, K_BITS },
    [NX_SYS_irq_ack] = { K_IRQ },
    [NX_SYS_timer_create] = { K_NOTIF, K_BITS },
    [NX_SYS_timer_set] = { K_TIMER, K_DEADLINE, K_SLACK },
    [NX_SYS_timer_cancel] = { K_TIMER },
    [NX_SYS_system_info] = { K_WHAT },
    [NX_SYS_process_info] = { K_PROC, K_BUF },
    [NX_SYS_system_poweroff] = { K_RES },
    [NX_SYS_vmo_dma] = { K_VMO, K_OFFSET, K_SIZE, K_BUF, K_FLAGS },
};

// ---- the child's state ----

struct slot {
    nx_handle_t h;
    uint8_t type;
};

static volatile struct shared *shared;
static struct slot pool[POOL];
static uint32_t my_pid;
// Handles the pool gets copies of: objects the child cannot make itself.
static nx_handle_t master[NX_OBJ_TYPE_COUNT];
static nx_handle_t grandchild[GRANDCHILDREN];
// Ranges the kernel picked for the storm's own maps into itself: safe to unmap, ever after
// (only storm maps are made in the child once it storms).
static struct { uint64_t va, size; } records[RECORDS];
static volatile uint32_t nrecords;

// One storming thread.
struct stormer {
    uint64_t rng;
    struct nx_ipc_buffer *ipc;
    bool answer;  // it received a call: reply soon
    uint64_t mapped;  // the address its last successful vm_map returned
};
static struct stormer stormers[2];

static uint64_t next_random(struct stormer *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return s->rng;
}

static uint64_t below(struct stormer *s, uint64_t n)
{
    return next_random(s) % n;
}

static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return (x ^ (x >> 31)) | 1;
}

static long boundary(struct stormer *s)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 4095, 4096, 4097, 1ull << 21, 0x7fffffff, 0xffffffff, 1ull << 32,
        UINT64_MAX, UINT64_MAX - 4095, 0x8000000000000000ull, 0x10000, 0x3f00000000ull,
        0x3fff000000ull, 0xffffffc000000000ull, 0xffffffff80200000ull,
        NX_MSG_INFO(1, NX_MSG_BYTES_MAX, NX_MSG_HANDLES_MAX), NX_MSG_INFO(0, 5000, 9),
        NX_RIGHTS_ALL, NX_RIGHTS_SAME, 16, 31, 32, 255, 256, NX_VMO_RW_MAX + 1,
    };
    switch (below(s, 3)) {
    case 0: return (long)edges[below(s, sizeof(edges) / sizeof(edges[0]))];
    case 1: return (long)nx_handle_encode((uint32_t)below(s, 300), (uint32_t)below(s, 3));
    default: return (long)next_random(s);
    }
}

static uint8_t type_of(nx_handle_t h)
{
    long info = nx_handle_info(h);
    return info < 0 ? 0 : (uint8_t)(info & 0xff);
}

// A pool handle of the type (NX_OBJ_ANY: any), maybe closed since; a random one if none.
static nx_handle_t pick(struct stormer *s, uint8_t type)
{
    uint32_t start = (uint32_t)below(s, POOL);
    for (uint32_t i = 0; i < POOL && type != NX_OBJ_ANY; i++)
        if (pool[(start + i) % POOL].type == type)
            return pool[(start + i) % POOL].h;
    return pool[start].h;
}

// Whether h is a process handle to the child itself: surely (its pid), or maybe (a process
// handle without READ, which cannot tell). Guards take the maybe, records only the sure.
static bool self_handle(nx_handle_t h, bool surely)
{
    struct nx_process_info info;
    if (type_of(h) != NX_OBJ_PROCESS)
        return false;
    long err = nx_process_info(h, &info);
    return (err == NX_ERR_ACCESS && !surely) || (err == NX_OK && info.pid == my_pid);
}

static bool is_self(nx_handle_t h)
{
    return self_handle(h, false);
}

// Dropping a process handle kills the process first: a never-started process otherwise stays
// charged to the child until the child ends (issue 9), draining its budget.
static void drop(nx_handle_t h)
{
    if (type_of(h) == NX_OBJ_PROCESS && !is_self(h))
        nx_process_kill(h);
    nx_handle_close(h);
}

// A new handle takes a random slot; the one there is dropped (or, rarely, left in the table,
// so that tables fill up too).
static void insert(struct stormer *s, nx_handle_t h, uint8_t type)
{
    if (type == NX_OBJ_ANY)
        return;
    uint32_t i = (uint32_t)below(s, POOL);
    nx_handle_t old = pool[i].h;
    pool[i] = (struct slot){ h, type };
    if (below(s, 64))
        drop(old);
}

static uint64_t window_address(struct stormer *s)
{
    return WINDOW + below(s, WINDOW_SIZE / 4096) * 4096;
}

static uint64_t page_size_arg(struct stormer *s)
{
    return (1 + below(s, below(s, 4) ? 4 : 600)) * 4096;
}

static long kind_value(struct stormer *s, enum kind k)
{
    static char name[] = "stormling-with-a-name-longer-than-thirty-two";
    switch (k) {
    case K_RIGHTS: return below(s, 4) ? (long)below(s, NX_RIGHTS_ALL + 1) : (long)NX_RIGHTS_SAME;
    case K_SIZE: return (long)page_size_arg(s);
    case K_OFFSET: return below(s, 2) ? 0 : (long)(below(s, 8) * 4096 + (below(s, 4) ? 0 : below(s, 4096)));
    case K_LEN: return (long)below(s, below(s, 4) ? 256 : NX_VMO_RW_MAX + 2);
    case K_BUF:
        if (below(s, 4) == 0 && nrecords)
            return (long)(records[below(s, nrecords)].va + below(s, 4096));
        return (long)(window_address(s) + below(s, 4096));
    case K_VA:
        if (below(s, 3) == 0)
            return 0;
        if (below(s, 2) && s->mapped)
            return (long)s->mapped;
        if (below(s, 3) == 0 && nrecords)
            return (long)records[below(s, nrecords)].va;
        return (long)window_address(s);
    case K_PROT: return (long)below(s, 8);
    case K_INFO: return (long)NX_MSG_INFO(below(s, 4), below(s, 4) ? below(s, 64) : below(s, 1100),
                                         below(s, 3) ? 0 : below(s, 5));
    case K_WORD: return (long)next_random(s);
    case K_DEADLINE:
        // Near (up to 20 us; polls three times in four): blocking paths and their timeouts
        // are reached, and the storm goes on.
        return below(s, 4) ? (long)below(s, 2) : nx_clock_get() + (long)below(s, MS / 50);
    case K_BITS: return (long)(1ull << below(s, 64)) | (below(s, 4) ? 0 : (long)next_random(s));
    case K_PRIO: return (long)below(s, 20);
    case K_PC: return below(s, 2) ? (long)(uintptr_t)brief_thread : (long)boundary(s);
    case K_SP: return below(s, 2) ? (long)(window_address(s) + 4096) : (long)boundary(s);
    case K_NAME: return (long)name;
    case K_NAMELEN: return (long)below(s, sizeof(name) + 2);
    case K_PAGES: return (long)below(s, 40);
    case K_LINE: return (long)below(s, 12);
    case K_PADDR: return (long)(VIRTIO_BASE + below(s, VIRTIO_SLOTS + 1) * 4096);
    case K_FLAGS: return (long)below(s, 3);
    case K_WHAT: return (long)below(s, NX_INFO_COUNT + 2);
    case K_BADGE: return (long)below(s, 1ull << 33);
    case K_SLACK: return (long)below(s, 2 * 1000 * MS);
    case K_ANY: return boundary(s);
    default: return (long)pick(s, (uint8_t)(k - K_HANDLE));  // the handle kinds
    }
}

static long arg_of(struct stormer *s, enum kind k)
{
    // Deadlines stay near even here: a far one could park a storm thread for good.
    if (k != K_DEADLINE && below(s, 10) == 0)
        return boundary(s);
    return kind_value(s, k);
}

static bool inside(uint64_t va, uint64_t size, uint64_t base, uint64_t limit)
{
    return va >= base && size <= limit - base && va - base <= limit - base - size;
}

// A range the child may unmap or reprotect in itself without harming its image or stacks.
static bool safe_range(uint64_t va, uint64_t size)
{
    if (inside(va, size, WINDOW, WINDOW + WINDOW_SIZE))
        return true;
    for (uint32_t i = 0; i < nrecords; i++)
        if (inside(va, size, records[i].va, records[i].va + records[i].size))
            return true;
    return false;
}

// vm_map / vm_unmap / vm_protect on the child itself stay off what it runs on.
static void keep_self_safe(struct stormer *s, long n, long a[7])
{
    if ((n != NX_SYS_vm_map && n != NX_SYS_vm_unmap && n != NX_SYS_vm_protect) ||
        !is_self((nx_handle_t)a[0]))
        return;
    if (n == NX_SYS_vm_map) {
        if (a[2] != 0 && !inside((uint64_t)a[2], 4096, WINDOW, WINDOW + WINDOW_SIZE))
            a[2] = (long)window_address(s);
        return;
    }
    if (!safe_range((uint64_t)a[1], (uint64_t)a[2])) {
        a[1] = (long)window_address(s);
        a[2] = (long)(below(s, 16) + 1) * 4096;
    }
}

// Handles (and bytes) for a message about to go.
static void fill_message(struct stormer *s, uint64_t info)
{
    uint32_t n = NX_MSG_NHANDLES(info);
    for (uint32_t i = 0; i < n && i < NX_MSG_HANDLES_MAX; i++) {
        s->ipc->handles[i] = pick(s, NX_OBJ_ANY);
        s->ipc->handle_rights[i] = (uint32_t)(below(s, 2) ? NX_RIGHTS_SAME : below(s, NX_RIGHTS_ALL + 1)) |
                                   (below(s, 2) ? NX_XFER_COPY : 0);
    }
    s->ipc->bytes[below(s, NX_MSG_BYTES_MAX)] = (uint8_t)next_random(s);
}

static bool sends(long n)
{
    return n == NX_SYS_call || n == NX_SYS_send || n == NX_SYS_reply || n == NX_SYS_reply_recv;
}

static bool receives(long n)
{
    return n == NX_SYS_call || n == NX_SYS_recv || n == NX_SYS_reply_recv;
}

// What a successful call gave: new handles join the pool, a received call wants an answer.
static void take_result(struct stormer *s, long n, long r, const long a[7], const uint64_t out[6])
{
    __atomic_fetch_add(&shared->ok[n], 1, __ATOMIC_RELAXED);
    if (n == NX_SYS_vm_map)
        s->mapped = (uint64_t)r;
    // Only the first thread records, so a record is never half one map and half another.
    if (n == NX_SYS_vm_map && s == &stormers[0] && a[2] == 0 && nrecords < RECORDS &&
        self_handle((nx_handle_t)a[0], true)) {
        records[nrecords].va = (uint64_t)r, records[nrecords].size = (uint64_t)a[4];
        __atomic_store_n(&nrecords, nrecords + 1, __ATOMIC_RELEASE);
    }
    if (receives(n) && !(out[0] & NX_MSG_SIGNALS)) {
        __atomic_fetch_add(&shared->messages, 1, __ATOMIC_RELAXED);
        s->answer = (out[0] & NX_MSG_CALL) && n != NX_SYS_call;
        for (uint32_t i = 0; i < NX_MSG_NHANDLES(out[0]) && i < NX_MSG_HANDLES_MAX; i++) {
            __atomic_fetch_add(&shared->handles_received, 1, __ATOMIC_RELAXED);
            insert(s, s->ipc->handles[i], type_of(s->ipc->handles[i]));
        }
        return;
    }
    switch (n) {
    case NX_SYS_handle_duplicate: case NX_SYS_endpoint_mint:
        insert(s, (nx_handle_t)r, type_of((nx_handle_t)r));
        break;
    case NX_SYS_process_create: insert(s, (nx_handle_t)r, NX_OBJ_PROCESS); break;
    case NX_SYS_thread_create: insert(s, (nx_handle_t)r, NX_OBJ_THREAD); break;
    case NX_SYS_vmo_create: case NX_SYS_vmo_clone: case NX_SYS_vmo_physical:
        insert(s, (nx_handle_t)r, NX_OBJ_VMO);
        break;
    case NX_SYS_endpoint_create: insert(s, (nx_handle_t)r, NX_OBJ_ENDPOINT); break;
    case NX_SYS_notification_create: insert(s, (nx_handle_t)r, NX_OBJ_NOTIFICATION); break;
    case NX_SYS_timer_create: insert(s, (nx_handle_t)r, NX_OBJ_TIMER); break;
    }
}

// Calls that would end the child on purpose or flood the console are left out.
static long next_syscall(struct stormer *s)
{
    for (;;) {
        long n = (long)below(s, NX_SYSCALL_COUNT + 2);
        if (s->answer && below(s, 4)) {
            s->answer = false;
            return below(s, 2) ? NX_SYS_reply : NX_SYS_reply_recv;
        }
        if (n != NX_SYS_exit && n != NX_SYS_thread_exit && n != NX_SYS_debug_write)
            return n;
    }
}

// The flight recorder: the call s is about to make.
static volatile struct call_record *record(struct stormer *s, long n, const long a[7])
{
    int t = s == &stormers[0] ? 0 : 1;
    volatile struct call_record *rec = &shared->last[t][shared->next[t]++ % LAST_CALLS];
    rec->n = (uint64_t)n;
    for (int i = 0; i < 7; i++)
        rec->a[i] = (uint64_t)(a ? a[i] : 0);
    rec->r = IN_FLIGHT;
    return rec;
}

// One call in eight is IPC on the endpoint both threads share, the first thread sending and
// the second receiving, with deadlines that let them meet.
static bool meet(struct stormer *s, long *n, long a[7])
{
    if (below(s, 8) || !master[NX_OBJ_ENDPOINT])
        return false;
    bool first = s == &stormers[0];
    *n = first ? (below(s, 2) ? NX_SYS_call : NX_SYS_send)
               : (below(s, 2) ? NX_SYS_recv : NX_SYS_reply_recv);
    a[0] = master[NX_OBJ_ENDPOINT];
    a[1] = kind_value(s, K_INFO);
    for (int i = 2; i < 6; i++)
        a[i] = (long)next_random(s);
    a[*n == NX_SYS_recv ? 1 : 6] = nx_clock_get() + (long)(MS / 5);
    return true;
}

static void storm_once(struct stormer *s)
{
    long n = next_syscall(s), a[7] = { 0 };
    uint64_t out[6] = { 0 };
    // Unknown numbers get boundary values everywhere; known ones only their arguments.
    if (!meet(s, &n, a))
        for (int i = 0; i < 7; i++)
            a[i] = n >= NX_SYSCALL_COUNT ? boundary(s)
                   : i < syscall_nargs[n] ? arg_of(s, (enum kind)signature[n][i]) : 0;
    keep_self_safe(s, n, a);
    if (sends(n))
        fill_message(s, (uint64_t)a[n == NX_SYS_reply ? 0 : 1]);
    if (n == NX_SYS_handle_close || n == NX_SYS_handle_revoke)
        if (type_of((nx_handle_t)a[0]) == NX_OBJ_PROCESS && !is_self((nx_handle_t)a[0]))
            nx_process_kill(a[0]);  // see drop()
    __atomic_fetch_add(&shared->calls, 1, __ATOMIC_RELAXED);
    volatile struct call_record *rec = record(s, n, a);
    long r = nx_syscall7_out(n, a[0], a[1], a[2], a[3], a[4], a[5], a[6], out);
    rec->r = r;
    if (r >= 0 && n < NX_SYSCALL_COUNT)
        take_result(s, n, r, a, out);
}

// ---- keeping the pool stocked ----

// A grandchild answers and calls on the endpoint it was given until it is killed, or until
// the endpoint is of no use (else it would spin on failing calls and starve the storm).
static void grandchild_main(nx_handle_t ep)
{
    for (;;) {
        uint64_t out[6];
        long r = nx_syscall7_out(NX_SYS_recv, ep, nx_clock_get() + (long)(MS / 4), 0, 0, 0, 0, 0, out);
        if (r != NX_OK && r != NX_ERR_TIMED_OUT)
            return;
        for (uint32_t i = 0; r == NX_OK && i < NX_MSG_NHANDLES(out[0]) && i < NX_MSG_HANDLES_MAX; i++)
            nx_handle_close(nx_ipc_buffer->handles[i]);
        if (r == NX_OK && (out[0] & NX_MSG_CALL))
            nx_reply(0, 1, 2, 3, 4);
        nx_call(ep, NX_MSG_INFO(7, 8, 0), 0, 0, 0, 0, nx_clock_get() + (long)(MS / 4), out);
    }
}

static void keep_grandchildren(struct stormer *s)
{
    for (int i = 0; i < GRANDCHILDREN; i++) {
        struct nx_process_info info;
        if (grandchild[i] && nx_process_info(grandchild[i], &info) == NX_OK &&
            info.state == NX_PROC_RUNNING)
            continue;
        volatile struct call_record *rec = record(s, SPAWNING, NULL);
        if (grandchild[i])
            drop(grandchild[i]);
        long ep = nx_handle_duplicate(pick(s, NX_OBJ_ENDPOINT), NX_RIGHTS_SAME);
        long p = nx_spawn("stormling", GRANDCHILD_PAGES, grandchild_main,
                          ep < 0 ? NX_HANDLE_INVALID : (nx_handle_t)ep);
        grandchild[i] = p < 0 ? NX_HANDLE_INVALID : (nx_handle_t)p;
        if (ep >= 0 && p < 0)
            nx_handle_close(ep);
        if (p >= 0)
            insert(s, (nx_handle_t)nx_handle_duplicate(p, NX_RIGHTS_SAME), NX_OBJ_PROCESS);
        rec->r = p;
    }
}

static bool pool_has(uint8_t type)
{
    for (int i = 0; i < POOL; i++)
        if (pool[i].type == type && type_of(pool[i].h) == type)
            return true;
    return false;
}

static long make_object(struct stormer *s, uint8_t type)
{
    switch (type) {
    case NX_OBJ_VMO: return nx_vmo_create((long)page_size_arg(s));
    case NX_OBJ_ENDPOINT:
        return below(s, 2) ? nx_endpoint_create()
                           : nx_handle_duplicate(master[NX_OBJ_ENDPOINT], NX_RIGHTS_SAME);
    case NX_OBJ_NOTIFICATION: return nx_notification_create();
    case NX_OBJ_TIMER: return nx_timer_create(pick(s, NX_OBJ_NOTIFICATION), 1);
    default: return master[type] ? nx_handle_duplicate(master[type], NX_RIGHTS_SAME) : -1;
    }
}

// Every object type stays represented in the pool.
static void restock(struct stormer *s)
{
    for (uint8_t t = NX_OBJ_PROCESS; t < NX_OBJ_TYPE_COUNT; t++) {
        if (pool_has(t))
            continue;
        long h = make_object(s, t);
        if (h >= 0)
            insert(s, (nx_handle_t)h, t);
    }
}

// ---- the child ----

static volatile int go;  // the second thread waits until the child stops holding MANAGE on itself

static void storm_forever(struct stormer *s)
{
    for (;;)
        storm_once(s);
}

// The second storming thread (bare: system calls only, no TLS).
static void second_thread(long arg, struct nx_ipc_buffer *ipc)
{
    struct stormer *s = (struct stormer *)arg;
    s->ipc = ipc;
    while (!go)
        nx_yield();
    storm_forever(s);
}

// The handles the supervisor sends: the shared page's VMO, the IRQ, a device VMO, the device
// resource (without MANAGE or MAP).
static bool receive_setup(nx_handle_t ep)
{
    uint64_t out[6];
    if (nx_syscall7_out(NX_SYS_recv, ep, NX_DEADLINE_NEVER, 0, 0, 0, 0, 0, out) != NX_OK ||
        NX_MSG_NHANDLES(out[0]) != 4)
        return false;
    nx_handle_t *h = nx_ipc_buffer->handles;
    long va = nx_vm_map(nx_self, h[0], 0, 0, 4096, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0)
        return false;
    shared = (volatile struct shared *)va;
    nx_handle_close(h[0]);
    master[NX_OBJ_IRQ] = h[1];
    master[NX_OBJ_VMO] = h[2];
    master[NX_OBJ_RESOURCE] = h[3];
    long shared_ep = nx_endpoint_create();
    master[NX_OBJ_ENDPOINT] = shared_ep < 0 ? NX_HANDLE_INVALID : (nx_handle_t)shared_ep;
    return true;
}

static void storm_child(nx_handle_t ep)
{
    if (!receive_setup(ep))
        return;
    struct nx_process_info info;
    nx_process_info(nx_self, &info);
    my_pid = info.pid;
    stormers[0] = (struct stormer){ splitmix(shared->seed), nx_ipc_buffer, false, 0 };
    stormers[1] = (struct stormer){ splitmix(shared->seed + 0x100), NULL, false, 0 };
    long stack_vmo = nx_vmo_create(THREAD_STACK);
    long stack = stack_vmo < 0 ? stack_vmo
                               : nx_vm_map(nx_self, stack_vmo, 0, 0, THREAD_STACK,
                                           NX_PROT_READ | NX_PROT_WRITE);
    nx_handle_close(stack_vmo);
    long t = stack < 0 ? stack : nx_thread_create(nx_self, (long)second_thread, stack + THREAD_STACK,
                                                  (long)&stormers[1], PRIO_USER_DEFAULT);
    if (t >= 0)
        master[NX_OBJ_THREAD] = (nx_handle_t)t;
    // Itself without MANAGE: killing itself would end its share early.
    master[NX_OBJ_PROCESS] = (nx_handle_t)nx_handle_duplicate(
        nx_self, NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
    struct stormer *s = &stormers[0];
    for (uint8_t type = NX_OBJ_PROCESS; type < NX_OBJ_TYPE_COUNT; type++)
        for (int i = 0; i < 3; i++) {
            long h = make_object(s, type);
            if (h >= 0)
                insert(s, (nx_handle_t)h, type);
        }
    keep_grandchildren(s);
    nx_handle_close(nx_self);
    go = 1;
    for (uint64_t i = 1; shared->calls < shared->end; i++) {
        storm_once(s);
        if (i % 256 == 0)
            restock(s);
        if (i % 4096 == 0)
            keep_grandchildren(s);
    }
    nx_exit(0);
}

// ---- the supervisor ----

// A virtio slot without a device (DeviceID 0): the child may write its registers harmlessly.
static long free_virtio_slot(nx_handle_t resource)
{
    long vmo = nx_vmo_physical(resource, VIRTIO_BASE, VIRTIO_SLOTS * 4096);
    long va = vmo < 0 ? vmo : nx_vm_map(nx_self, vmo, 0, 0, VIRTIO_SLOTS * 4096, NX_PROT_READ);
    long slot = -1;
    for (long i = 0; va >= 0 && i < VIRTIO_SLOTS && slot < 0; i++)
        if (((volatile uint32_t *)(va + i * 4096))[2] == 0)
            slot = i;
    if (va >= 0)
        nx_vm_unmap(nx_self, va, VIRTIO_SLOTS * 4096);
    if (vmo >= 0)
        nx_handle_close(vmo);
    return slot;
}

struct setup {
    nx_handle_t shared_vmo, irq_notif, irq, device_vmo, resource;
};

static bool make_setup(nx_handle_t resource, long slot, struct setup *st)
{
    st->irq_notif = (nx_handle_t)nx_notification_create();
    long irq = nx_irq_create(resource, slot + 1, st->irq_notif, 1);
    long dev = nx_vmo_physical(resource, VIRTIO_BASE + slot * 4096, 4096);
    long res = nx_handle_duplicate(resource, NX_RIGHT_READ | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
    st->irq = (nx_handle_t)irq, st->device_vmo = (nx_handle_t)dev;
    st->resource = (nx_handle_t)res;
    return irq >= 0 && dev >= 0 && res >= 0;
}

static void close_setup(struct setup *st)
{
    nx_handle_close(st->irq);
    nx_handle_close(st->irq_notif);
    nx_handle_close(st->device_vmo);
    nx_handle_close(st->resource);
}

// Start the child of one share, watched with `watch` before it can make watches of its own,
// and hand it its setup through a new endpoint (an earlier child may have left messages on an
// old one); returns its process handle.
static long start_child(struct setup *st, nx_handle_t watch)
{
    long ep = nx_endpoint_create();
    long arg = ep < 0 ? ep : nx_handle_duplicate(ep, NX_RIGHTS_SAME);
    long child = arg < 0 ? arg : nx_spawn("storm-child", CHILD_PAGES, storm_child, (nx_handle_t)arg);
    if (child < 0) {
        nx_handle_close(ep);
        return child;
    }
    long watched = nx_process_watch(child, watch, 1);  // it storms only once it has its setup
    if (watched)
        nx_printf("storm: watching a child failed %ld WRONG\n", watched);
    nx_handle_t give[4] = { st->shared_vmo, st->irq, st->device_vmo, st->resource };
    for (int i = 0; i < 4; i++) {
        nx_ipc_buffer->handles[i] = give[i];
        nx_ipc_buffer->handle_rights[i] = NX_RIGHTS_SAME | NX_XFER_COPY;
    }
    long err = nx_send(ep, NX_MSG_INFO(0, 0, 4), 0, 0, 0, 0, nx_clock_get() + 1000 * (long)MS);
    nx_handle_close(ep);
    if (err) {
        nx_printf("storm: setup message failed %ld\n", err);
        nx_process_kill(child);
        nx_handle_close(child);
        return err;
    }
    return child;
}

// Wait until the child ends (true), or its share takes over SHARE_NS, or the limit passes. Its
// status is polled too, so that an end the watch missed (a kernel defect: the child's own
// watches must not cancel ours) is counted in *unsignalled rather than hanging the storm.
static bool wait_for(nx_handle_t child, nx_handle_t watch, uint64_t limit, long *unsignalled)
{
    uint64_t bits, slow = (uint64_t)nx_clock_get() + SHARE_NS;
    long status;
    while ((uint64_t)nx_clock_get() < limit) {
        uint64_t poll = (uint64_t)nx_clock_get() + 100 * MS;
        if (nx_notify_wait_bits(watch, poll < limit ? poll : limit, &bits) == NX_OK)
            return true;
        if (nx_process_status(child, &status) != NX_ERR_BAD_STATE) {
            // It may have ended (on another hart) just after the wait timed out: its watch
            // is signalled by the time its status is there.
            if (nx_notify_wait_bits(watch, (uint64_t)nx_clock_get(), &bits) != NX_OK)
                ++*unsignalled;
            return true;
        }
        if ((uint64_t)nx_clock_get() > slow) {
            nx_printf("storm: share of child seed %#lx slow at call %lu: %ld processes, "
                      "%ld objects, %ld handles, %ld pages free\n", (unsigned long)shared->seed,
                      (unsigned long)shared->calls, nx_system_info(NX_INFO_LIVE_PROCESSES),
                      nx_system_info(NX_INFO_LIVE_OBJECTS), nx_system_info(NX_INFO_LIVE_HANDLES),
                      nx_system_info(NX_INFO_FREE_PAGES));
            return false;
        }
    }
    return false;
}

// What each storming thread of a child that died early did last, oldest first.
static void print_last_calls(void)
{
    for (int t = 0; t < 2; t++)
        for (uint64_t k = 0; k < LAST_CALLS; k++) {
            uint64_t i = shared->next[t] + k;
            volatile struct call_record *c = &shared->last[t][i % LAST_CALLS];
            if (i < LAST_CALLS && shared->next[t] < LAST_CALLS)
                continue;  // never written
            const char *name = c->n == SPAWNING ? "(spawn)"
                               : c->n < NX_SYSCALL_COUNT ? syscall_names[c->n] : "(unknown)";
            nx_printf("storm:   thread %d: %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx, %#lx) -> %ld\n",
                      t, name, (unsigned long)c->a[0], (unsigned long)c->a[1],
                      (unsigned long)c->a[2], (unsigned long)c->a[3], (unsigned long)c->a[4],
                      (unsigned long)c->a[5], (unsigned long)c->a[6], (long)c->r);
        }
}

// Children one share after another until STORM_CALLS; returns how many ended early.
static long run_shares(struct setup *st, nx_handle_t watch, long *children, long *unsignalled)
{
    uint64_t limit = (uint64_t)nx_clock_get() + STORM_MAX_NS;
    long early = 0;
    while (shared->calls < STORM_CALLS && (uint64_t)nx_clock_get() < limit) {
        shared->seed = STORM_SEED + (uint64_t)*children;
        shared->next[0] = shared->next[1] = 0;
        shared->end = shared->calls + CHILD_CALLS < STORM_CALLS ? shared->calls + CHILD_CALLS
                                                                 : STORM_CALLS;
        long child = start_child(st, watch);
        if (child < 0)
            break;
        ++*children;
        long status = 0;
        if (!wait_for(child, watch, limit, unsignalled)) {
            nx_process_kill(child);
            // Its end signals the watch: take that bit now, or the next child's wait would
            // return at once and count that child as ended early.
            nx_notify_wait_bits(watch, NX_DEADLINE_NEVER, &(uint64_t){ 0 });
        }
        if (nx_process_status(child, &status) != NX_OK || status != 0) {
            early++;
            nx_printf("storm: child %ld (seed %#lx) ended with status %ld at call %lu\n",
                      *children - 1, (unsigned long)shared->seed, status,
                      (unsigned long)shared->calls);
            print_last_calls();
        }
        nx_handle_close(child);
    }
    return early;
}

static void report_syscalls(void)
{
    int reached = 0;
    char missed[512];
    int len = 0;
    missed[0] = 0;
    for (int n = 0; n < NX_SYSCALL_COUNT; n++) {
        if (shared->ok[n])
            reached++;
        else if (len < (int)sizeof(missed) - 32)
            len += snprintf(missed + len, sizeof(missed) - (size_t)len, " %s", syscall_names[n]);
    }
    nx_printf("storm: %d of %d syscalls succeeded at least once; never:%s\n", reached,
              NX_SYSCALL_COUNT, missed);
    nx_printf("storm: %lu messages received with %lu handles\n", (unsigned long)shared->messages,
              (unsigned long)shared->handles_received);
}

int main(void)
{
    nx_handle_t resource = nx_start_handle;
    long slot = free_virtio_slot(resource);
    long shared_vmo = nx_vmo_create(4096);
    long va = shared_vmo < 0 ? shared_vmo
                             : nx_vm_map(nx_self, shared_vmo, 0, 0, 4096, NX_PROT_READ | NX_PROT_WRITE);
    long watch = nx_notification_create();
    if (slot < 0 || va < 0 || watch < 0) {
        nx_printf("storm: cannot set up (slot %ld, page %ld) WRONG\n", slot, va);
        return 1;
    }
    shared = (volatile struct shared *)va;
    shared->calls = 0;  // its page and page tables are in place before the baseline
    struct counters before = read_counters();
    struct setup st = { .shared_vmo = (nx_handle_t)shared_vmo };
    long children = 0, early = -1, unsignalled = 0;
    if (make_setup(resource, slot, &st))
        early = run_shares(&st, (nx_handle_t)watch, &children, &unsignalled);
    else
        nx_printf("storm: setup failed WRONG\n");
    close_setup(&st);
    nx_printf("storm: seed %#lx: %lu calls by %ld children (%ld ended early)\n", (unsigned long)STORM_SEED,
              (unsigned long)shared->calls, children, early);
    nx_printf("storm: %ld of the children's ends did not reach the supervisor's watch %s\n",
              unsignalled, unsignalled ? "WRONG" : "ok");
    report_syscalls();
    struct counters after = settled_counters(before);
    compare_counters(before, after);
    return shared->calls >= STORM_CALLS ? 0 : 1;
}

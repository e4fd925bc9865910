// Process lifetimes at their limits, through real syscalls: a chain of processes as deep as a
// budget allows, killed from its root (the kernel walks it without recursion); processes
// created and closed without ever being started (the last handle frees them); a boot program
// unmapping a page of its own image. After each, the kernel's counters are back where they
// were. Prints "lifecycle: <check> ok" or "... WRONG (got X, want Y)".
#define TEST_NAME "lifecycle"
#include "expect.h"
#include <nx/loader.h>

extern char __nx_text_start[], __nx_data_end[];

static long free_budget(void)
{
    struct nx_process_info info;
    if (nx_process_info(nx_self, &info) != NX_OK)
        return -1;
    return (long)(info.budget_pages - info.used_pages);
}

static long used_budget(void)
{
    struct nx_process_info info;
    return nx_process_info(nx_self, &info) == NX_OK ? (long)info.used_pages : -1;
}

// ---- a chain as deep as the budget allows ----

// What spawning one more link costs its parent besides the child's budget: copies of this
// program's image, and 8 pages for the VMO objects and the stack pages the child touches
// (charged to the VMOs' creator). Measured: the chain then has ~340 links, where the old
// recursive kill overflowed its kernel stack at ~210.
static long link_cost(void)
{
    long image = (long)((__nx_data_end - __nx_text_start + 4095) / 4096);
    return image + 8;
}

// One link: gives almost all of its budget to the next, then waits for ever. The last one,
// whose budget is too small for another, signals `done`.
static void chain_link(nx_handle_t done)
{
    long pages = free_budget() - link_cost();
    long dup = nx_handle_duplicate(done, NX_RIGHTS_SAME);
    long child = pages > 0 && dup > 0 ? nx_spawn("chain", (size_t)pages, chain_link,
                                                 (nx_handle_t)dup)
                                      : NX_ERR_NO_MEMORY;
    if (child < 0)
        nx_notify_signal(done, 1);
    long never = nx_notification_create();
    uint64_t bits;
    for (;;)
        nx_notify_wait_bits((nx_handle_t)never, NX_DEADLINE_NEVER, &bits);
}

// ---- a process's tree (nx_process_tree, nx_process_descendant) ----

#define TREE_CAP NX_PROCESS_TREE_MAX

static uint32_t tree[TREE_CAP];

// The chain is root's tree: listed whole and in order (over several of the kernel's chunks),
// every link reachable with at most root's rights, nothing outside it; killing a link through
// its handle ends it and what it created.
static void chain_tree_is_reachable_from_its_root(nx_handle_t root, long depth)
{
    struct nx_process_info info;
    nx_process_info(root, &info);
    expect("the tree lists the chain", nx_process_tree(root, tree, TREE_CAP), depth);
    expect("root first", tree[0], info.pid);
    expect("a count alone", nx_process_tree(root, NULL, 0), depth);
    expect("a bad array", nx_process_tree(root, (uint32_t *)8, TREE_CAP), NX_ERR_BAD_ADDRESS);
    expect("a cap over the limit", nx_process_tree(root, tree, NX_PROCESS_TREE_MAX + 1),
           NX_ERR_TOO_BIG);
    long last = nx_process_descendant(root, tree[depth - 1], NX_RIGHT_READ);
    expect("the deepest link is reached", last > 0 && nx_process_info((nx_handle_t)last, &info)
                                          == NX_OK ? (long)info.pid : -1, (long)tree[depth - 1]);
    expect("with only the rights asked", nx_process_kill((nx_handle_t)last), NX_ERR_ACCESS);
    nx_handle_close(last);
    struct nx_process_info self;
    nx_process_info(nx_self, &self);
    expect("the caller is not in the chain's tree",
           nx_process_descendant(root, self.pid, NX_RIGHT_READ), NX_ERR_NOT_FOUND);
    long reader = nx_handle_duplicate(root, NX_RIGHT_READ);
    expect("rights only shrink", nx_process_descendant(reader, tree[1], NX_RIGHT_MANAGE),
           NX_ERR_ACCESS);
    expect("rights must be rights", nx_process_descendant(root, tree[1], 1ul << 40),
           NX_ERR_INVALID);
    long mid = nx_process_descendant(root, tree[depth / 2], NX_RIGHT_READ | NX_RIGHT_MANAGE);
    expect("kill a link through its handle", nx_process_kill((nx_handle_t)mid), NX_OK);
    expect("the tree ends above it", nx_process_tree(reader, tree, TREE_CAP), depth / 2);
    nx_handle_close(mid);
    nx_handle_close(reader);
}

static void deep_chain_is_killed_from_its_root(void)
{
    long done = nx_notification_create();
    struct leak_baseline b = leak_baseline();
    long processes = nx_system_info(NX_INFO_LIVE_PROCESSES), used = used_budget();
    long dup = nx_handle_duplicate(done, NX_RIGHTS_SAME);
    long first = nx_spawn("chain", (size_t)(free_budget() - link_cost()), chain_link,
                          (nx_handle_t)dup);
    expect("spawn the chain", first > 0, 1);
    uint64_t bits = 0;
    nx_notify_wait_bits((nx_handle_t)done, NX_DEADLINE_NEVER, &bits);
    long depth = nx_system_info(NX_INFO_LIVE_PROCESSES) - processes;
    nx_printf("lifecycle: chain of %ld processes\n", depth);
    expect("the chain is deep", depth >= 300, 1);
    chain_tree_is_reachable_from_its_root((nx_handle_t)first, depth);
    expect("kill its root", nx_process_kill(first), NX_OK);
    expect("every link ended", nx_system_info(NX_INFO_LIVE_PROCESSES), processes);
    struct nx_process_info info;
    nx_process_info((nx_handle_t)first, &info);
    expect("the root is dead, killed", info.state == NX_PROC_DEAD &&
                                       info.exit_status == NX_EXIT_KILLED, 1);
    nx_handle_close(first);
    expect("budget back", used_budget(), used);
    expect_no_leaks(b);
    nx_handle_close(done);
}

// ---- processes that are never started ----

#define UNSTARTED_ROUNDS 300
#define UNSTARTED_PAGES 64  // the rounds need 300 * 64 pages: more than the budget

static void unstarted_processes_are_freed_by_their_last_handle(void)
{
    struct leak_baseline b = leak_baseline();
    long used = used_budget(), processes = nx_system_info(NX_INFO_LIVE_PROCESSES);
    long created = 0;
    for (int i = 0; i < UNSTARTED_ROUNDS; i++) {
        long p = nx_process_create("unstarted", 9, UNSTARTED_PAGES);
        if (p < 0)
            break;
        created++;
        if (i % 2) {  // half of them with a mapping: the address space refers to the process
            long v = nx_vmo_create(4096);
            nx_vm_map(p, v, 0, 0, 4096, NX_PROT_READ);
            long dup = nx_handle_duplicate(p, NX_RIGHTS_SAME);  // two handles, closed in turn
            nx_handle_close(v);
            nx_handle_close(dup);
        }
        nx_handle_close(p);
    }
    expect("create and close, round after round", created, UNSTARTED_ROUNDS);
    expect("none left alive", nx_system_info(NX_INFO_LIVE_PROCESSES), processes);
    expect("their budgets back", used_budget(), used);
    expect_no_leaks(b);
}

// ---- exit watches add up ----

#define SELF_WATCH_BITS 2
#define GO_BIT 1
#define MS 1000000ull

// A child told to go (GO_BIT on n) watches itself with n and returns (exits): its watch must
// not take the place of its parent's.
static void watch_self_then_exit(nx_handle_t n)
{
    uint64_t bits;
    nx_notify_wait_bits(n, NX_DEADLINE_NEVER, &bits);
    nx_process_watch(nx_self, n, SELF_WATCH_BITS);
}

static long wait_bits(long n)
{
    uint64_t bits = 0;
    long r = nx_notify_wait_bits((nx_handle_t)n, (uint64_t)nx_clock_get() + 1000 * MS, &bits);
    return r == NX_OK ? (long)bits : r;
}

static void a_self_watch_leaves_the_parents_watch(void)
{
    struct leak_baseline b = leak_baseline();
    long used = used_budget();
    long parent_n = nx_notification_create(), child_n = nx_notification_create();
    long dup = nx_handle_duplicate(child_n, NX_RIGHTS_SAME);
    long child = nx_spawn("selfwatch", 256, watch_self_then_exit, (nx_handle_t)dup);
    expect("spawn a child that watches itself", child > 0, 1);
    expect("the parent watches it", nx_process_watch(child, parent_n, 1), NX_OK);
    nx_notify_signal((nx_handle_t)child_n, GO_BIT);  // its self-watch comes after ours
    expect("its end reaches the parent's watch", wait_bits(parent_n), 1);
    expect("and its own", wait_bits(child_n), SELF_WATCH_BITS);
    nx_handle_close(child);
    nx_handle_close(parent_n);
    nx_handle_close(child_n);
    expect("budget back", used_budget(), used);
    expect_no_leaks(b);
}

// Every watch by a distinct notification takes a slot until the process ends; the slots are
// bounded, a watch by the same notification again only changes its bits, one whose
// notification was closed gives its slot up, and the end signals every one and lets go.
static void watches_are_bounded_and_all_signalled(void)
{
    struct leak_baseline b = leak_baseline();
    long used = used_budget();
    long p = nx_process_create("watched", 7, 64);
    long n[NX_PROCESS_MAX_WATCHES + 1];
    long added = 0;
    for (int i = 0; i <= NX_PROCESS_MAX_WATCHES; i++) {
        n[i] = nx_notification_create();
        if (i < NX_PROCESS_MAX_WATCHES)
            added += nx_process_watch(p, n[i], 1l << i) == NX_OK;
    }
    expect("as many watches as the limit", added, NX_PROCESS_MAX_WATCHES);
    expect("one more is refused", nx_process_watch(p, n[NX_PROCESS_MAX_WATCHES], 1l << 12),
           NX_ERR_NO_SPACE);
    expect("a watch again by the same notification changes its bits",
           nx_process_watch(p, n[0], 0x100), NX_OK);
    nx_handle_close(n[1]);
    expect("a closed watcher's slot is taken over",
           nx_process_watch(p, n[NX_PROCESS_MAX_WATCHES], 1l << NX_PROCESS_MAX_WATCHES), NX_OK);
    expect("kill the watched", nx_process_kill(p), NX_OK);
    long signalled = 0;
    for (int i = 2; i <= NX_PROCESS_MAX_WATCHES; i++) {
        uint64_t bits = 0;
        signalled += nx_notify_poll_bits(n[i], &bits) == NX_OK && bits == 1ul << i;
    }
    expect("every watch is signalled with its bits", signalled, NX_PROCESS_MAX_WATCHES - 1);
    uint64_t bits = 0;
    expect("the changed one with its new bits",
           nx_notify_poll_bits(n[0], &bits) == NX_OK ? (long)bits : -1, 0x100);
    nx_handle_close(p);
    for (int i = 0; i <= NX_PROCESS_MAX_WATCHES; i++)
        if (i != 1)
            nx_handle_close(n[i]);
    expect("watches: budget back", used_budget(), used);
    expect_no_leaks(b);
}

// nx_process_wait watches with a notification of its own each time and closes it: waits that
// time out, more of them than there are slots, must not fill the watched process's set.
static void timed_out_waits_leave_no_watch(void)
{
    struct leak_baseline b = leak_baseline();
    long p = nx_process_create("waited", 6, 64);
    long timed_out = 0, status = 0;
    for (int i = 0; i < 3 * NX_PROCESS_MAX_WATCHES; i++)
        timed_out += nx_process_wait(p, (uint64_t)nx_clock_get() + MS, &status) ==
                     NX_ERR_TIMED_OUT;
    expect("waits time out, however many", timed_out, 3 * NX_PROCESS_MAX_WATCHES);
    nx_handle_close(p);
    expect_no_leaks(b);
}

// ---- unmapping a boot program's own image ----

static char victim[4096] __attribute__((aligned(4096))) = "image";

static void own_image_can_be_unmapped(void)
{
    long used = used_budget();
    expect("the page is there", victim[0], 'i');
    expect("unmap a page of the image", nx_vm_unmap(nx_self, (long)victim, 4096), NX_OK);
    expect("its page goes back to the budget", used_budget(), used - 1);
    long v = nx_vmo_create(4096);
    nx_vmo_write((nx_handle_t)v, 0, "vmo", 4);
    expect("a VMO maps where it was", nx_vm_map(nx_self, v, (long)victim, 0, 4096,
                                                NX_PROT_READ | NX_PROT_WRITE), (long)victim);
    expect("and is what is read there", victim[0], 'v');
    nx_vm_unmap(nx_self, (long)victim, 4096);
    nx_handle_close(v);
}

int main(void)
{
    deep_chain_is_killed_from_its_root();
    unstarted_processes_are_freed_by_their_last_handle();
    a_self_watch_leaves_the_parents_watch();
    watches_are_bounded_and_all_signalled();
    timed_out_waits_leave_no_watch();
    own_image_can_be_unmapped();  // last: nx_spawn copies the whole image, hole or not
    nx_printf("lifecycle: %d failures\n", failures);
    return failures;
}

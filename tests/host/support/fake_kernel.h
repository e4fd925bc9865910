#pragma once
// The host stand-in for the kernel around the object files under test (endpoint, irq, timer
// and their *_syscalls.c, which run unchanged): a scheduler, a clock, object pages charged to
// a process's budget, and notifications that record what was signalled, over the real handle
// tables. Nothing really blocks: sched_block records the wait and returns FAKE_BLOCKED at
// once, and the test then plays the other threads by setting current_thread. What a woken
// thread's syscall returns is its wait_result, which the fakes set exactly as sched.c does.
// fake_reset gives one process (fake_process, its table fake_handles) and makes its thread
// current; tests with more processes make them with fake_process_init.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "handle.h"
#include "notification.h"
#include "process.h"
#include "thread.h"

// What a fake sched_block returns to the blocking thread's syscall (never a real result).
#define FAKE_BLOCKED 0x7e57b10cL

struct fake_kernel {
    uint64_t now;                  // clock_now(), unless the test links the real clock.c
    size_t object_pages;           // objects allocated and not yet freed (a page each)
    size_t object_allocs;          // objects allocated since fake_reset, freed or not
    uint64_t signals;              // notification_signal calls
    int blocks, wakes;             // calls to sched_block / sched_block_switch, sched_wake
    struct thread *switched_to;    // next of the last sched_block_switch or sched_hand_off
    bool no_hand_off;              // sched_may_hand_off says no (a deadline, a priority...)
    int exclusive;                 // big_lock_exclusive_instead calls (shared paths gave up)
    int hand_offs;                 // sched_hand_off calls
    int ipc_switches;              // sched_ipc_switch calls (the one-hart fast paths)
    int ipc_switch_mismatches;     // of which with a1..a6 not next's out[], or not NX_OK
};
extern struct fake_kernel fake;

extern struct process fake_process;
extern struct handle_table fake_handles;

// Everything a failed syscall of p must leave as it was (compare with assert_memory_equal):
// handles made at all count too, so an object made and undone shows.
struct fake_state {
    uint64_t live_objects, handles_installed;
    size_t object_allocs, budget_used;
    uint32_t handles;
};
struct fake_state fake_state(const struct process *p);

// Reset everything; fake_process may allocate `pages` object pages.
void fake_reset(size_t pages);
// A process with the empty handle table t and a budget of `pages` object pages.
void fake_process_init(struct process *p, struct handle_table *t, size_t pages);
// A notification with one reference held by the caller, and a handle to it with `rights` in
// fake_process.
nx_handle_t fake_notification(struct notification *n, uint32_t rights);
// Close every handle of fake_process (as process exit does).
void fake_close_all(void);
// The deadline of blocked t passes (what the timer interrupt does in sched.c).
void fake_timeout(struct thread *t);
// Whether t is blocked (and not woken since).
bool fake_blocked(const struct thread *t);

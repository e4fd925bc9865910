#pragma once
// Host fakes of the scheduler, the clock, object memory and the syscall handle glue, for unit
// tests of kernel objects that block and wake threads (endpoint.c). Nothing really blocks:
// sched_block records the wait and returns FAKE_BLOCKED at once, and the test then plays the
// other threads by setting current_thread. What a woken thread's syscall returns is its
// wait_result, which the fakes set exactly as sched.c does.
#include <stdbool.h>
#include <stdint.h>
#include "thread.h"

// What a fake sched_block returns to the blocking thread's syscall (never a real result).
#define FAKE_BLOCKED 0x7e57b10cL

struct fake_kernel {
    uint64_t now;                  // clock_now()
    bool alloc_fails;              // process_alloc_object returns NULL
    int objects;                   // kernel objects allocated and not yet freed
    int blocks, wakes;             // calls to sched_block / sched_block_switch, sched_wake
    struct thread *switched_to;    // next of the last sched_block_switch
};
extern struct fake_kernel fake;

void fake_reset(void);
// The deadline of blocked t passes (what the timer interrupt does in sched.c).
void fake_timeout(struct thread *t);
// Whether t is blocked (and not woken since).
bool fake_blocked(const struct thread *t);

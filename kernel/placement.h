#pragma once
// Where a thread made ready runs (pure rule, host-tested; sched.c applies it). Harts are
// indexes; masks have bit i for hart i.
#include <stdint.h>

// allowed: the harts the thread may run on (nonzero); last: the hart it last ran on, or -1;
// waker: the hart making it ready; free: the harts idle with nothing queued. The thread goes
// to its last hart if that is free (its cache may still be warm), else to any free hart, else
// to the waker's (a wake-up followed by a block, as in IPC, then keeps to one hart), else to
// its last hart, else to the lowest it may use.
unsigned place_thread(uint64_t allowed, int last, unsigned waker, uint64_t free);

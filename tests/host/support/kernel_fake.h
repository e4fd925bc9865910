#pragma once
// Host stand-ins for the kernel around an object file under test: one process (with a real
// handle table and a page budget charged a whole page per object, slab.c's worst case), its current thread, and
// notifications that record what was signalled. Syscall handlers run unchanged against them.
#include <stdint.h>
#include "handle.h"
#include "notification.h"
#include "process.h"

extern struct process fake_process;
extern struct handle_table fake_handles;
extern uint64_t fake_signals;        // notification_signal calls
extern size_t fake_objects;          // objects allocated and not yet freed

// Reset everything; the process may hold `pages` objects.
void fake_kernel_reset(size_t pages);
// A notification with one reference held by the caller, and a handle to it with `rights`.
nx_handle_t fake_notification(struct notification *n, uint32_t rights);
// Close every handle of the fake process (as process exit does).
void fake_close_all(void);

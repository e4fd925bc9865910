#pragma once
// Host stand-in for the kernel's panic(): records the message and jumps back into the test,
// so a test can assert that a kernel invariant check fires.
#include <setjmp.h>

extern jmp_buf panic_jump;
extern int panic_armed;
extern char panic_message[256];

// Evaluates to 1 if `stmt` panicked.
#define PANICS(stmt) (panic_armed = 1, setjmp(panic_jump) ? (panic_armed = 0, 1) \
                                                          : ((stmt), panic_armed = 0, 0))

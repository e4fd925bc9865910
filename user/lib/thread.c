// nx_thread_start: threads with their own stack and TLS block (see nx/thread.h).
#include <picolibc.h>
#include <picotls.h>
#include <stdlib.h>
#include <nx/nx.h>
#include <nx/stdio.h>
#include <nx/thread.h>
#include "internal.h"

#define TLS_ALIGN 64  // user.ld asserts the TLS template needs no more

// Lives at the top of the thread's stack; crt0's nx_thread_trampoline loads tp from `tls`.
struct thread_start {
    void *tls;
    void (*fn)(void *arg);
    void *arg;
};
_Static_assert(__builtin_offsetof(struct thread_start, tls) == 0, "crt0 reads it first");

void nx_thread_trampoline(void);

_Noreturn void nx_thread_entry(struct thread_start *ts, struct nx_ipc_buffer *ipc)
{
    nx_tls_ipc_buffer = ipc;
    ts->fn(ts->arg);
    nx_stdio_flush();
    nx_thread_exit();
    __builtin_unreachable();
}

// One allocation: [stack ... | start record | TLS block], each part aligned.
long nx_thread_start(void (*fn)(void *arg), void *arg, uint32_t priority, size_t stack_size)
{
    size_t tls = (_tls_size() + TLS_ALIGN - 1) & ~(size_t)(TLS_ALIGN - 1);
    size_t stack = ((stack_size ? stack_size : NX_THREAD_STACK_SIZE) + 15) & ~(size_t)15;
    char *mem = aligned_alloc(TLS_ALIGN, stack + sizeof(struct thread_start) + TLS_ALIGN + tls);
    if (!mem)
        return NX_ERR_NO_MEMORY;
    char *block = mem + stack + sizeof(struct thread_start) + TLS_ALIGN;
    block -= (uintptr_t)block % TLS_ALIGN;
    struct thread_start *ts = (struct thread_start *)(mem + stack);
    _init_tls(block);
    *ts = (struct thread_start){ .tls = block, .fn = fn, .arg = arg };
    long t = nx_thread_create(nx_self, (long)nx_thread_trampoline, (long)ts, (long)ts, priority);
    if (t < 0)
        free(mem);
    return t;
}

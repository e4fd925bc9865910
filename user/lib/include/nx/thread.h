#pragma once
// Threads that can use the C library: nx_thread_start gives the new thread its own stack and
// thread-local block (picolibc's errno, the stdio line buffer, ...), so it may call anything
// the main thread may. A thread made with the bare nx_thread_create syscall has neither and
// must stick to system calls.
//
// picolibc is built without locks: threads of one process that can preempt each other (the
// same priority) must not be inside malloc/free or stdio's sink at the same time.
#include <stddef.h>
#include <stdint.h>
#include <nexus/ipc.h>

#define NX_THREAD_STACK_SIZE (16 * 1024)

// Start fn(arg) in a new thread of this process at `priority` (at most the caller's), with a
// stack of stack_size bytes (0: NX_THREAD_STACK_SIZE). Its stack and TLS come from malloc and are never freed (threads are expected to live as long
// as the process). Returns a thread handle or a negative NX_ERR_*.
long nx_thread_start(void (*fn)(void *arg), void *arg, uint32_t priority, size_t stack_size);

// The calling thread's IPC buffer (every thread of libnx: main, nx_thread_start threads).
struct nx_ipc_buffer *nx_ipc_buf(void);

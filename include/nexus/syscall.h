#pragma once
// The NEURON system call list, declared once. The kernel's dispatch table, the user stubs in
// libnx and the table in docs/abi.md are all produced from NX_SYSCALLS.
//
// Calling convention: number in a7, arguments in a0..a6, result in a0 (negative = nx_error).
// An ecall behaves like a C function call: s0-s11, sp, gp and tp survive it; ra, t0-t6 and a7
// come back zeroed. a1..a6 carry the calling thread's "message registers" (struct thread
// `out`): syscalls that return more than a0 (IPC, notification waits) set them; every other
// syscall leaves the values the thread itself last received, so no kernel value ever leaks.
//
// Deadlines are absolute monotonic times in nanoseconds (nx_clock_get): NX_DEADLINE_NEVER
// waits forever, a deadline already past (0 included) never blocks (a poll).
#include <stdint.h>

#define NX_SYSCALLS(X)                                                                   \
    X(0, debug_write, 2, "(const char *buf, size_t len): write len bytes (at most NX_DEBUG_WRITE_MAX) to the kernel debug console; returns len") \
    X(1, exit,        1, "(long status): end the calling process with status; does not return") \
    X(2, yield,       0, "(): give the CPU to the next ready thread of the same priority; returns 0") \
    X(3, clock_get,   0, "(): monotonic time since boot in nanoseconds")                      \
    X(4, nop,         0, "(): does nothing and returns 0 (measures the bare syscall path)")   \
    X(5, handle_close,     1, "(h): close h; the object goes when its last reference does") \
    X(6, handle_duplicate, 2, "(h, rights): a new handle to h's object with rights (a subset of h's, or NX_RIGHTS_SAME); needs DUPLICATE") \
    X(7, handle_info,      1, "(h): h's object type in bits 0-7 and rights in bits 8-39") \
    X(8, handle_revoke,    1, "(h): close every handle derived from h in any process; h stays; returns how many were closed") \
    X(9, process_create,   3, "(const char *name, size_t len, size_t pages): a new empty process with a page budget of `pages`, charged to the caller's budget until the process is freed; returns a process handle with every right") \
    X(10, process_start,   5, "(proc, pc, sp, h, priority): start proc's first thread at pc with stack sp and priority (at most the caller's); h (or NX_HANDLE_INVALID) is moved into proc and its new value passed in a0, the thread's IPC buffer in a1, a process self-handle in a2; needs MANAGE") \
    X(11, process_kill,    1, "(proc): end proc and every process it created (status NX_EXIT_KILLED), freeing their threads, memory and handles; needs MANAGE") \
    X(12, process_watch,   3, "(proc, notif, bits): signal bits on notif when proc ends (now if it already has); needs READ on proc, SIGNAL on notif") \
    X(13, process_status,  2, "(proc, long *status): store proc's exit status; NX_ERR_BAD_STATE while it runs; needs READ") \
    X(14, thread_create,   5, "(proc, pc, sp, arg, priority): a new running thread of proc (a0 = arg, a1 = its IPC buffer); priority at most the caller's; needs MANAGE; returns a thread handle") \
    X(15, thread_exit,     0, "(): end the calling thread; the last thread's exit ends the process with status 0") \
    X(16, vmo_create,      1, "(size_t size): an anonymous VMO of size bytes (rounded up to pages, committed lazily, zero-filled)") \
    X(17, vmo_read,        4, "(vmo, offset, void *buf, len): copy len (at most NX_VMO_RW_MAX) bytes out; needs READ") \
    X(18, vmo_write,       4, "(vmo, offset, const void *buf, len): copy len (at most NX_VMO_RW_MAX) bytes in; needs WRITE; NX_ERR_ACCESS once sealed") \
    X(19, vmo_seal,        1, "(vmo): make the contents immutable for every holder; needs WRITE") \
    X(20, vmo_clone,       3, "(vmo, offset, size): a copy-on-write child of a sealed VMO; needs READ and DUPLICATE") \
    X(21, vmo_physical,    3, "(resource, paddr, size): a VMO over device registers inside the resource's ranges") \
    X(22, vm_map,          6, "(proc, vmo, va, offset, size, prot): map [offset, offset+size) of vmo at va (0: the kernel picks) with prot NX_PROT_*; needs MAP on proc and rights on vmo covering prot; returns the address") \
    X(23, vm_unmap,        3, "(proc, va, size): remove the mappings inside [va, va+size); needs MAP") \
    X(24, vm_protect,      4, "(proc, va, size, prot): change the protection of mapped pages (never beyond the VMO handle's rights); needs MAP") \
    X(25, endpoint_create, 0, "(): a new IPC endpoint; returns a handle with every right and badge 0") \
    X(26, endpoint_mint,   3, "(ep, badge, rights): a derived handle with a fixed non-zero 32-bit badge; needs MANAGE and DUPLICATE") \
    X(27, call,            7, "(ep, info, w0, w1, w2, w3, deadline): send a message and wait for the reply, returned in a1 (info) and a2-a5 (words); needs SIGNAL") \
    X(28, send,            7, "(ep, info, w0, w1, w2, w3, deadline): send a message without waiting for a reply; needs SIGNAL") \
    X(29, recv,            2, "(ep, deadline): wait for a message: a1 = info, a2-a5 = words, a6 = sender's badge; or a bound notification's bits (info flag NX_MSG_SIGNALS, bits in a2); needs WAIT") \
    X(30, reply,           5, "(info, w0, w1, w2, w3): answer the call this thread received last") \
    X(31, reply_recv,      7, "(ep, info, w0, w1, w2, w3, deadline): reply (if a call is pending), then recv on ep") \
    X(32, notification_create, 0, "(): a new notification (a 64-bit signal word, all clear)") \
    X(33, notify_signal,   2, "(notif, bits): OR bits into the word, waking a waiter; needs SIGNAL") \
    X(34, notify_wait,     2, "(notif, deadline): wait until a bit is set, then return the bits in a1 and clear them; needs WAIT") \
    X(35, notify_poll,     1, "(notif): return the bits in a1 and clear them, never block; needs WAIT") \
    X(36, endpoint_bind,   2, "(ep, notif): recv on ep also returns when notif has bits (or pass NX_HANDLE_INVALID to unbind); needs WAIT on both") \
    X(37, irq_create,      4, "(resource, line, notif, bits): route device interrupt line to bits of notif, one owner per line; after each interrupt the line stays masked until nx_irq_ack; needs MANAGE on resource, SIGNAL on notif") \
    X(38, irq_ack,         1, "(irq): unmask the line after its interrupt was handled; NX_ERR_BAD_STATE if none awaits it; needs WRITE") \
    X(39, timer_create,    2, "(notif, bits): a disarmed one-shot timer that signals bits on notif when it fires; needs SIGNAL on notif") \
    X(40, timer_set,       3, "(timer, deadline, slack): fire once anywhere in [deadline, deadline+slack] (ns; slack at most 1 s); replaces a pending setting; NX_DEADLINE_NEVER disarms; needs WRITE") \
    X(41, timer_cancel,    1, "(timer): disarm (no effect if not armed); needs WRITE") \
    X(42, system_info,     1, "(what): a kernel counter NX_INFO_* (free pages, live handles, timer interrupts, bytes copied...)") \
    X(43, process_info,    2, "(proc, struct nx_process_info *out): pid, name, state, exit status, budget and pages used, threads, highest priority; needs READ") \
    X(44, system_poweroff, 1, "(resource): power the machine off; needs MANAGE on the device resource") \
    X(45, vmo_dma,         5, "(vmo, offset, size, uint64_t *paddrs, flags): commit and pin the pages of [offset, offset+size) (at most NX_VMO_DMA_MAX) and store their physical addresses for a device; NX_DMA_DEVICE_WRITES if the device may write them; needs DMA and READ (and WRITE); returns the page count")

#define NX_DEBUG_WRITE_MAX 4096
#define NX_DEADLINE_NEVER UINT64_MAX

// Exit status of a process that was killed (by a fault or nx_process_kill).
#define NX_EXIT_KILLED (-1000L)

// nx_process_info.
enum nx_proc_state { NX_PROC_NEW = 0, NX_PROC_RUNNING = 1, NX_PROC_DEAD = 2 };
struct nx_process_info {
    uint32_t pid;
    uint32_t state;         // enum nx_proc_state
    int64_t exit_status;    // once NX_PROC_DEAD
    uint64_t budget_pages;  // the page budget its creator gave it
    uint64_t used_pages;    // charged to it now
    uint32_t threads;
    uint32_t priority;      // highest among its threads
    char name[32];
};

// Threads one process may have at once (each has one IPC buffer page in NX_IPC_BUFFER area).
#define NX_PROCESS_MAX_THREADS 64

// nx_vm_map / nx_vm_protect protections.
#define NX_PROT_READ  1u
#define NX_PROT_WRITE 2u
#define NX_PROT_EXEC  4u

// Longest nx_vmo_read / nx_vmo_write.
#define NX_VMO_RW_MAX 16384

// nx_vmo_dma: most pages per call, and its flag (without it the device only reads the pages).
#define NX_VMO_DMA_MAX 32
#define NX_DMA_DEVICE_WRITES 1u

// nx_system_info counters.
enum nx_info {
    NX_INFO_FREE_PAGES = 0,     // pages the page allocator has free
    NX_INFO_LIVE_HANDLES = 1,   // handles in every table
    NX_INFO_TIMER_IRQS = 2,     // timer interrupts taken since boot
    NX_INFO_BYTES_COPIED = 3,   // payload bytes the kernel copied (IPC bytes, vmo_read/write, COW)
    NX_INFO_LIVE_PROCESSES = 4, // processes not yet ended
    NX_INFO_LIVE_OBJECTS = 5,   // kernel objects not yet freed
    NX_INFO_TOTAL_PAGES = 6,    // pages the page allocator manages (free + used)
    NX_INFO_COUNT
};

enum nx_syscall_number {
#define NX_SYSCALL_ENUM(num, name, nargs, doc) NX_SYS_##name = num,
    NX_SYSCALLS(NX_SYSCALL_ENUM)
#undef NX_SYSCALL_ENUM
    NX_SYSCALL_COUNT
};

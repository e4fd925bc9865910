#pragma once
// The NEURON system call list, declared once: NX_SYSCALLS below. From it come the syscall
// numbers, the kernel's handler prototypes and dispatch table (kernel/syscall.h, trap.S), the
// typed user stubs in libnx (user/lib/include/nx/syscall.h), the errors each syscall may
// return (nx_syscall_errors) and the reference table in docs/abi.md (tools/abi_doc.py).
// Adding a syscall is one entry here plus its handler `long sys_<name>(...)` in the kernel.
//
// Calling convention: number in a7, arguments in a0..a6, result in a0 (negative = nx_error).
// An ecall behaves like a C function call: s0-s11, sp, gp and tp survive it; ra, t0-t6 and a7
// come back zeroed. a1..a6 carry the calling thread's "message registers" (struct thread
// `out`): syscalls that return more than a0 (IPC, notification waits) set them; every other
// syscall leaves the values the thread itself last received, so no kernel value ever leaks.
// Every argument is a full 64-bit register; a handle argument with anything in its upper 32
// bits names no handle (NX_ERR_BAD_HANDLE).
//
// Deadlines are absolute monotonic times in nanoseconds (nx_clock_get): NX_DEADLINE_NEVER
// waits forever, a deadline already past (0 included) never blocks (a poll).
//
// An entry: X(number, name, result, argument count, (arguments), errors, description)
//   result     long: a0 only; msg: a0, and a1..a6 as the message registers (the user stub
//              takes a uint64_t out[6] for them); noreturn: the call does not come back
//   arguments  NX_H(name, rights): a handle that needs every right in `rights` (0: none);
//              NX_V(type, name): a value (a 64-bit type: the kernel takes the register whole);
//              NX_P(type, name): a pointer into the caller's memory (the kernel checks it)
//   errors     NX_E(CODE) or NX_E(CODE, "when"): every NX_ERR_CODE the call can return
// Numbers are consecutive from 0, in order (the kernel checks it at compile time).
// The errors of a handle argument looked up with a type and rights.
#define NX_HANDLE_ERRORS NX_E(BAD_HANDLE) NX_E(WRONG_TYPE) NX_E(ACCESS)

#define NX_SYSCALLS(X)                                                                           \
    X(0, debug_write, long, 2, (NX_P(const char *, buf), NX_V(size_t, len)),                     \
      NX_E(TOO_BIG, "len > NX_DEBUG_WRITE_MAX") NX_E(BAD_ADDRESS),                               \
      "write len bytes to the kernel debug console; returns len")                                \
    X(1, exit, noreturn, 1, (NX_V(long, status)), ,                                              \
      "end the calling process with status")                                                     \
    X(2, yield, long, 0, (), ,                                                                   \
      "give the CPU to the next ready thread of the same priority; returns 0")                   \
    X(3, clock_get, long, 0, (), , "monotonic time since boot in nanoseconds")                   \
    X(4, nop, long, 0, (), , "does nothing and returns 0 (measures the bare syscall path)")      \
    X(5, handle_close, long, 1, (NX_H(h, 0)), NX_E(BAD_HANDLE),                                  \
      "close h; the object goes when its last reference does")                                   \
    X(6, handle_duplicate, long, 2, (NX_H(h, NX_RIGHT_DUPLICATE), NX_V(uint64_t, rights)),       \
      NX_E(BAD_HANDLE) NX_E(ACCESS, "missing DUPLICATE, or a right h lacks")                     \
      NX_E(INVALID, "unknown rights bits") NX_E(NO_SPACE),                                       \
      "a new handle to h's object with rights (a subset of h's, or NX_RIGHTS_SAME)")             \
    X(7, handle_info, long, 1, (NX_H(h, 0)), NX_E(BAD_HANDLE),                                   \
      "h's object type and rights (take them apart with nx_handle_info_type and "                \
      "nx_handle_info_rights), and NX_HANDLE_INFO_DERIVED while a handle derived from h lives")                                                                  \
    X(8, handle_revoke, long, 1, (NX_H(h, 0)), NX_E(BAD_HANDLE),                                 \
      "close every handle derived from h in any process; h stays; returns how many were closed") \
    X(9, process_create, long, 3,                                                                \
      (NX_P(const char *, name), NX_V(size_t, len), NX_V(size_t, pages)),                        \
      NX_E(TOO_BIG, "len > 31") NX_E(BAD_ADDRESS)                                                \
      NX_E(NO_MEMORY, "pages over the caller's budget, fewer than 5, or the kernel is out of " \
                      "pages")                                                                 \
      NX_E(NO_SPACE, "the caller's table is full"),                                              \
      "a new empty process with a page budget of pages, charged to the caller's budget until "   \
      "the process is freed; returns a process handle with every right")                         \
    X(10, process_start, long, 5,                                                                \
      (NX_H(proc, NX_RIGHT_MANAGE), NX_V(uint64_t, pc), NX_V(uint64_t, sp),                      \
       NX_H(h, NX_RIGHT_TRANSFER), NX_V(uint64_t, priority)),                                    \
      NX_HANDLE_ERRORS NX_E(ACCESS, "priority above the caller's")                               \
      NX_E(INVALID, "pc or sp outside user space") NX_E(BAD_STATE, "already started, or dead")   \
      NX_E(NO_SPACE, "proc's table cannot take h and the self handle")                           \
      NX_E(NO_MEMORY, "proc's budget"),                                                          \
      "start proc's first thread at pc with stack sp and priority (at most the caller's); h "    \
      "(or NX_HANDLE_INVALID) is moved into proc and its new value passed in a0, the thread's "  \
      "IPC buffer in a1, a process self-handle in a2")                                           \
    X(11, process_kill, long, 1, (NX_H(proc, NX_RIGHT_MANAGE)),                                  \
      NX_HANDLE_ERRORS NX_E(BAD_STATE, "already dead"),                                          \
      "end proc and every process it created (status NX_EXIT_KILLED), freeing their threads, "   \
      "memory and handles")                                                                      \
    X(12, process_watch, long, 3,                                                                \
      (NX_H(proc, NX_RIGHT_READ), NX_H(notif, NX_RIGHT_SIGNAL), NX_V(uint64_t, bits)),           \
      NX_HANDLE_ERRORS NX_E(INVALID, "bits 0")                                                   \
      NX_E(NO_SPACE, "proc has 32 watches by other notifications still open"),                    \
      "signal bits on notif when proc ends (at once if it already has); watches add up (at most "\
      "32 per process), a second watch by the same notif replaces its bits")                        \
    X(13, process_status, long, 2, (NX_H(proc, NX_RIGHT_READ), NX_P(long *, status)),            \
      NX_HANDLE_ERRORS NX_E(BAD_STATE, "still alive") NX_E(BAD_ADDRESS),                         \
      "store proc's exit status in *status")                                                     \
    X(14, thread_create, long, 5,                                                                \
      (NX_H(proc, NX_RIGHT_MANAGE), NX_V(uint64_t, pc), NX_V(uint64_t, sp),                      \
       NX_V(uint64_t, arg), NX_V(uint64_t, priority)),                                           \
      NX_HANDLE_ERRORS NX_E(ACCESS, "priority above the caller's")                               \
      NX_E(INVALID, "pc or sp outside user space")                                               \
      NX_E(NO_SPACE, "64 threads, or the caller's table is full") NX_E(NO_MEMORY)                \
      NX_E(BAD_STATE, "proc dead"),                                                              \
      "a new running thread of proc (a0 = arg, a1 = its IPC buffer); priority at most the "      \
      "caller's; returns a thread handle")                                                       \
    X(15, thread_exit, noreturn, 0, (), ,                                                        \
      "end the calling thread; the last thread's exit ends the process with status 0")           \
    X(16, vmo_create, long, 1, (NX_V(size_t, size)),                                             \
      NX_E(INVALID, "size 0") NX_E(TOO_BIG, "over 64 GiB")                                       \
      NX_E(NO_MEMORY, "metadata over the budget") NX_E(NO_SPACE),                                \
      "an anonymous VMO of size bytes (rounded up to pages, committed lazily, zero-filled); "    \
      "returns a VMO handle")                                                                    \
    X(17, vmo_read, long, 4,                                                                     \
      (NX_H(vmo, NX_RIGHT_READ), NX_V(uint64_t, offset), NX_P(void *, buf), NX_V(size_t, len)),  \
      NX_HANDLE_ERRORS NX_E(TOO_BIG, "len > NX_VMO_RW_MAX") NX_E(INVALID, "range outside the VMO") \
      NX_E(BAD_ADDRESS, "buf not writable")                                                      \
      NX_E(NO_MEMORY, "faulting in buf; a paged VMO's page state over its budget")               \
      NX_PAGER_ERRORS,                                                                           \
      "copy len bytes at offset out of the VMO into buf")                                        \
    X(18, vmo_write, long, 4,                                                                    \
      (NX_H(vmo, NX_RIGHT_WRITE), NX_V(uint64_t, offset), NX_P(const void *, buf),               \
       NX_V(size_t, len)),                                                                       \
      NX_HANDLE_ERRORS NX_E(ACCESS, "the VMO is sealed") NX_E(TOO_BIG, "len > NX_VMO_RW_MAX")    \
      NX_E(INVALID, "range outside the VMO") NX_E(BAD_ADDRESS, "buf not readable")               \
      NX_E(NO_MEMORY, "pages (or page state) over the creator's budget") NX_PAGER_ERRORS,        \
      "copy len bytes from buf into the VMO at offset")                                          \
    X(19, vmo_seal, long, 1, (NX_H(vmo, NX_RIGHT_WRITE)),                                        \
      NX_HANDLE_ERRORS                                                                           \
      NX_E(BAD_STATE, "a writable mapping exists, or a device may write it (nx_vmo_dma)"),       \
      "make the contents immutable for every holder")                                            \
    X(20, vmo_clone, long, 3,                                                                    \
      (NX_H(vmo, NX_RIGHT_READ | NX_RIGHT_DUPLICATE), NX_V(uint64_t, offset), NX_V(size_t, size)), \
      NX_HANDLE_ERRORS NX_E(INVALID, "unaligned, empty or outside the parent")                   \
      NX_E(BAD_STATE, "parent not sealed, or physical") NX_E(TOO_BIG, "chain deeper than 8")     \
      NX_E(NO_MEMORY) NX_E(NO_SPACE),                                                            \
      "a copy-on-write child of a sealed VMO; returns a VMO handle")                             \
    X(21, vmo_physical, long, 3,                                                                 \
      (NX_H(resource, NX_RIGHT_MAP), NX_V(uint64_t, paddr), NX_V(size_t, size)),                 \
      NX_HANDLE_ERRORS NX_E(ACCESS, "not device registers of the resource")                      \
      NX_E(INVALID, "unaligned, empty, wrapping") NX_E(NO_MEMORY) NX_E(NO_SPACE),                \
      "a VMO over device registers inside the resource's ranges; returns a VMO handle")          \
    X(22, vm_map, long, 6,                                                                       \
      (NX_H(proc, NX_RIGHT_MAP), NX_H(vmo, NX_RIGHT_MAP), NX_V(uint64_t, va),                    \
       NX_V(uint64_t, offset), NX_V(size_t, size), NX_V(uint64_t, prot)),                        \
      NX_HANDLE_ERRORS                                                                           \
      NX_E(ACCESS, "prot beyond the VMO handle's rights, or WRITE on a sealed VMO")              \
      NX_E(INVALID, "prot bits, W+X, W without R; unaligned, empty, outside the VMO or the "     \
                    "mapping range")                                                             \
      NX_E(BAD_STATE, "proc dead, or the range overlaps a mapping or kernel-mapped pages")       \
      NX_E(NO_SPACE, "64 mappings, no free range, or 8 processes map the paged VMO")             \
      NX_E(NO_MEMORY, "the mapping table's page, on the first map"),                             \
      "map [offset, offset+size) of vmo at va (0: the kernel picks) with prot NX_PROT_* "        \
      "(READ, WRITE, EXECUTE on vmo as prot needs); returns the address")                        \
    X(23, vm_unmap, long, 3, (NX_H(proc, NX_RIGHT_MAP), NX_V(uint64_t, va), NX_V(size_t, size)), \
      NX_HANDLE_ERRORS NX_E(INVALID, "unaligned, empty, outside the mapping range")              \
      NX_E(BAD_STATE, "proc dead") NX_E(NO_SPACE, "a split with 64 mappings"),                   \
      "remove every page mapped in [va, va+size) (a boot program's image too)")                  \
    X(24, vm_protect, long, 4,                                                                   \
      (NX_H(proc, NX_RIGHT_MAP), NX_V(uint64_t, va), NX_V(size_t, size), NX_V(uint64_t, prot)),  \
      NX_HANDLE_ERRORS NX_E(ACCESS, "beyond a mapping's VMO rights, or WRITE on a sealed VMO")   \
      NX_E(INVALID, "prot as for nx_vm_map; unaligned, empty, outside the mapping range")        \
      NX_E(BAD_STATE, "proc dead") NX_E(NOT_FOUND, "a page of the range is not mapped")          \
      NX_E(NO_SPACE, "a split with 64 mappings"),                                                \
      "change the protection of mapped pages (never beyond the VMO handle's rights)")            \
    X(25, endpoint_create, long, 0, (), NX_E(NO_MEMORY) NX_E(NO_SPACE),                          \
      "a new IPC endpoint; returns a handle with every right and badge 0")                       \
    X(26, endpoint_mint, long, 3,                                                                \
      (NX_H(ep, NX_RIGHT_MANAGE | NX_RIGHT_DUPLICATE), NX_V(uint64_t, badge),                    \
       NX_V(uint64_t, rights)),                                                                  \
      NX_HANDLE_ERRORS NX_E(ACCESS, "rights ep lacks, unknown bits included")                    \
      NX_E(INVALID, "badge 0 or above 32 bits, rights above 32 bits, ep already badged")         \
      NX_E(NO_SPACE),                                                                            \
      "a derived handle with a fixed non-zero 32-bit badge")                                     \
    X(27, call, msg, 7, NX_IPC_SEND_ARGS,                                                        \
      NX_IPC_SEND_ERRORS                                                                         \
      NX_E(TIMED_OUT, "the deadline passed before the reply; a past deadline fails at once, "    \
                      "sending nothing"),                                                        \
      "send a message and wait for the reply: a1 = info, a2-a5 = words")                         \
    X(28, send, long, 7, NX_IPC_SEND_ARGS,                                                       \
      NX_IPC_SEND_ERRORS NX_E(TIMED_OUT, "no receiver took it by the deadline"),                 \
      "send a message without waiting for a reply; a past deadline still delivers to a "         \
      "receiver already waiting")                                                                \
    X(29, recv, msg, 2, (NX_H(ep, NX_RIGHT_WAIT), NX_V(uint64_t, deadline)),                     \
      NX_HANDLE_ERRORS NX_E(TIMED_OUT) NX_E(PEER_CLOSED, "endpoint closed"),                     \
      "wait for a message: a1 = info, a2-a5 = words, a6 = sender's badge; or a bound "           \
      "notification's bits (info flag NX_MSG_SIGNALS, bits in a2)")                              \
    X(30, reply, long, 5,                                                                        \
      (NX_V(uint64_t, info), NX_V(uint64_t, w0), NX_V(uint64_t, w1), NX_V(uint64_t, w2),         \
       NX_V(uint64_t, w3)),                                                                      \
      NX_E(BAD_STATE, "no call pending") NX_E(PEER_CLOSED, "the caller gave up or died")         \
      NX_IPC_MESSAGE_ERRORS,                                                                     \
      "answer the call this thread received last")                                               \
    X(31, reply_recv, msg, 7,                                                                    \
      (NX_H(ep, NX_RIGHT_WAIT), NX_V(uint64_t, info), NX_V(uint64_t, w0), NX_V(uint64_t, w1),    \
       NX_V(uint64_t, w2), NX_V(uint64_t, w3), NX_V(uint64_t, deadline)),                        \
      NX_HANDLE_ERRORS NX_IPC_MESSAGE_ERRORS NX_E(TIMED_OUT) NX_E(PEER_CLOSED, "endpoint closed"), \
      "reply (if a call is pending), then recv on ep; a reply that cannot be delivered fails "   \
      "the call before anything is received")                                                    \
    X(32, notification_create, long, 0, (), NX_E(NO_MEMORY) NX_E(NO_SPACE),                      \
      "a new notification (a 64-bit signal word, all clear)")                                    \
    X(33, notify_signal, long, 2, (NX_H(notif, NX_RIGHT_SIGNAL), NX_V(uint64_t, bits)),          \
      NX_HANDLE_ERRORS, "OR bits into the word, waking a waiter")                                \
    X(34, notify_wait, msg, 2, (NX_H(notif, NX_RIGHT_WAIT), NX_V(uint64_t, deadline)),           \
      NX_HANDLE_ERRORS NX_E(TIMED_OUT) NX_E(PEER_CLOSED, "the notification was closed"),         \
      "wait until a bit is set, then return the bits in a1 and clear them")                      \
    X(35, notify_poll, msg, 1, (NX_H(notif, NX_RIGHT_WAIT)), NX_HANDLE_ERRORS,                   \
      "return the bits in a1 and clear them, never block")                                       \
    X(36, endpoint_bind, long, 2, (NX_H(ep, NX_RIGHT_WAIT), NX_H(notif, NX_RIGHT_WAIT)),         \
      NX_HANDLE_ERRORS NX_E(BAD_STATE, "notif is bound to another endpoint"),                    \
      "recv on ep also returns when notif has bits; NX_HANDLE_INVALID unbinds, binding again "   \
      "replaces")                                                                                \
    X(37, irq_create, long, 4,                                                                   \
      (NX_H(resource, NX_RIGHT_MANAGE), NX_V(uint64_t, line), NX_H(notif, NX_RIGHT_SIGNAL),      \
       NX_V(uint64_t, bits)),                                                                    \
      NX_HANDLE_ERRORS NX_E(INVALID, "bits 0")                                                   \
      NX_E(ACCESS, "a line the resource does not grant: 0, above the PLIC's sources or 127")     \
      NX_E(BAD_STATE, "line owned") NX_E(NO_MEMORY) NX_E(NO_SPACE),                              \
      "route device interrupt line to bits of notif, one owner per line; after each interrupt "  \
      "the line stays masked until nx_irq_ack")                                                  \
    X(38, irq_ack, long, 1, (NX_H(irq, NX_RIGHT_WRITE)),                                         \
      NX_HANDLE_ERRORS NX_E(BAD_STATE, "no interrupt taken since the creation or the last ack"), \
      "unmask the line after its interrupt was handled")                                         \
    X(39, timer_create, long, 2, (NX_H(notif, NX_RIGHT_SIGNAL), NX_V(uint64_t, bits)),           \
      NX_HANDLE_ERRORS NX_E(INVALID, "bits 0") NX_E(NO_MEMORY) NX_E(NO_SPACE),                   \
      "a disarmed one-shot timer that signals bits on notif when it fires")                      \
    X(40, timer_set, long, 3,                                                                    \
      (NX_H(timer, NX_RIGHT_WRITE), NX_V(uint64_t, deadline), NX_V(uint64_t, slack)),            \
      NX_HANDLE_ERRORS NX_E(INVALID, "slack above 1 s"),                                         \
      "fire once anywhere in [deadline, deadline+slack] (ns); replaces a pending setting; "      \
      "NX_DEADLINE_NEVER disarms")                                                               \
    X(41, timer_cancel, long, 1, (NX_H(timer, NX_RIGHT_WRITE)), NX_HANDLE_ERRORS,                \
      "disarm (no effect if not armed)")                                                         \
    X(42, system_info, long, 1, (NX_V(uint64_t, what)), NX_E(INVALID, "unknown counter"),        \
      "a kernel counter NX_INFO_* (free pages, live handles, timer interrupts, bytes copied...)") \
    X(43, process_info, long, 2,                                                                 \
      (NX_H(proc, NX_RIGHT_READ), NX_P(struct nx_process_info *, info)),                         \
      NX_HANDLE_ERRORS NX_E(BAD_ADDRESS),                                                        \
      "pid, name, state, exit status, budget and pages used, threads, highest priority")         \
    X(44, system_poweroff, long, 1, (NX_H(resource, NX_RIGHT_MANAGE)), NX_HANDLE_ERRORS,         \
      "power the machine off; does not return on success")                                       \
    X(45, vmo_dma, long, 5,                                                                      \
      (NX_H(vmo, NX_RIGHT_DMA | NX_RIGHT_READ), NX_V(uint64_t, offset), NX_V(size_t, size),      \
       NX_P(uint64_t *, paddrs), NX_V(uint64_t, flags)),                                         \
      NX_HANDLE_ERRORS                                                                           \
      NX_E(ACCESS, "NX_DMA_DEVICE_WRITES without WRITE, or on a sealed VMO; a paged VMO "        \
                   "without MANAGE")                                                             \
      NX_E(INVALID, "unaligned, empty, outside the VMO, unknown flags, both flags")               \
      NX_E(TOO_BIG, "over NX_VMO_DMA_MAX pages") NX_E(BAD_ADDRESS, "paddrs not writable")        \
      NX_E(NO_MEMORY, "committing pages over the creator's budget; nothing is committed then")   \
      NX_E(BAD_STATE, "a physical VMO; a paged VMO's page pinned 65535 times, or (RELEASE) "     \
                      "not pinned"),                                                             \
      "commit and pin the pages of [offset, offset+size) and store their physical addresses "    \
      "for a device (NX_DMA_DEVICE_WRITES: the device may write them); NX_DMA_RELEASE: the "     \
      "device is done with the range (a paged VMO's pages unpinned); returns the page count")    \
    X(46, vmo_size, long, 1, (NX_H(vmo, 0)), NX_E(BAD_HANDLE) NX_E(WRONG_TYPE),                  \
      "the VMO's size in bytes (a whole number of pages)")                                       \
    X(47, pager_create, long, 2, (NX_H(notif, NX_RIGHT_SIGNAL), NX_V(uint64_t, bits)),           \
      NX_HANDLE_ERRORS NX_E(INVALID, "bits 0") NX_E(NO_MEMORY) NX_E(NO_SPACE),                   \
      "a pager that signals bits on notif whenever it is sent a request; returns a pager "       \
      "handle (closing the last one fails every wait on its VMOs)")                              \
    X(48, vmo_create_paged, long, 3,                                                             \
      (NX_H(pager, NX_RIGHT_MANAGE), NX_V(size_t, size), NX_V(uint64_t, key)),                   \
      NX_HANDLE_ERRORS NX_E(INVALID, "size 0") NX_E(TOO_BIG, "over 64 GiB")                      \
      NX_E(BAD_STATE, "the pager is dead") NX_E(NO_MEMORY) NX_E(NO_SPACE),                       \
      "a VMO of size bytes whose pages the pager supplies, named key in its requests; returns "  \
      "a VMO handle with MANAGE (the nx_pager_* operations: no other VMO handle has it) "        \
      "besides the usual rights")                \
    X(49, pager_next, long, 2,                                                                   \
      (NX_H(pager, NX_RIGHT_READ), NX_P(struct nx_pager_request *, req)),                        \
      NX_HANDLE_ERRORS NX_E(NOT_FOUND, "no request pending") NX_E(BAD_ADDRESS),                  \
      "take the oldest pending request {key, offset, length} into *req (never blocks)")          \
    X(50, pager_supply, long, 3,                                                                 \
      (NX_H(vmo, NX_RIGHT_MANAGE), NX_V(uint64_t, offset), NX_V(size_t, size)),                  \
      NX_HANDLE_ERRORS NX_E(INVALID, "unaligned, empty, outside the VMO") NX_PAGER_STATE_ERROR,  \
      "the pages of [offset, offset+size) are ready: clients see them, waiters retry")           \
    X(51, pager_fail, long, 4,                                                                   \
      (NX_H(vmo, NX_RIGHT_MANAGE), NX_V(uint64_t, offset), NX_V(size_t, size),                   \
       NX_V(int64_t, error)),                                                                    \
      NX_HANDLE_ERRORS                                                                           \
      NX_E(INVALID, "unaligned, empty, outside the VMO; error not IO, NOT_FOUND, PEER_CLOSED")   \
      NX_PAGER_STATE_ERROR,                                                                      \
      "touches of the pages of [offset, offset+size) fail with error until supplied or "         \
      "decommitted (a fault ends the process, a syscall returns error); waiters get it; the "    \
      "pages are unmapped everywhere and freed, dirty or not (pinned ones stay committed)")      \
    X(52, pager_decommit, long, 3,                                                               \
      (NX_H(vmo, NX_RIGHT_MANAGE), NX_V(uint64_t, offset), NX_V(size_t, size)),                  \
      NX_HANDLE_ERRORS NX_E(INVALID, "unaligned, empty, outside the VMO")                        \
      NX_E(BAD_STATE, "a page is dirty or pinned (nx_vmo_dma)") NX_PAGER_STATE_ERROR,            \
      "free the pages of [offset, offset+size) and unmap them everywhere: the next touch "       \
      "requests them again")                                                                     \
    X(53, pager_dirty, long, 4, NX_PAGER_BITMAP_ARGS, NX_PAGER_BITMAP_ERRORS,                    \
      "bit i of bitmap (size/4096 bits) says page i of the range was written since last asked; " \
      "clears that and write-protects the pages again; returns how many were dirty")             \
    X(54, pager_accessed, long, 4, NX_PAGER_BITMAP_ARGS, NX_PAGER_BITMAP_ERRORS,                 \
      "bit i of bitmap (size/4096 bits) says page i of the range was touched (read or written, " \
      "through a mapping or a syscall) since last asked; clears that and unmaps the pages "      \
      "everywhere (the next touch marks them again); returns how many were touched")          \
    X(55, thread_set_affinity, long, 2, (NX_H(thread, NX_RIGHT_MANAGE), NX_V(uint64_t, harts)), \
      NX_HANDLE_ERRORS NX_E(INVALID, "harts names no hart that is running")                      \
      NX_E(BAD_STATE, "the thread has ended"),                                                   \
      "let the thread run only on the harts whose bits are set in harts (bit i: hart i of "      \
      "NX_INFO_HARTS; bits of harts not running are ignored); NX_HANDLE_INVALID: the calling "   \
      "thread (needs no right: it only narrows itself); it moves at once if its hart is left")  \
    X(56, system_power_mode, long, 2, (NX_H(resource, NX_RIGHT_WRITE), NX_V(uint64_t, mode)),    \
      NX_HANDLE_ERRORS NX_E(INVALID, "mode not an NX_POWER_* mode"),                             \
      "set the power mode NX_POWER_* (docs/settings.md): the least slack of every user timer "   \
      "and deadline, and whether idle harts poll before they halt; returns the mode before")   \
    X(57, process_tree, long, 3,                                                                 \
      (NX_H(proc, NX_RIGHT_READ), NX_P(uint32_t *, pids), NX_V(size_t, cap)),                    \
      NX_HANDLE_ERRORS NX_E(TOO_BIG, "cap above NX_PROCESS_TREE_MAX")                            \
      NX_E(BAD_ADDRESS, "pids not writable"),                                                    \
      "the pids of the process's tree (itself, then every live process it created and theirs, " \
      "pre-order) into pids[0, cap); returns how many the tree has (more than cap: the rest "   \
      "left out)")                                                                              \
    X(58, process_descendant, long, 3,                                                           \
      (NX_H(proc, NX_RIGHT_READ), NX_V(uint64_t, pid), NX_V(uint64_t, rights)),                 \
      NX_HANDLE_ERRORS NX_E(INVALID, "rights not NX_RIGHT_* bits")                              \
      NX_E(NOT_FOUND, "no live process of that pid in proc's tree")                             \
      NX_E(NO_SPACE, "the handle table is full"),                                               \
      "a handle with rights (proc's handle must hold each, with READ: rights only shrink) to "  \
      "the process of that pid in proc's tree (see process_tree); proc's own pid gives proc")  \
    X(59, vmo_commit, long, 3,                                                                   \
      (NX_H(vmo, NX_RIGHT_WRITE), NX_V(uint64_t, offset), NX_V(size_t, len)),                    \
      NX_HANDLE_ERRORS NX_E(ACCESS, "the VMO is sealed") NX_E(TOO_BIG, "len > NX_VMO_RW_MAX")    \
      NX_E(INVALID, "range outside the VMO") NX_E(BAD_STATE, "a paged VMO (its pager commits)") \
      NX_E(NO_MEMORY, "pages over the creator's budget; nothing is committed then"),             \
      "commit the pages of [offset, offset+len) as nx_vmo_write would, copying nothing: a "     \
      "fresh page is zeros, a committed one keeps its bytes (a clone's borrowed page is "       \
      "copied from its parent); so that touching them later cannot fail")

// What pager_dirty and pager_accessed share: a range of a paged VMO and a bitmap of its pages.
#define NX_PAGER_BITMAP_ARGS                                                                     \
    (NX_H(vmo, NX_RIGHT_MANAGE), NX_V(uint64_t, offset), NX_V(size_t, size),                     \
     NX_P(uint8_t *, bitmap))
#define NX_PAGER_BITMAP_ERRORS                                                                   \
    NX_HANDLE_ERRORS NX_E(INVALID, "unaligned, empty, outside the VMO")                          \
    NX_E(TOO_BIG, "over NX_PAGER_DIRTY_MAX pages") NX_E(BAD_ADDRESS, "bitmap not writable")      \
    NX_PAGER_STATE_ERROR
// A pager operation's changes to the per-page state (a sparse array: docs/abi.md, "Pagers").
#define NX_PAGER_STATE_ERROR                                                                     \
    NX_E(NO_MEMORY, "a node of the page state over the VMO's budget; nothing changed")

// A client's touch of a paged VMO's page (docs/abi.md, "Pagers"): also the errors of any
// syscall whose user buffer lies in a mapping of one.
#define NX_PAGER_ERRORS                                                                          \
    NX_E(TIMED_OUT, "a paged VMO's page not supplied within 5 s")                                \
    NX_E(PEER_CLOSED, "its pager is gone or gave the page up")                                   \
    NX_E(NO_SPACE, "its pager's request queue is full")                                          \
    NX_E(IO, "the pager failed the page") NX_E(NOT_FOUND, "the pager has no such page (past the end of a file)")

// What call, send and reply_recv share: the arguments, and the errors of a message.
#define NX_IPC_SEND_ARGS                                                                         \
    (NX_H(ep, NX_RIGHT_SIGNAL), NX_V(uint64_t, info), NX_V(uint64_t, w0), NX_V(uint64_t, w1),    \
     NX_V(uint64_t, w2), NX_V(uint64_t, w3), NX_V(uint64_t, deadline))
#define NX_IPC_MESSAGE_ERRORS                                                                    \
    NX_E(INVALID, "info flag bits; a handle sent twice")                                         \
    NX_E(TOO_BIG, "nbytes > NX_MSG_BYTES_MAX, nhandles > NX_MSG_HANDLES_MAX")                    \
    NX_E(BAD_HANDLE, "a handle sent") NX_E(WRONG_TYPE, "a handle sent")                          \
    NX_E(ACCESS, "a handle sent lacks TRANSFER (a copy: DUPLICATE) or would gain rights")        \
    NX_E(NO_SPACE, "the receiver's table is full")
#define NX_IPC_SEND_ERRORS                                                                       \
    NX_HANDLE_ERRORS NX_IPC_MESSAGE_ERRORS                                                       \
    NX_E(PEER_CLOSED, "endpoint closed, or the server dropped the call or died")

#if !defined(__ASSEMBLER__)  // the rest is C; trap.S takes only the list
#include <stddef.h>
#include <stdint.h>
#include <nexus/errors.h>

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
    // The hart each thread last ran on (NX_HART_NONE: not yet), oldest thread first.
    uint8_t thread_hart[64];  // NX_PROCESS_MAX_THREADS
};
#define NX_HART_NONE 0xff

// Threads one process may have at once (each has one IPC buffer page in NX_IPC_BUFFER area).
#define NX_PROCESS_MAX_THREADS 64
// Exit watches one process may have at once (nx_process_watch by distinct notifications).
#define NX_PROCESS_MAX_WATCHES 32
// The most pids one nx_process_tree call returns.
#define NX_PROCESS_TREE_MAX 4096

// nx_vm_map / nx_vm_protect protections.
#define NX_PROT_READ  1u
#define NX_PROT_WRITE 2u
#define NX_PROT_EXEC  4u

// Longest nx_vmo_read / nx_vmo_write.
#define NX_VMO_RW_MAX 16384

// nx_vmo_dma: most pages per call, and its flag (without it the device only reads the pages).
#define NX_VMO_DMA_MAX 32
#define NX_DMA_DEVICE_WRITES 1u
// nx_vmo_dma flag: the device is done with the range (paddrs unused): a paged VMO's pages may
// be decommitted again once every range holding them is released.
#define NX_DMA_RELEASE 2u

// nx_pager_next: one request, byte offsets (pages of the VMO named key).
struct nx_pager_request {
    uint64_t key;
    uint64_t offset;
    uint64_t length;
};

// nx_pager_dirty, nx_pager_accessed: most pages per call.
#define NX_PAGER_DIRTY_MAX 2048

// nx_system_info counters.
enum nx_info {
    NX_INFO_FREE_PAGES = 0,     // pages the page allocator has free
    NX_INFO_LIVE_HANDLES = 1,   // handles in every table
    NX_INFO_TIMER_IRQS = 2,     // timer interrupts taken since boot
    NX_INFO_BYTES_COPIED = 3,   // payload bytes the kernel copied (IPC bytes, vmo_read/write, COW)
    NX_INFO_LIVE_PROCESSES = 4, // processes not yet ended
    NX_INFO_LIVE_OBJECTS = 5,   // kernel objects not yet freed
    NX_INFO_TOTAL_PAGES = 6,    // pages the page allocator manages (free + used)
    NX_INFO_IDLE_INSTRET = 7,   // instret the harts spent halted in WFI (virtual time under icount)
    NX_INFO_HARTS = 8,          // harts the kernel schedules on (hart i: bit i of an affinity)
    NX_INFO_IPIS_SENT = 9,      // inter-processor interrupts sent since boot, all harts
    NX_INFO_POWER_MODE = 10,    // the power mode NX_POWER_* (nx_system_power_mode)
    NX_INFO_COUNT
};

// Power modes (nx_system_power_mode, docs/settings.md). Each sets the least slack the kernel
// gives a user timer or a deadline of a blocking call: a timer set for [deadline, deadline +
// slack] fires within [deadline, deadline + max(slack, least)], so more of them share an
// interrupt. In performance mode an idle hart also polls for work for a while before it halts.
enum nx_power_mode {
    NX_POWER_PERFORMANCE = 0,   // no least slack; idle harts poll NX_POWER_IDLE_POLL_NS first
    NX_POWER_BALANCED = 1,      // 1 ms; idle harts halt at once (the mode the kernel boots in)
    NX_POWER_SAVER = 2,         // 50 ms; idle harts halt at once
    NX_POWER_MODES
};
#define NX_POWER_SLACK_BALANCED_NS 1000000ULL
#define NX_POWER_SLACK_SAVER_NS    50000000ULL
#define NX_POWER_IDLE_POLL_NS      50000ULL

// Per-hart counters: nx_system_info(NX_INFO_HART(i, NX_HART_*)) for hart i < NX_INFO_HARTS.
#define NX_INFO_HART(hart, what) (0x100u + (hart) * 16u + (what))
enum nx_hart_info {
    NX_HART_BUSY_NS = 0,      // time spent running threads (not halted)
    NX_HART_IDLE_NS = 1,      // time spent halted in WFI
    NX_HART_IPIS_SENT = 2,    // IPIs this hart sent
    NX_HART_IPIS_TAKEN = 3,   // IPIs this hart received
    NX_HART_TIMER_IRQS = 4,   // its timer interrupts
    NX_HART_HAND_OFFS = 5,    // IPC hand-offs it did without the exclusive kernel lock
    NX_HART_SHARED_MAPS = 6,  // vm_map and vm_unmap calls it did without that lock
    NX_HART_INFO_COUNT
};

enum nx_syscall_number {
#define NX_SYSCALL_ENUM(num, name, ...) NX_SYS_##name = num,
    NX_SYSCALLS(NX_SYSCALL_ENUM)
#undef NX_SYSCALL_ENUM
    NX_SYSCALL_COUNT
};

// Every error syscall num can return, as a mask of bits 1 << -code (tests check results
// against it); an unknown number returns NX_ERR_BAD_SYSCALL.
#define NX_ERROR_BIT(code) (1u << -(code))
#define NX_E(code, ...) | NX_ERROR_BIT(NX_ERR_##code)
static inline uint32_t nx_syscall_errors(uint64_t num)
{
    switch (num) {
#define NX_SYSCALL_ERRORS(num, name, result, nargs, args, errors, doc) case num: return 0 errors;
    NX_SYSCALLS(NX_SYSCALL_ERRORS)
#undef NX_SYSCALL_ERRORS
    default: return NX_ERROR_BIT(NX_ERR_BAD_SYSCALL);
    }
}

// Applying F to each argument of an entry: NX_ARGS_LIST(nargs, F, args) separates the
// results with commas (a parameter list: void when there is none), NX_ARGS_SEQ does not.
// F(a) pastes, e.g. #define F(a) F_##a, and F_NX_H(name, rights) etc. say what each kind gives.
#define NX_ARGS_LIST(n, F, args) NX_APPLY(NX_LIST_##n, F, NX_UNPAREN args)
#define NX_ARGS_SEQ(n, F, args) NX_APPLY(NX_SEQ_##n, F, NX_UNPAREN args)
#define NX_APPLY(m, ...) m(__VA_ARGS__)
#define NX_UNPAREN(...) __VA_ARGS__
#define NX_LIST_0(F, ...) void
#define NX_LIST_1(F, a) F(a)
#define NX_LIST_2(F, a, b) F(a), F(b)
#define NX_LIST_3(F, a, b, c) F(a), F(b), F(c)
#define NX_LIST_4(F, a, b, c, d) F(a), F(b), F(c), F(d)
#define NX_LIST_5(F, a, b, c, d, e) F(a), F(b), F(c), F(d), F(e)
#define NX_LIST_6(F, a, b, c, d, e, f) F(a), F(b), F(c), F(d), F(e), F(f)
#define NX_LIST_7(F, a, b, c, d, e, f, g) F(a), F(b), F(c), F(d), F(e), F(f), F(g)
#define NX_SEQ_0(F, ...)
#define NX_SEQ_1(F, a) F(a)
#define NX_SEQ_2(F, a, b) F(a) F(b)
#define NX_SEQ_3(F, a, b, c) F(a) F(b) F(c)
#define NX_SEQ_4(F, a, b, c, d) F(a) F(b) F(c) F(d)
#define NX_SEQ_5(F, a, b, c, d, e) F(a) F(b) F(c) F(d) F(e)
#define NX_SEQ_6(F, a, b, c, d, e, f) F(a) F(b) F(c) F(d) F(e) F(f)
#define NX_SEQ_7(F, a, b, c, d, e, f, g) F(a) F(b) F(c) F(d) F(e) F(f) F(g)
#endif  // !__ASSEMBLER__

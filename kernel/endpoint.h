#pragma once
// Endpoints: synchronous IPC. A message (label, NX_MSG_WORDS words in registers, up to
// NX_MSG_BYTES_MAX bytes and NX_MSG_HANDLES_MAX handles from the IPC buffer, see
// include/nexus/ipc.h) passes only when a sender and a receiver meet on an endpoint; whichever
// arrives second moves it. A call also makes the receiver owe the caller a reply.
#include <stdint.h>
#include "object.h"
#include "waitq.h"

struct notification;
struct process;
struct thread;

// No locking: single hart, interrupts off in the kernel.
struct endpoint {
    struct kobject obj;
    struct waitq senders;        // threads blocked in call or send, oldest first
    struct waitq receivers;      // threads blocked in recv or reply_recv, oldest first
    struct notification *notif;  // bound notification (we hold a reference), or NULL
    struct process *owner;       // the process whose budget pays for the endpoint's page
};

// Payload bytes IPC has copied between IPC buffers since boot (NX_INFO_BYTES_COPIED).
extern uint64_t endpoint_bytes_copied;

// The bound notification of ep got bits: hand them to a thread blocked in recv on ep, if any
// (called by notification_signal; the bits stay in the notification otherwise).
void endpoint_notify(struct endpoint *ep);
// Cut t's IPC links as t dies; called by thread_kill after sched_cancel_wait(t) took t off
// whatever it waited on. A caller t owed a reply to is woken with NX_ERR_PEER_CLOSED.
void endpoint_thread_exit(struct thread *t);

// System calls (include/nexus/syscall.h documents them; docs/abi.md lists every error).
// Arguments are whole registers: a handle with bits above 31 set is refused, not truncated.
long sys_endpoint_create(void);
long sys_endpoint_mint(uint64_t ep, uint64_t badge, uint64_t rights);
long sys_endpoint_bind(uint64_t ep, uint64_t notif);
long sys_call(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
              uint64_t deadline);
long sys_send(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
              uint64_t deadline);
long sys_recv(uint64_t ep, uint64_t deadline);
long sys_reply(uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);
long sys_reply_recv(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                    uint64_t w3, uint64_t deadline);

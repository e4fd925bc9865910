#pragma once
// Endpoints: synchronous IPC. A message (label, NX_MSG_WORDS words in registers, up to
// NX_MSG_BYTES_MAX bytes and NX_MSG_HANDLES_MAX handles from the IPC buffer, see
// include/nexus/ipc.h) passes only when a sender and a receiver meet on an endpoint; whichever
// arrives second moves it. A call also makes the receiver owe the caller a reply.
#include <stdint.h>
#include "object.h"
#include "spinlock.h"
#include "waitq.h"

struct notification;
struct process;
struct thread;

// Locking (docs/smp.md): under the big lock held exclusive, nothing else runs in the kernel.
// The shared IPC paths (endpoint_fastpath.h) change only the receivers, under `lock`.
struct endpoint {
    struct kobject obj;
    struct waitq senders;        // threads blocked in call or send, oldest first
    struct waitq receivers;      // threads blocked in recv or reply_recv, oldest first
    struct spinlock lock;        // the receivers, between shared paths
    struct notification *notif;  // bound notification (we hold a reference), or NULL
    bool signals_last;           // the last receive took the notification's bits (take_message)
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

// A new endpoint charged to owner, with one reference for the caller. NX_ERR_NO_MEMORY.
int endpoint_create(struct process *owner, struct endpoint **out);
// Bind n to ep (NULL: unbind), so that n's signals also wake a receiver on ep. NX_ERR_BAD_STATE
// if n is bound to another endpoint.
int endpoint_bind(struct endpoint *ep, struct notification *n);

// IPC of the current thread on ep, which it reached through a handle with `badge` and the
// right the operation needs (SIGNAL to send or call, WAIT to receive); info was checked by
// the syscall layer. Each returns the syscall's result and leaves a1..a6 in
// current_thread->out.
long endpoint_send(struct endpoint *ep, uint32_t badge, uint64_t info, uint64_t w0,
                   uint64_t w1, uint64_t w2, uint64_t w3, uint64_t deadline);
long endpoint_call(struct endpoint *ep, uint32_t badge, uint64_t info, uint64_t w0,
                   uint64_t w1, uint64_t w2, uint64_t w3, uint64_t deadline);
long endpoint_recv(struct endpoint *ep, uint64_t deadline);
long endpoint_reply(uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);
long endpoint_reply_recv(struct endpoint *ep, uint64_t info, uint64_t w0, uint64_t w1,
                         uint64_t w2, uint64_t w3, uint64_t deadline);

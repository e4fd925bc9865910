#pragma once
// The IPC fast paths (like seL4's), shared by endpoint.c, whose general paths use the same
// steps, and endpoint_syscalls.c, where they are inlined into sys_call and sys_reply_recv:
// a register-only call to a waiting server then costs the stores below and a direct switch,
// in code that calls nothing (it ends in tail calls) and so saves no registers.
// Only those two files include this header.
#include <stdbool.h>
#include <stdint.h>
#include <nexus/ipc.h>
#include <nexus/syscall.h>
#include "endpoint.h"
#include "notification.h"
#include "sched.h"
#include "thread.h"
#include "waitq.h"

// The unblock functions (sched.h) of a caller awaiting its reply, and of a thread queued on
// an endpoint.
void endpoint_give_up_call(struct thread *caller);
void endpoint_leave(struct thread *t);

// What a receiving syscall returns in a1..a6: info, the words, the sender's badge.
static inline void endpoint_put_words(struct thread *to, uint64_t info, uint64_t w0,
                                      uint64_t w1, uint64_t w2, uint64_t w3, uint64_t badge)
{
    to->out[0] = info;
    to->out[1] = w0;
    to->out[2] = w1;
    to->out[3] = w2;
    to->out[4] = w3;
    to->out[5] = badge;
}

// server received caller's call and owes it a reply. It did so in a receive, which cleared
// caller_gone: the flag is only ever set while caller is NULL.
static inline void endpoint_hold_call(struct thread *server, struct thread *caller)
{
    server->caller = caller;
    caller->server = server;
}

static inline void endpoint_end_call(struct thread *server, struct thread *caller)
{
    server->caller = NULL;
    caller->server = NULL;
}

static inline bool endpoint_has_signals(const struct endpoint *ep)
{
    return ep->notif && ep->notif->bits;
}

// Queue self on q (an endpoint's senders or receivers); its unblock is endpoint_leave.
static inline void endpoint_enqueue(struct thread *self, struct waitq *q)
{
    self->wait_queue = q;
    waitq_push(q, self);
}

// server, just taken off the receivers with the current thread's call delivered, runs at
// once on this hart without passing through the run queue; its reply_recv switches back the
// same way.
static inline long endpoint_run_server(struct thread *server, uint64_t deadline)
{
    endpoint_hold_call(server, current_thread);
    server->wait_result = NX_OK;
    return sched_block_switch(server, deadline, endpoint_give_up_call);
}

// Nothing for self on ep: wait in line. `replied`, if not NULL, is a caller whose reply self
// just delivered: the CPU goes straight to it (the reply fast path).
static inline long endpoint_wait_message(struct thread *self, struct endpoint *ep,
                                         uint64_t deadline, struct thread *replied)
{
    endpoint_enqueue(self, &ep->receivers);
    if (!replied)
        return sched_block(deadline, endpoint_leave);
    replied->wait_result = NX_OK;
    return sched_block_switch(replied, deadline, endpoint_leave);
}

// r, first in ep's receivers, takes a call without a deadline (its payload, if any, already
// moved): off the queue, the words in, the hart to it.
static inline long endpoint_call_to(struct endpoint *ep, struct thread *r, uint64_t badge,
                                    uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                                    uint64_t w3)
{
    waitq_pop(&ep->receivers);
    info |= NX_MSG_CALL;
    endpoint_put_words(r, info, w0, w1, w2, w3, badge);
    endpoint_hold_call(r, current_thread);
    r->wait_result = NX_OK;
    return sched_ipc_switch(endpoint_give_up_call, info, w0, w1, w2, w3, badge, r);
}

// The reply to c, self's caller (its payload, if any, already moved), then the receive: when
// nothing else waits on ep, the hart goes straight to c.
static inline long endpoint_reply_to(struct endpoint *ep, struct thread *c, uint64_t info,
                                     uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                                     uint64_t deadline)
{
    struct thread *self = current_thread;
    endpoint_put_words(c, info, w0, w1, w2, w3, 0);
    endpoint_end_call(self, c);  // self's caller_gone stays false: c was set
    if (deadline != NX_DEADLINE_NEVER)
        return endpoint_wait_message(self, ep, deadline, c);
    endpoint_enqueue(self, &ep->receivers);
    c->wait_result = NX_OK;
    return sched_ipc_switch(endpoint_leave, info, w0, w1, w2, w3, 0, c);
}

// endpoint_call_fast and endpoint_reply_recv_fast with a payload: out of line (the payload
// needs a stack frame, which a message of registers only then does not pay for).
long endpoint_call_payload(struct endpoint *ep, uint64_t badge, uint64_t info, uint64_t w0,
                           uint64_t w1, uint64_t w2, uint64_t w3);
long endpoint_reply_recv_payload(struct endpoint *ep, uint64_t info, uint64_t w0, uint64_t w1,
                                 uint64_t w2, uint64_t w3, uint64_t deadline);

// A call without a deadline (info checked: a payload is all it can have above bit 31):
// straight to a server blocked in recv if there is one, else the general path.
static inline long endpoint_call_fast(struct endpoint *ep, uint64_t badge, uint64_t info,
                                      uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
    struct thread *r = ep->receivers.head;
    if (!r)
        return endpoint_call(ep, badge, info, w0, w1, w2, w3, NX_DEADLINE_NEVER);
    if (info >> 32)
        return endpoint_call_payload(ep, badge, info, w0, w1, w2, w3);
    return endpoint_call_to(ep, r, badge, info, w0, w1, w2, w3);
}

// The way back (info checked, as above): a reply to a caller, on an endpoint where nothing
// else waits to be received, switches straight to the caller. Anything else, the general
// path.
static inline long endpoint_reply_recv_fast(struct endpoint *ep, uint64_t info, uint64_t w0,
                                            uint64_t w1, uint64_t w2, uint64_t w3,
                                            uint64_t deadline)
{
    struct thread *c = current_thread->caller;
    if (!c || !waitq_empty(&ep->senders) || endpoint_has_signals(ep))
        return endpoint_reply_recv(ep, info, w0, w1, w2, w3, deadline);
    if (info >> 32)
        return endpoint_reply_recv_payload(ep, info, w0, w1, w2, w3, deadline);
    return endpoint_reply_to(ep, c, info, w0, w1, w2, w3, deadline);
}

// ---- under the big lock held shared (docs/smp.md) ----
// Paths on several harts meet here only on an endpoint's receivers (ep->lock): the senders,
// the bound notification's bits, and the scheduling fields sched_may_hand_off reads change
// only under the exclusive lock. Each returns false, having changed nothing, when the general
// path must run instead; true with the syscall's result in *result.

// A call of registers only, without a deadline, to a receiver that can take the hart at once.
static inline bool endpoint_call_shared(struct endpoint *ep, uint32_t badge, uint64_t info,
                                        uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                                        long *result)
{
    struct thread *self = current_thread;
    spin_lock(&ep->lock);
    struct thread *r = ep->receivers.head;
    if (!r || !sched_may_hand_off(r)) {
        spin_unlock(&ep->lock);
        return false;
    }
    waitq_pop(&ep->receivers);
    spin_unlock(&ep->lock);
    endpoint_put_words(r, info | NX_MSG_CALL, w0, w1, w2, w3, badge);
    sched_block_for_hand_off(endpoint_give_up_call);
    endpoint_hold_call(r, self);
    r->wait_result = NX_OK;
    *result = sched_hand_off(r);
    return true;
}

// A reply of registers only, then a receive without a deadline on an endpoint where nothing
// waits to be received: straight to the caller, which can take the hart at once.
static inline bool endpoint_reply_recv_shared(struct endpoint *ep, uint64_t info, uint64_t w0,
                                              uint64_t w1, uint64_t w2, uint64_t w3,
                                              long *result)
{
    struct thread *self = current_thread, *c = self->caller;
    if (!c || !waitq_empty(&ep->senders) || endpoint_has_signals(ep) || !sched_may_hand_off(c))
        return false;
    endpoint_put_words(c, info, w0, w1, w2, w3, 0);
    endpoint_end_call(self, c);
    c->wait_result = NX_OK;
    sched_block_for_hand_off(endpoint_leave);
    self->wait_queue = &ep->receivers;
    spin_lock(&ep->lock);
    waitq_push(&ep->receivers, self);
    spin_unlock(&ep->lock);
    *result = sched_hand_off(c);
    return true;
}

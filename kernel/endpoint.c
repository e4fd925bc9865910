// Endpoints: synchronous IPC with a direct-switch fast path.
//
// Whichever side arrives second moves the message: a sender that finds a receiver blocked on
// the endpoint copies straight into it; a receiver that finds a sender queued copies out of
// it. A blocked thread never does anything when it wakes but return its wait_result, so all
// data movement (and every error it can raise) belongs to the running thread, which can
// report the error to its own caller. A thread's IPC state is one of:
//
//   queued sender     on ep->senders, message in t->msg, badge in t->badge (unblock: leave)
//   queued receiver   on ep->receivers (unblock: leave)
//   awaiting a reply  t->server = S and S->caller = t (unblock: give_up_call)
//
// plus, independently, "owes a reply" (t->caller set) for a server that received a call.
// A killed or timed-out thread leaves its state through its unblock function; a killed server
// lets its caller go through endpoint_thread_exit.
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/ipc.h>
#include <nexus/syscall.h>
#include "endpoint.h"
#include "clock.h"
#include "endpoint_fastpath.h"
#include "handle.h"
#include "lib/string.h"
#include "notification.h"
#include "process.h"
#include "sched.h"
#include "thread.h"

_Static_assert(sizeof(struct endpoint) <= 128, "an endpoint takes a 128-byte slab slot (slab.h)");

uint64_t endpoint_bytes_copied;

// The bits that say a message has bytes or handles beyond its registers.
#define INFO_PAYLOAD_MASK NX_MSG_INFO(0, 0xffff, 0xf)

// ---- lifetime ----

static void wake_all(struct waitq *q, long result)
{
    struct thread *t;
    while ((t = waitq_pop(q)))
        sched_wake(t, result);
}

static void unbind(struct endpoint *ep)
{
    struct notification *n = ep->notif;
    if (!n)
        return;
    ep->notif = NULL;
    n->bound = NULL;
    kobject_unref(&n->obj);
}

static void endpoint_destroy(struct kobject *obj)
{
    struct endpoint *ep = (struct endpoint *)obj;
    wake_all(&ep->senders, NX_ERR_PEER_CLOSED);
    wake_all(&ep->receivers, NX_ERR_PEER_CLOSED);
    unbind(ep);
    process_free_object(ep->owner, ep, sizeof(*ep));
}

int endpoint_create(struct process *owner, struct endpoint **out)
{
    struct endpoint *ep = process_alloc_object(owner, sizeof(*ep));
    if (!ep)
        return NX_ERR_NO_MEMORY;
    kobject_init(&ep->obj, NX_OBJ_ENDPOINT, endpoint_destroy);
    ep->owner = owner;
    *out = ep;
    return NX_OK;
}

// ---- bound notifications ----

// Give t the bits of ep's notification instead of a message.
static void deliver_signals(struct thread *t, struct endpoint *ep)
{
    t->out[0] = NX_MSG_SIGNALS;
    t->out[1] = notification_take(ep->notif);
    t->out[2] = t->out[3] = t->out[4] = t->out[5] = 0;
    ep->signals_last = true;
}

void endpoint_notify(struct endpoint *ep)
{
    struct thread *r = waitq_pop(&ep->receivers);
    if (r) {
        deliver_signals(r, ep);
        sched_wake(r, NX_OK);
    }
}

int endpoint_bind(struct endpoint *ep, struct notification *n)
{
    if (n && n->bound)  // a notification wakes one endpoint's receivers at most
        return n->bound == ep ? NX_OK : NX_ERR_BAD_STATE;
    unbind(ep);
    if (n) {
        kobject_ref(&n->obj);
        ep->notif = n;
        n->bound = ep;
        if (n->bits)
            endpoint_notify(ep);
    }
    return NX_OK;
}

// ---- moving a message ----

// Check that `from` may send its n handles (to `to`'s process; NULL: to anyone, for a sender
// about to queue); if `to` is given, move or copy them and tell `to` what it got.
static inline int move_handles(struct thread *from, uint32_t n, struct thread *to)
{
    if (!to)
        return handle_transfer_message(from->proc->handles, from->ipc, n, NULL, NULL);
    return handle_transfer_message(from->proc->handles, from->ipc, n, to->proc->handles,
                                   to->ipc);
}

static inline void move_bytes(struct thread *from, uint32_t nbytes, struct thread *to)
{
    if (nbytes) {
        memcpy(to->ipc->bytes, from->ipc->bytes, nbytes);
        endpoint_bytes_copied += nbytes;
    }
}

// Move the handles and bytes `info` (checked) announces from `from`'s IPC buffer to `to`'s.
// All or nothing: on an error (a handle `from` may not send, no room in `to`'s table)
// nothing has changed. The bytes go last: nothing can fail after them.
static inline int move_payload(struct thread *from, uint64_t info, struct thread *to)
{
    uint32_t nhandles = NX_MSG_NHANDLES(info);
    int err = nhandles ? move_handles(from, nhandles, to) : NX_OK;
    if (err)
        return err;
    move_bytes(from, NX_MSG_NBYTES(info), to);
    return NX_OK;
}

// The payload fast paths keep a message's words in self->msg (self runs: it is no queued
// sender) while the payload moves: kept in registers, they would need as many saved.
static inline void stash_words(struct thread *self, uint64_t info, uint64_t w0, uint64_t w1,
                               uint64_t w2, uint64_t w3)
{
    self->msg[0] = info;
    self->msg[1] = w0;
    self->msg[2] = w1;
    self->msg[3] = w2;
    self->msg[4] = w3;
}

// move_payload for a message stashed in self->msg, to the thread *peer names: after the
// handles (a call), the peer and the byte count are read again, not kept in saved registers.
static inline int move_stashed_payload(struct thread *self, struct thread *const *peer)
{
    uint32_t nhandles = NX_MSG_NHANDLES(self->msg[0]);
    if (nhandles) {
        int err = move_handles(self, nhandles, *peer);
        if (err)
            return err;
    }
    move_bytes(self, NX_MSG_NBYTES(self->msg[0]), *peer);
    return NX_OK;
}

// The general paths' move_payload, out of line so that a register-only message pays
// nothing for it (not even the stack frame it needs).
static __attribute__((noinline)) int move_payload_out_of_line(struct thread *from,
                                                              uint64_t info, struct thread *to)
{
    return move_payload(from, info, to);
}

// Move the message msg (info and words, laid out as thread.msg) sent by `from` through a
// handle with `badge` into `to`: handles and bytes between their IPC buffers, info, words and
// badge into to->out. All or nothing. Inline, so that a message built from syscall arguments
// goes from registers straight into to->out.
static inline int deliver(struct thread *from, const uint64_t *msg, uint64_t badge,
                          struct thread *to)
{
    uint64_t info = msg[0];
    if (info & INFO_PAYLOAD_MASK) {
        int err = move_payload_out_of_line(from, info, to);
        if (err)
            return err;
    }
    endpoint_put_words(to, info, msg[1], msg[2], msg[3], msg[4], badge);
    return NX_OK;
}

// ---- calls and replies ----

// unblock of a caller awaiting its reply (deadline passed, or killed): the server's reply
// will find nobody.
void endpoint_give_up_call(struct thread *caller)
{
    struct thread *server = caller->server;
    endpoint_end_call(server, caller);
    server->caller_gone = true;
}

// server will never reply (it receives again, or dies): its caller gets NX_ERR_PEER_CLOSED.
static void drop_reply(struct thread *server)
{
    struct thread *caller = server->caller;
    if (caller) {
        endpoint_end_call(server, caller);
        sched_wake(caller, NX_ERR_PEER_CLOSED);
    }
}

void endpoint_thread_exit(struct thread *t)
{
    drop_reply(t);
}

// ---- waiting in line ----

void endpoint_leave(struct thread *t)
{
    waitq_remove(t->wait_queue, t);
}

static bool deadline_passed(uint64_t deadline)
{
    return deadline != NX_DEADLINE_NEVER && deadline <= clock_now();
}

// ---- sending ----

// No receiver is waiting: check the message's handles now (so a bad one fails at once, not
// when a receiver comes), then wait in line with the message in self->msg.
static long queue_sender(struct thread *self, struct endpoint *ep, const uint64_t *msg,
                         uint32_t badge, uint64_t deadline)
{
    uint32_t nhandles = NX_MSG_NHANDLES(msg[0]);
    int err = nhandles ? move_handles(self, nhandles, NULL) : NX_OK;
    if (err)
        return err;
    memcpy(self->msg, msg, sizeof(self->msg));
    self->badge = badge;
    endpoint_enqueue(self, &ep->senders);
    return sched_block(deadline, endpoint_leave);
}

// Send msg to the first receiver blocked on ep, which is taken off the queue and returned in
// *r; or queue self and block, *r = NULL.
static long send(struct endpoint *ep, uint32_t badge, const uint64_t *msg, uint64_t deadline,
                 struct thread **r)
{
    struct thread *self = current_thread;
    *r = NULL;
    struct thread *t = ep->receivers.head;
    if (!t)
        return queue_sender(self, ep, msg, badge, deadline);
    int err = deliver(self, msg, badge, t);
    if (err)
        return err;
    waitq_remove(&ep->receivers, t);
    *r = t;
    return NX_OK;
}

long endpoint_send(struct endpoint *ep, uint32_t badge, uint64_t info, uint64_t w0,
                   uint64_t w1, uint64_t w2, uint64_t w3, uint64_t deadline)
{
    uint64_t msg[1 + NX_MSG_WORDS] = { info, w0, w1, w2, w3 };
    struct thread *r;
    long err = send(ep, badge, msg, deadline, &r);
    if (r)
        sched_wake(r, NX_OK);
    return err;
}

// The general path of a call; endpoint_call_fast (endpoint_fastpath.h) is its short cut.
long endpoint_call(struct endpoint *ep, uint32_t badge, uint64_t info, uint64_t w0,
                   uint64_t w1, uint64_t w2, uint64_t w3, uint64_t deadline)
{
    // The message first: the arguments go to memory at once, not to saved registers kept
    // across the clock read.
    uint64_t msg[1 + NX_MSG_WORDS] = { info | NX_MSG_CALL, w0, w1, w2, w3 };
    if (deadline_passed(deadline))  // the reply could never come
        return NX_ERR_TIMED_OUT;
    struct thread *r;
    long err = send(ep, badge, msg, deadline, &r);
    return r ? endpoint_run_server(r, deadline) : err;
}

// endpoint_call_fast's receiver is there: if the payload cannot move, the call fails at once
// and the receiver stays in line, as in the general path.
long endpoint_call_payload(struct endpoint *ep, uint64_t badge, uint64_t info, uint64_t w0,
                           uint64_t w1, uint64_t w2, uint64_t w3)
{
    struct thread *self = current_thread;
    stash_words(self, info, w0, w1, w2, w3);
    self->badge = badge;
    int err = move_stashed_payload(self, &ep->receivers.head);
    if (err)
        return err;
    const uint64_t *m = self->msg;
    return endpoint_call_to(ep, ep->receivers.head, self->badge, m[0], m[1], m[2], m[3], m[4]);
}

// ---- receiving ----

// A queued sender's message was delivered to receiver: a caller now waits for the reply
// (still blocked, with its deadline), a plain sender is done.
static void accept(struct thread *receiver, struct thread *sender)
{
    if (sender->msg[0] & NX_MSG_CALL) {
        endpoint_hold_call(receiver, sender);
        sender->unblock = endpoint_give_up_call;
    } else {
        sched_wake(sender, NX_OK);
    }
}

// Take what is there for self on ep: the bound notification's bits or the oldest message
// that can be delivered (a sender whose message cannot, say because self's handle table is
// full, gets the error). With both there, they take turns: signals that keep coming (a
// pager's requests) must not keep a caller waiting, nor calls the signals. False if there is
// nothing.
static bool take_message(struct thread *self, struct endpoint *ep)
{
    bool signals = endpoint_has_signals(ep);
    if (signals && (!ep->signals_last || waitq_empty(&ep->senders))) {
        deliver_signals(self, ep);
        return true;
    }
    struct thread *s;
    while ((s = waitq_pop(&ep->senders))) {
        int err = deliver(s, s->msg, s->badge, self);
        if (err == NX_OK) {
            ep->signals_last = false;
            accept(self, s);
            return true;
        }
        sched_wake(s, err);
    }
    if (signals)
        deliver_signals(self, ep);
    return signals;
}

// Receive on ep; `replied` as for endpoint_wait_message, or simply woken if a message is
// there.
static long receive(struct thread *self, struct endpoint *ep, uint64_t deadline,
                    struct thread *replied)
{
    self->caller_gone = false;
    if (!take_message(self, ep))
        return endpoint_wait_message(self, ep, deadline, replied);
    if (replied)
        sched_wake(replied, NX_OK);
    return NX_OK;
}

long endpoint_recv(struct endpoint *ep, uint64_t deadline)
{
    drop_reply(current_thread);  // replies cannot be deferred past the next receive
    return receive(current_thread, ep, deadline, NULL);
}

// ---- replying ----

// Deliver a reply to self's caller, which stays blocked until whoever called this wakes it.
static int deliver_reply(struct thread *self, struct thread *caller, uint64_t info,
                         uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
    uint64_t msg[1 + NX_MSG_WORDS] = { info, w0, w1, w2, w3 };
    int err = deliver(self, msg, 0, caller);
    if (err == NX_OK)
        endpoint_end_call(self, caller);
    return err;
}

long endpoint_reply(uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
    struct thread *self = current_thread, *c = self->caller;
    if (!c)
        return self->caller_gone ? NX_ERR_PEER_CLOSED : NX_ERR_BAD_STATE;
    int err = deliver_reply(self, c, info, w0, w1, w2, w3);
    if (err)
        return err;
    sched_wake(c, NX_OK);
    return NX_OK;
}

// endpoint_reply_recv_fast's caller is there: if the payload cannot move, the reply_recv
// fails before anything is received, as in the general path.
long endpoint_reply_recv_payload(struct endpoint *ep, uint64_t info, uint64_t w0, uint64_t w1,
                                 uint64_t w2, uint64_t w3, uint64_t deadline)
{
    struct thread *self = current_thread;
    stash_words(self, info, w0, w1, w2, w3);
    int err = move_stashed_payload(self, &self->caller);
    if (err)
        return err;
    const uint64_t *m = self->msg;
    return endpoint_reply_to(ep, self->caller, m[0], m[1], m[2], m[3], m[4], deadline);
}

// The general path of reply_recv; endpoint_reply_recv_fast (endpoint_fastpath.h) is its
// short cut. A reply whose caller gave up is dropped silently (a server loop has nobody to
// tell); a reply that cannot be delivered fails the whole call, before anything is received.
long endpoint_reply_recv(struct endpoint *ep, uint64_t info, uint64_t w0, uint64_t w1,
                         uint64_t w2, uint64_t w3, uint64_t deadline)
{
    struct thread *self = current_thread, *c = self->caller;
    if (c) {
        int err = deliver_reply(self, c, info, w0, w1, w2, w3);
        if (err)
            return err;
    }
    return receive(self, ep, deadline, c);
}

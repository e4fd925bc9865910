#pragma once
// IPC through endpoints, with the message in one small struct. Bytes and handles travel in
// the calling thread's IPC buffer (struct nx_ipc_buffer: the main thread's is nx_ipc_buffer,
// another thread gets its own in a1 when it starts); the info word says how many
// (NX_MSG_INFO(label, nbytes, nhandles), include/nexus/ipc.h).
//
// Every function returns NX_OK or a negative NX_ERR_*. The calls that receive fill *m only on
// success: info (with NX_MSG_CALL when a reply is expected, NX_MSG_SIGNALS when it is a bound
// notification's bits, in w[0]), the words and the badge of the sender's handle.
#include <stdint.h>
#include <nexus/ipc.h>
#include <nx/syscall.h>

struct nx_msg {
    uint64_t info;
    uint64_t w[NX_MSG_WORDS];
    uint64_t badge;  // received messages only: the badge of the handle the sender used
};

// A receiving syscall's result r: on NX_OK, *m takes the message registers a1..a6 it returned.
static inline long nx_msg_take(long r, struct nx_msg *m, const uint64_t out[6])
{
    if (r == NX_OK) {
        m->info = out[0];
        m->w[0] = out[1], m->w[1] = out[2], m->w[2] = out[3], m->w[3] = out[4];
        m->badge = out[5];
    }
    return r;
}

// Send *m and wait for the reply, which replaces *m.
static inline long nx_ipc_call(nx_handle_t ep, struct nx_msg *m, uint64_t deadline)
{
    uint64_t out[6];
    return nx_msg_take(nx_call(ep, m->info, m->w[0], m->w[1], m->w[2], m->w[3], deadline, out),
                       m, out);
}

// Send *m without waiting for a reply (but waiting, until the deadline, for a receiver).
static inline long nx_ipc_send(nx_handle_t ep, const struct nx_msg *m, uint64_t deadline)
{
    return nx_send(ep, m->info, m->w[0], m->w[1], m->w[2], m->w[3], deadline);
}

// Wait for a message (or a bound notification's bits) on ep.
static inline long nx_ipc_recv(nx_handle_t ep, struct nx_msg *m, uint64_t deadline)
{
    uint64_t out[6];
    return nx_msg_take(nx_recv(ep, deadline, out), m, out);
}

// Answer the call this thread received last.
static inline long nx_ipc_reply(const struct nx_msg *m)
{
    return nx_reply(m->info, m->w[0], m->w[1], m->w[2], m->w[3]);
}

// Reply with *m (if a call is pending), then wait for the next message, which replaces *m.
static inline long nx_ipc_reply_recv(nx_handle_t ep, struct nx_msg *m, uint64_t deadline)
{
    uint64_t out[6];
    return nx_msg_take(
        nx_reply_recv(ep, m->info, m->w[0], m->w[1], m->w[2], m->w[3], deadline, out), m, out);
}

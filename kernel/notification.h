#pragma once
// Notifications: a 64-bit word of signal bits. Signal ORs bits in; a wait returns the bits and
// clears them. At most one thread waits at a time in practice, but any number may queue.
// A notification bound to an endpoint (nx_endpoint_bind) also wakes a thread blocked in recv
// on that endpoint.
#include <stdbool.h>
#include <stdint.h>
#include "object.h"
#include "waitq.h"

struct endpoint;
struct process;

struct notification {
    struct kobject obj;
    uint64_t bits;
    struct waitq waiters;
    struct endpoint *bound;   // set by endpoint.c while bound (no reference: the endpoint
                              // unbinds itself before it goes)
    struct process *owner;    // charged for the object's page
};

// A new notification charged to owner, with one reference for the caller. NX_ERR_NO_MEMORY.
int notification_create(struct process *owner, struct notification **out);
// OR bits in; wake the first waiter (it takes the bits) or a receiver on the bound endpoint.
void notification_signal(struct notification *n, uint64_t bits);
// Whether a signal on n can still be seen: a handle names it, a thread waits on it, or an
// endpoint it is bound to passes it on. The caller holds a reference (so obj.handles is valid).
bool notification_observable(const struct notification *n);
// Return the bits and clear them (0 if none).
uint64_t notification_take(struct notification *n);
// Wait (the current thread) until n has bits, or the deadline; they go to out[0] and are
// cleared. Returns the wait's result.
long notification_wait(struct notification *n, uint64_t deadline);

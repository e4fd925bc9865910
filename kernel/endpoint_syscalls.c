// Endpoint system calls: handle lookups with the rights each operation needs, and the checks
// of a message's info word, around kernel/endpoint.c. sys_call and sys_reply_recv inline the
// IPC fast paths (endpoint_fastpath.h) behind an inline handle lookup.
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/ipc.h>
#include <nexus/syscall.h>
#include "endpoint.h"
#include "endpoint_fastpath.h"
#include "handle.h"
#include "hart.h"
#include "notification.h"
#include "process.h"
#include "syscall.h"
#include "thread.h"

// The info bits a sender may set: label, byte count and handle count. The flags are the
// kernel's (NX_MSG_CALL, NX_MSG_SIGNALS on receipt); bits 52-55 are reserved.
#define INFO_SEND_MASK NX_MSG_INFO(UINT32_MAX, 0xffff, 0xf)

// NX_OK if a sender may send `info`. Inline: the fast paths test it first.
static inline int check_info(uint64_t info)
{
    if (!(info >> 32))  // label only: the common case needs no more
        return NX_OK;
    if (info & ~INFO_SEND_MASK)
        return NX_ERR_INVALID;
    if (NX_MSG_NBYTES(info) > NX_MSG_BYTES_MAX || NX_MSG_NHANDLES(info) > NX_MSG_HANDLES_MAX)
        return NX_ERR_TOO_BIG;
    return NX_OK;
}

// The endpoint of a slot handle_find returned.
static struct endpoint *endpoint_of(const struct handle_slot *s)
{
    return (struct endpoint *)s->obj;
}

// The slot of the endpoint h names in the current process with `rights`, or NULL; then
// refusal(h, rights) is the error. Inline, so that a handler keeps its arguments in registers
// up to the object call it ends in (a tail call).
static inline const struct handle_slot *find_endpoint(uhandle_t h, uint32_t rights)
{
    return handle_find(current_process->handles, h, NX_OBJ_ENDPOINT, rights);
}

// Why find_endpoint refused h: syscall_get's precise error, never NX_OK (handle_find and
// handle_get agree on every value: test_handle's find_agrees_with_get).
static __attribute__((noinline, cold)) long refusal(uhandle_t h, uint32_t rights)
{
    struct kobject *obj;
    return syscall_get(h, NX_OBJ_ENDPOINT, rights, &obj, NULL);
}

long sys_endpoint_create(void)
{
    struct endpoint *ep;
    int err = syscall_room(1);
    if (err == NX_OK)
        err = endpoint_create(current_process, &ep);
    return err ? err : syscall_install(&ep->obj, NX_RIGHTS_ALL);
}

long sys_endpoint_mint(uhandle_t h, uint64_t badge, uint64_t rights)
{
    uint32_t need = NX_RIGHT_MANAGE | NX_RIGHT_DUPLICATE;
    if (!find_endpoint(h, need))
        return refusal(h, need);
    if (badge == 0 || badge > UINT32_MAX || rights > UINT32_MAX)
        return NX_ERR_INVALID;
    nx_handle_t out;
    int err = handle_mint(current_process->handles, (nx_handle_t)h, (uint32_t)badge,
                          (uint32_t)rights, &out);
    return err ? err : (long)out;
}

long sys_endpoint_bind(uhandle_t h, uhandle_t nh)
{
    const struct handle_slot *s = find_endpoint(h, NX_RIGHT_WAIT);
    if (!s)
        return refusal(h, NX_RIGHT_WAIT);
    struct kobject *n = NULL;
    int err = nh == NX_HANDLE_INVALID
                  ? NX_OK
                  : syscall_get(nh, NX_OBJ_NOTIFICATION, NX_RIGHT_WAIT, &n, NULL);
    return err ? err : endpoint_bind(endpoint_of(s), (struct notification *)n);
}

long sys_send(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
              uint64_t deadline)
{
    const struct handle_slot *s = find_endpoint(h, NX_RIGHT_SIGNAL);
    if (!s)
        return refusal(h, NX_RIGHT_SIGNAL);
    int err = check_info(info);
    return err ? err : endpoint_send(endpoint_of(s), s->badge, info, w0, w1, w2, w3, deadline);
}

// The general path of a call, in a function of its own so that the fast path keeps the
// arguments where they came (it looks up again: a register-only call pays nothing for it).
static __attribute__((noinline)) long call_general(uhandle_t h, uint64_t info, uint64_t w0,
                                                   uint64_t w1, uint64_t w2, uint64_t w3,
                                                   uint64_t deadline)
{
    const struct handle_slot *s = find_endpoint(h, NX_RIGHT_SIGNAL);
    if (!s)
        return refusal(h, NX_RIGHT_SIGNAL);
    int err = check_info(info);
    return err ? err : endpoint_call(endpoint_of(s), s->badge, info, w0, w1, w2, w3, deadline);
}

// The fast path takes a valid call without a deadline; anything else (or a handle the inline
// lookup does not accept) takes the general path, which finds the precise error.
long sys_call(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
              uint64_t deadline)
{
    const struct handle_slot *s = find_endpoint(h, NX_RIGHT_SIGNAL);
    if (s && deadline == NX_DEADLINE_NEVER && check_info(info) == NX_OK)
        return endpoint_call_fast(endpoint_of(s), s->badge, info, w0, w1, w2, w3);
    return call_general(h, info, w0, w1, w2, w3, deadline);
}

long sys_recv(uhandle_t h, uint64_t deadline)
{
    const struct handle_slot *s = find_endpoint(h, NX_RIGHT_WAIT);
    return s ? endpoint_recv(endpoint_of(s), deadline) : refusal(h, NX_RIGHT_WAIT);
}

long sys_reply(uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
    int err = check_info(info);
    return err ? err : endpoint_reply(info, w0, w1, w2, w3);
}

// The general path of reply_recv, in a function of its own so that the fast path keeps the
// arguments where they came (it looks up again: a register-only reply pays nothing for it).
static __attribute__((noinline)) long reply_recv_general(uhandle_t h, uint64_t info,
                                                         uint64_t w0, uint64_t w1, uint64_t w2,
                                                         uint64_t w3, uint64_t deadline)
{
    const struct handle_slot *s = find_endpoint(h, NX_RIGHT_WAIT);
    if (!s)
        return refusal(h, NX_RIGHT_WAIT);
    int err = check_info(info);
    return err ? err : endpoint_reply_recv(endpoint_of(s), info, w0, w1, w2, w3, deadline);
}

// The fast path takes a valid reply; anything else (or a handle the inline lookup does not
// accept) takes the general path, which finds the precise error.
long sys_reply_recv(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                    uint64_t w3, uint64_t deadline)
{
    const struct handle_slot *s = find_endpoint(h, NX_RIGHT_WAIT);
    if (s && check_info(info) == NX_OK)
        return endpoint_reply_recv_fast(endpoint_of(s), info, w0, w1, w2, w3, deadline);
    return reply_recv_general(h, info, w0, w1, w2, w3, deadline);
}

// The shared handlers (trap.S, syscall.c): the fast paths above without the exclusive lock;
// anything else takes it and runs the general handler. One body for both, inlined into each.
static inline __attribute__((always_inline)) long ipc_shared(bool call, uhandle_t h,
                                                             uint64_t info, uint64_t w0,
                                                             uint64_t w1, uint64_t w2,
                                                             uint64_t w3, uint64_t deadline)
{
    const struct handle_slot *s = find_endpoint(h, call ? NX_RIGHT_SIGNAL : NX_RIGHT_WAIT);
    long result;
    if (s && !(info >> 32) && deadline == NX_DEADLINE_NEVER &&
        (call ? endpoint_call_shared(endpoint_of(s), s->badge, info, w0, w1, w2, w3, &result)
              : endpoint_reply_recv_shared(endpoint_of(s), info, w0, w1, w2, w3, &result)))
        return result;
    big_lock_exclusive_instead();
    return call ? sys_call(h, info, w0, w1, w2, w3, deadline)
                : sys_reply_recv(h, info, w0, w1, w2, w3, deadline);
}

long sys_call_shared(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                     uint64_t w3, uint64_t deadline)
{
    return ipc_shared(true, h, info, w0, w1, w2, w3, deadline);
}

long sys_reply_recv_shared(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                           uint64_t w3, uint64_t deadline)
{
    return ipc_shared(false, h, info, w0, w1, w2, w3, deadline);
}

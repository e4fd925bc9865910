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
#include "notification.h"
#include "process.h"
#include "syscall.h"
#include "thread.h"

// The info bits a sender may set: label, byte count and handle count. The flags are the
// kernel's (NX_MSG_CALL, NX_MSG_SIGNALS on receipt); bits 52-55 are reserved.
#define INFO_SEND_MASK NX_MSG_INFO(UINT32_MAX, 0xffff, 0xf)

// NX_OK if a sender may send `info`.
static int check_info(uint64_t info)
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

// The endpoint h names in the current process with `rights`, and its badge; the inline lookup
// first (syscall_get then only finds the precise error).
static struct endpoint *get_endpoint(uhandle_t h, uint32_t rights, uint32_t *badge, int *err)
{
    const struct handle_slot *s =
        handle_find(current_process->handles, h, NX_OBJ_ENDPOINT, rights);
    if (!s) {
        struct kobject *obj = NULL;
        *err = syscall_get(h, NX_OBJ_ENDPOINT, rights, &obj, badge);
        return (struct endpoint *)obj;  // the kobject comes first
    }
    if (badge)
        *badge = s->badge;
    *err = NX_OK;
    return endpoint_of(s);
}

// get_endpoint for a message `info`, which is checked too.
static struct endpoint *get_for_message(uhandle_t h, uint32_t rights, uint64_t info,
                                        uint32_t *badge, int *err)
{
    struct endpoint *ep = get_endpoint(h, rights, badge, err);
    if (*err == NX_OK)
        *err = check_info(info);
    return ep;
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
    int err;
    get_endpoint(h, NX_RIGHT_MANAGE | NX_RIGHT_DUPLICATE, NULL, &err);
    if (err)
        return err;
    if (badge == 0 || badge > UINT32_MAX || rights > UINT32_MAX)
        return NX_ERR_INVALID;
    nx_handle_t out;
    err = handle_mint(current_process->handles, (nx_handle_t)h, (uint32_t)badge,
                      (uint32_t)rights, &out);
    return err ? err : (long)out;
}

long sys_endpoint_bind(uhandle_t h, uhandle_t nh)
{
    int err;
    struct endpoint *ep = get_endpoint(h, NX_RIGHT_WAIT, NULL, &err);
    struct kobject *n = NULL;
    if (err == NX_OK && nh != NX_HANDLE_INVALID)
        err = syscall_get(nh, NX_OBJ_NOTIFICATION, NX_RIGHT_WAIT, &n, NULL);
    return err ? err : endpoint_bind(ep, (struct notification *)n);
}

long sys_send(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
              uint64_t deadline)
{
    uint32_t badge;
    int err;
    struct endpoint *ep = get_for_message(h, NX_RIGHT_SIGNAL, info, &badge, &err);
    return err ? err : endpoint_send(ep, badge, info, w0, w1, w2, w3, deadline);
}

static __attribute__((noinline)) long call_general(uhandle_t h, uint64_t info, uint64_t w0,
                                                   uint64_t w1, uint64_t w2, uint64_t w3,
                                                   uint64_t deadline)
{
    uint32_t badge;
    int err;
    struct endpoint *ep = get_for_message(h, NX_RIGHT_SIGNAL, info, &badge, &err);
    return err ? err : endpoint_call(ep, badge, info, w0, w1, w2, w3, deadline);
}

// The fast path takes a call of registers only, without a deadline; anything else (or a
// handle the inline lookup does not accept) takes the general path.
long sys_call(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
              uint64_t deadline)
{
    const struct handle_slot *s =
        handle_find(current_process->handles, h, NX_OBJ_ENDPOINT, NX_RIGHT_SIGNAL);
    if (s && !(info >> 32) && deadline == NX_DEADLINE_NEVER)
        return endpoint_call_registers(endpoint_of(s), s->badge, info, w0, w1, w2, w3);
    return call_general(h, info, w0, w1, w2, w3, deadline);
}

long sys_recv(uhandle_t h, uint64_t deadline)
{
    int err;
    struct endpoint *ep = get_endpoint(h, NX_RIGHT_WAIT, NULL, &err);
    return err ? err : endpoint_recv(ep, deadline);
}

long sys_reply(uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
    int err = check_info(info);
    return err ? err : endpoint_reply(info, w0, w1, w2, w3);
}

static __attribute__((noinline)) long reply_recv_general(uhandle_t h, uint64_t info,
                                                         uint64_t w0, uint64_t w1, uint64_t w2,
                                                         uint64_t w3, uint64_t deadline)
{
    int err;
    struct endpoint *ep = get_for_message(h, NX_RIGHT_WAIT, info, NULL, &err);
    return err ? err : endpoint_reply_recv(ep, info, w0, w1, w2, w3, deadline);
}

long sys_reply_recv(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                    uint64_t w3, uint64_t deadline)
{
    const struct handle_slot *s =
        handle_find(current_process->handles, h, NX_OBJ_ENDPOINT, NX_RIGHT_WAIT);
    if (s && !(info >> 32))
        return endpoint_reply_recv_registers(endpoint_of(s), info, w0, w1, w2, w3, deadline);
    return reply_recv_general(h, info, w0, w1, w2, w3, deadline);
}

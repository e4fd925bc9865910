// TEMPORARY while issue 3 lands in pieces: syscalls whose object file is not merged yet
// answer NX_ERR_BAD_SYSCALL. Each strong definition overrides its weak alias here.
#include <nexus/errors.h>
#include <nexus/syscall.h>

static long sys_missing(void)
{
    return NX_ERR_BAD_SYSCALL;
}

#define SYSCALL_WEAK(num, name, nargs, doc) \
    long sys_##name(void) __attribute__((weak, alias("sys_missing")));
NX_SYSCALLS(SYSCALL_WEAK)

// Until endpoint.c lands no notification is ever bound, so this is never called.
struct endpoint;
void endpoint_notify(struct endpoint *ep) __attribute__((weak, alias("endpoint_notify_missing")));
void endpoint_notify_missing(struct endpoint *ep);
void endpoint_notify_missing(struct endpoint *ep)
{
    (void)ep;
}

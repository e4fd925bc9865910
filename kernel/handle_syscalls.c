// The handle syscalls, and the handle lookups every syscall handler uses (syscall.h). Host
// tests of syscall handlers link this file with a fake current process.
#include <stdbool.h>
#include <stdint.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "syscall.h"
#include "handle.h"
#include "panic.h"
#include "process.h"
#include "thread.h"

// Handles are 32-bit: a register with anything in the upper half names no handle.
int syscall_handle(uhandle_t h, nx_handle_t *out)
{
    if (h > UINT32_MAX)
        return NX_ERR_BAD_HANDLE;
    *out = (nx_handle_t)h;
    return NX_OK;
}

int syscall_get(uhandle_t h, uint32_t type, uint32_t rights, struct kobject **out,
                uint32_t *badge)
{
    nx_handle_t handle;
    int err = syscall_handle(h, &handle);
    return err ? err : handle_get(current_process->handles, handle, type, rights, out, badge);
}

int syscall_signal_target(uhandle_t notif, uint64_t bits, struct notification **out)
{
    struct kobject *n;
    int err = syscall_get(notif, NX_OBJ_NOTIFICATION, NX_RIGHT_SIGNAL, &n, NULL);
    if (err)
        return err;
    *out = (struct notification *)n;  // the kobject comes first
    return bits == 0 ? NX_ERR_INVALID : NX_OK;
}

int syscall_room(uint32_t n)
{
    return handle_table_room(current_process->handles) >= n ? NX_OK : NX_ERR_NO_SPACE;
}

long syscall_install(struct kobject *obj, uint32_t rights)
{
    nx_handle_t h;
    if (handle_install(current_process->handles, obj, rights, &h))
        panic("syscall_install without room (type %u)", (unsigned)obj->type);
    kobject_unref(obj);  // the table holds its own reference now
    return (long)h;
}

long sys_handle_close(uhandle_t h)
{
    nx_handle_t handle;
    int err = syscall_handle(h, &handle);
    return err ? err : handle_close(current_process->handles, handle);
}

long sys_handle_duplicate(uhandle_t h, uint64_t rights)
{
    nx_handle_t handle, out;
    int err = syscall_handle(h, &handle);
    if (err)
        return err;
    if (rights > UINT32_MAX || (rights != NX_RIGHTS_SAME && (rights & ~NX_RIGHTS_ALL)))
        return NX_ERR_INVALID;
    err = handle_duplicate(current_process->handles, handle, (uint32_t)rights, &out);
    return err ? err : (long)out;
}

long sys_handle_info(uhandle_t h)
{
    nx_handle_t handle;
    uint32_t type, rights;
    int err = syscall_handle(h, &handle);
    if (!err)
        err = handle_info(current_process->handles, handle, &type, &rights);
    if (err)
        return err;
    long info = nx_handle_info_encode(type, rights);
    return handle_has_derived(current_process->handles, handle) ? info | NX_HANDLE_INFO_DERIVED
                                                                : info;
}

long sys_handle_revoke(uhandle_t h)
{
    nx_handle_t handle;
    int err = syscall_handle(h, &handle);
    if (err)
        return err;
    uint64_t before = handle_counters.revoked;
    err = handle_revoke(current_process->handles, handle);
    return err ? err : (long)(handle_counters.revoked - before);
}

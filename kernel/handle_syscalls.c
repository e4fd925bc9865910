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
static bool handle_arg_ok(uint64_t h)
{
    return h <= UINT32_MAX;
}

int syscall_get(uint64_t h, uint32_t type, uint32_t rights, struct kobject **out,
                uint32_t *badge)
{
    if (!handle_arg_ok(h))
        return NX_ERR_BAD_HANDLE;
    return handle_get(current_process->handles, (nx_handle_t)h, type, rights, out, badge);
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

long sys_handle_close(uint64_t h)
{
    if (!handle_arg_ok(h))
        return NX_ERR_BAD_HANDLE;
    return handle_close(current_process->handles, (nx_handle_t)h);
}

long sys_handle_duplicate(uint64_t h, uint64_t rights)
{
    if (!handle_arg_ok(h))
        return NX_ERR_BAD_HANDLE;
    if (rights > UINT32_MAX || (rights != NX_RIGHTS_SAME && (rights & ~NX_RIGHTS_ALL)))
        return NX_ERR_INVALID;
    nx_handle_t out;
    int err = handle_duplicate(current_process->handles, (nx_handle_t)h, (uint32_t)rights, &out);
    return err ? err : (long)out;
}

long sys_handle_info(uint64_t h)
{
    if (!handle_arg_ok(h))
        return NX_ERR_BAD_HANDLE;
    uint32_t type, rights;
    int err = handle_info(current_process->handles, (nx_handle_t)h, &type, &rights);
    return err ? err : (long)(type | (uint64_t)rights << 8);
}

long sys_handle_revoke(uint64_t h)
{
    if (!handle_arg_ok(h))
        return NX_ERR_BAD_HANDLE;
    uint64_t before = handle_counters.revoked;
    int err = handle_revoke(current_process->handles, (nx_handle_t)h);
    return err ? err : (long)(handle_counters.revoked - before);
}

// Address-space system calls: handle lookups and rights around kernel/aspace.c, which checks
// the addresses, sizes and protections.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "aspace.h"
#include "handle.h"
#include "process.h"
#include "syscall.h"
#include "thread.h"
#include "vmo.h"

// The process whose address space changes: needs MAP, and must still have one.
static int get_target(uhandle_t h, struct process **out)
{
    struct kobject *obj;
    int err = syscall_get(h, NX_OBJ_PROCESS, NX_RIGHT_MAP, &obj, NULL);
    if (err)
        return err;
    *out = (struct process *)obj;
    return (*out)->state == PROCESS_ALIVE ? NX_OK : NX_ERR_BAD_STATE;
}

// The protections a VMO handle's rights allow.
static uint32_t prot_allowed(uint32_t rights)
{
    return (rights & NX_RIGHT_READ ? NX_PROT_READ : 0) |
           (rights & NX_RIGHT_WRITE ? NX_PROT_WRITE : 0) |
           (rights & NX_RIGHT_EXECUTE ? NX_PROT_EXEC : 0);
}

long sys_vm_map(uhandle_t proc, uhandle_t vmo, uint64_t va, uint64_t offset, uint64_t size,
                uint64_t prot)
{
    struct process *p;
    struct kobject *obj;
    int err = get_target(proc, &p);
    if (!err)
        err = syscall_get(vmo, NX_OBJ_VMO, NX_RIGHT_MAP, &obj, NULL);
    if (err)
        return err;
    uint32_t type, rights;
    handle_info(current_process->handles, (nx_handle_t)vmo, &type, &rights);  // valid: found
    if (prot > UINT32_MAX)
        return NX_ERR_INVALID;
    uint64_t out;
    err = aspace_map(p, (struct vmo *)obj, va, offset, size, (uint32_t)prot,
                     prot_allowed(rights), &out);
    return err ? err : (long)out;
}

long sys_vm_unmap(uhandle_t proc, uint64_t va, uint64_t size)
{
    struct process *p;
    int err = get_target(proc, &p);
    return err ? err : aspace_unmap(p, va, size);
}

long sys_vm_protect(uhandle_t proc, uint64_t va, uint64_t size, uint64_t prot)
{
    struct process *p;
    int err = get_target(proc, &p);
    if (err)
        return err;
    return prot > UINT32_MAX ? NX_ERR_INVALID : aspace_protect(p, va, size, (uint32_t)prot);
}

// Address-space system calls: handle lookups and rights around kernel/aspace.c, which checks
// the addresses, sizes and protections.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "aspace.h"
#include "object.h"
#include "handle.h"
#include "hart.h"
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

// vm_map's lookups and checks: the target, the VMO and the most its handle grants.
static int map_args(uhandle_t proc, uhandle_t vmo, uint64_t prot, struct process **p,
                    struct vmo **v, uint32_t *max_prot)
{
    struct kobject *obj;
    int err = get_target(proc, p);
    if (!err)
        err = syscall_get(vmo, NX_OBJ_VMO, NX_RIGHT_MAP, &obj, NULL);
    if (err)
        return err;
    uint32_t type, rights;
    handle_info(current_process->handles, (nx_handle_t)vmo, &type, &rights);  // valid: found
    *v = (struct vmo *)obj;
    *max_prot = prot_allowed(rights);
    return prot > UINT32_MAX ? NX_ERR_INVALID : NX_OK;
}

long sys_vm_map(uhandle_t proc, uhandle_t vmo, uint64_t va, uint64_t offset, uint64_t size,
                uint64_t prot)
{
    struct process *p;
    struct vmo *v;
    uint32_t max_prot;
    int err = map_args(proc, vmo, prot, &p, &v, &max_prot);
    if (err)
        return err;
    uint64_t out;
    err = aspace_map(p, v, va, offset, size, (uint32_t)prot, max_prot, &out);
    return err ? err : (long)out;
}

long sys_vm_unmap(uhandle_t proc, uint64_t va, uint64_t size)
{
    struct process *p;
    int err = get_target(proc, &p);
    return err ? err : aspace_unmap(p, va, size);
}

// The shared handlers (syscall.c, docs/smp.md): the lookups read only the caller's own
// handle table, which changes under the exclusive lock only.
long sys_vm_map_shared(uhandle_t proc, uhandle_t vmo, uint64_t va, uint64_t offset,
                       uint64_t size, uint64_t prot)
{
    struct process *p;
    struct vmo *v;
    uint32_t max_prot;
    long result = map_args(proc, vmo, prot, &p, &v, &max_prot);
    if (result == NX_OK &&
        !aspace_map_shared(p, v, va, offset, size, (uint32_t)prot, max_prot, &result)) {
        big_lock_exclusive_instead();
        return sys_vm_map(proc, vmo, va, offset, size, prot);
    }
    this_hart()->shared_maps++;
    return result;
}

long sys_vm_unmap_shared(uhandle_t proc, uint64_t va, uint64_t size)
{
    struct process *p;
    struct kobject *zombies = NULL;
    long result = get_target(proc, &p);
    if (result == NX_OK && !aspace_unmap_shared(p, va, size, &result, &zombies)) {
        big_lock_exclusive_instead();
        return sys_vm_unmap(proc, va, size);
    }
    this_hart()->shared_maps++;
    if (zombies) {  // destroying a VMO frees pages and objects: exclusive work
        big_lock_exclusive_keeping_going();
        kobject_reap(&zombies);
        big_lock_end_if_dying();
    }
    return result;
}

long sys_vm_protect(uhandle_t proc, uint64_t va, uint64_t size, uint64_t prot)
{
    struct process *p;
    int err = get_target(proc, &p);
    if (err)
        return err;
    return prot > UINT32_MAX ? NX_ERR_INVALID : aspace_protect(p, va, size, (uint32_t)prot);
}

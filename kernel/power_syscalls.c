// The power mode's system call: the handle lookup and the argument check around power.c.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "power.h"
#include "syscall.h"

// Only a holder of the device resource with WRITE sets the mode: init, and whom it grants
// "power" (the settings service, docs/settings.md).
long sys_system_power_mode(uhandle_t resource, uint64_t mode)
{
    struct kobject *res;
    int err = syscall_get(resource, NX_OBJ_RESOURCE, NX_RIGHT_WRITE, &res, NULL);
    if (err)
        return err;
    if (mode >= NX_POWER_MODES)
        return NX_ERR_INVALID;
    return power_set_mode((enum nx_power_mode)mode);
}

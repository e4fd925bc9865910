#pragma once
// Helpers for syscall handlers. Every handler is `long sys_<name>(...)` (see
// include/nexus/syscall.h), defined in the file of the object it serves; it validates every
// argument before any effect, so a failed call changes nothing.
#include <stdint.h>
#include <nexus/handle.h>
#include "object.h"

// The object h names in the current process, if it has `type` (NX_OBJ_ANY: any) and every
// right in `rights`; also its badge when badge is not NULL. No reference is taken. h is the
// raw register: values above 32 bits are NX_ERR_BAD_HANDLE.
int syscall_get(uint64_t h, uint32_t type, uint32_t rights, struct kobject **out,
                uint32_t *badge);
// Install a handle to obj in the current process with `rights`, taking over the caller's
// reference (dropped on failure). Returns the handle value or a negative error.
long syscall_install(struct kobject *obj, uint32_t rights);

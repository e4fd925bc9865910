#pragma once
// Syscall handlers and their helpers. Every handler is `long sys_<name>(...)`, declared below
// from NX_SYSCALLS (include/nexus/syscall.h), so a definition that disagrees with the table
// does not compile. trap.S calls handlers straight from syscall_table with the seven argument
// registers: that is exact C because every parameter is a whole register (a 64-bit value, a
// user address or a uhandle_t, checked below). Each handler is defined in
// kernel/<object>_syscalls.c for the object it serves (syscall.c for the rest), and validates
// every argument before any effect, so a failed call changes nothing. The object files take
// kernel pointers only.
#include <stdint.h>
#include <nexus/handle.h>
#include <nexus/syscall.h>
#include "object.h"

// A handle argument as it arrives: the whole register. Only syscall_get, syscall_handle and
// handle_find (handle.h) turn it into a handle, and a value above 32 bits names none
// (NX_ERR_BAD_HANDLE), for every syscall alike.
typedef uint64_t uhandle_t;

#define SYSCALL_PARAM(a) SYSCALL_PARAM_##a
#define SYSCALL_PARAM_NX_H(name, rights) uhandle_t name
#define SYSCALL_PARAM_NX_V(type, name) type name
#define SYSCALL_PARAM_NX_P(type, name) uint64_t name  // a user address, for usercopy.h
#define SYSCALL_PROTOTYPE(num, name, result, nargs, args, errors, doc) \
    long sys_##name(NX_ARGS_LIST(nargs, SYSCALL_PARAM, args));
NX_SYSCALLS(SYSCALL_PROTOTYPE)
#undef SYSCALL_PROTOTYPE

// Handlers that run under the big lock held shared (syscall_shared_table), with the
// parameters of the syscall they stand for: call and reply_recv (endpoint_syscalls.c).
long sys_call_shared(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                     uint64_t w3, uint64_t deadline);
long sys_reply_recv_shared(uhandle_t h, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                           uint64_t w3, uint64_t deadline);
// vm_map and vm_unmap likewise (aspace_syscalls.c).
long sys_vm_map_shared(uhandle_t proc, uhandle_t vmo, uint64_t va, uint64_t offset,
                       uint64_t size, uint64_t prot);
long sys_vm_unmap_shared(uhandle_t proc, uint64_t va, uint64_t size);

#define SYSCALL_CHECK(a) SYSCALL_CHECK_##a
#define SYSCALL_CHECK_NX_H(name, rights) \
    _Static_assert(((rights) & ~NX_RIGHTS_ALL) == 0, "NX_SYSCALLS: rights of " #name);
#define SYSCALL_CHECK_NX_V(type, name) \
    _Static_assert(sizeof(type) == 8, "NX_SYSCALLS: " #name " must be a whole register");
#define SYSCALL_CHECK_NX_P(type, name)
#define SYSCALL_CHECKS(num, name, result, nargs, args, errors, doc) \
    NX_ARGS_SEQ(nargs, SYSCALL_CHECK, args)
NX_SYSCALLS(SYSCALL_CHECKS)
#undef SYSCALL_CHECKS

// The object h names in the current process, if it has `type` (NX_OBJ_ANY: any) and every
// right in `rights`; also its badge when badge is not NULL. No reference is taken.
int syscall_get(uhandle_t h, uint32_t type, uint32_t rights, struct kobject **out,
                uint32_t *badge);
// The notification notif names (with SIGNAL) for an object that will signal `bits` on it:
// the handle errors, or NX_ERR_INVALID for bits 0.
struct notification;
int syscall_signal_target(uhandle_t notif, uint64_t bits, struct notification **out);
// The handle h names, for handlers that pass it on unopened (close, transfer...):
// NX_ERR_BAD_HANDLE if it has bits above 32 (nothing else is checked).
int syscall_handle(uhandle_t h, nx_handle_t *out);
// Check, then act: a syscall that gives the caller new handles first checks that its table has
// room for n (NX_ERR_NO_SPACE otherwise), before any change; syscall_install then cannot fail.
int syscall_room(uint32_t n);
// Install a handle to obj in the current process with `rights`, taking over the caller's
// reference; returns its value. The caller checked the room (panics otherwise).
long syscall_install(struct kobject *obj, uint32_t rights);

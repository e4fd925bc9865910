#pragma once
// Helpers for syscall handlers. Every handler is `long sys_<name>(...)` (see
// include/nexus/syscall.h), defined in kernel/<object>_syscalls.c for the object it serves
// (syscall.c for the rest); it validates every argument before any effect, so a failed call
// changes nothing. The object files take kernel pointers only.
#include <stdint.h>
#include <nexus/handle.h>
#include "object.h"

// The object h names in the current process, if it has `type` (NX_OBJ_ANY: any) and every
// right in `rights`; also its badge when badge is not NULL. No reference is taken. h is the
// raw register: values above 32 bits are NX_ERR_BAD_HANDLE.
int syscall_get(uint64_t h, uint32_t type, uint32_t rights, struct kobject **out,
                uint32_t *badge);
// Check, then act: a syscall that gives the caller new handles first checks that its table has
// room for n (NX_ERR_NO_SPACE otherwise), before any change; syscall_install then cannot fail.
int syscall_room(uint32_t n);
// Install a handle to obj in the current process with `rights`, taking over the caller's
// reference; returns its value. The caller checked the room (panics otherwise).
long syscall_install(struct kobject *obj, uint32_t rights);

// Handlers the host tests call directly. Arguments are whole registers: a handle with bits
// above 31 set is refused, not truncated.
long sys_endpoint_create(void);
long sys_endpoint_mint(uint64_t ep, uint64_t badge, uint64_t rights);
long sys_endpoint_bind(uint64_t ep, uint64_t notif);
long sys_call(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
              uint64_t deadline);
long sys_send(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
              uint64_t deadline);
long sys_recv(uint64_t ep, uint64_t deadline);
long sys_reply(uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);
long sys_reply_recv(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1, uint64_t w2,
                    uint64_t w3, uint64_t deadline);
long sys_irq_create(uint64_t resource, uint64_t line, uint64_t notif, uint64_t bits);
long sys_irq_ack(uint64_t irq);
long sys_timer_create(uint64_t notif, uint64_t bits);
long sys_timer_set(uint64_t timer, uint64_t deadline, uint64_t slack);
long sys_timer_cancel(uint64_t timer);

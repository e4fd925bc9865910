// make abi-check compiles this file twice against the kernel's generated handler prototypes
// (kernel/syscall.h): with -DAGREES it must compile; without, it must not, because the handler
// takes a 32-bit handle where NX_SYSCALLS says a handle argument is the whole register (the
// mistake the notification calls once made, silently accepting handle values above 32 bits).
#include "syscall.h"

#ifdef AGREES
long sys_notify_signal(uhandle_t notif, uint64_t bits)
#else
long sys_notify_signal(nx_handle_t notif, uint64_t bits)
#endif
{
    return (long)(notif + bits);
}

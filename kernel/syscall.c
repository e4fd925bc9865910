// System call glue: validate arguments, copy from and to user memory, call into the objects.
// trap.S indexes syscall_table with a7 after checking it against syscall_count.
#include <stdint.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "console.h"
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "usercopy.h"
#include "arch/riscv/timer.h"

typedef long (*syscall_fn)(long, long, long, long, long, long);

static long sys_debug_write(long buf, long len)
{
    if (len < 0 || len > NX_DEBUG_WRITE_MAX)
        return NX_ERR_TOO_BIG;
    paddr_t root = current_thread->proc->root;
    int err = user_check(root, (uint64_t)buf, (size_t)len, USER_READ);
    if (err)
        return err;
    char chunk[128];
    for (long done = 0; done < len; done += (long)sizeof(chunk)) {
        size_t n = len - done < (long)sizeof(chunk) ? (size_t)(len - done) : sizeof(chunk);
        copy_from_user(root, chunk, (uint64_t)buf + done, n);
        console_write(chunk, n);
    }
    return len;
}

static long sys_exit(long status)
{
    process_exit(status);
}

static long sys_yield(void)
{
    sched_yield();
    return NX_OK;
}

static long sys_clock_get(void)
{
    return (long)timer_ticks_to_ns(timer_now());
}

static long sys_nop(void)
{
    return NX_OK;
}

// The handlers take only the arguments they use; the RISC-V calling convention makes the
// extra argument registers harmless, hence the cast through a generic function type.
#define SYSCALL_ENTRY(num, name, nargs, doc) [num] = (syscall_fn)(void (*)(void))sys_##name,
const syscall_fn syscall_table[NX_SYSCALL_COUNT] = { NX_SYSCALLS(SYSCALL_ENTRY) };
const uint64_t syscall_count = NX_SYSCALL_COUNT;

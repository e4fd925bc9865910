// System call glue: the dispatch table, handle lookups for handlers, and the syscalls that
// belong to no single object (console, time, handles, counters).
// trap.S indexes syscall_table with a7 after checking it against syscall_count.
#include <stdbool.h>
#include <stdint.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "syscall.h"
#include "clock.h"
#include "console.h"
#include "endpoint.h"
#include "handle.h"
#include "pmm.h"
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "usercopy.h"
#include "vmo.h"
#include "arch/riscv/sbi.h"

typedef long (*syscall_fn)(long, long, long, long, long, long, long);

// Handlers take only the arguments they use; the RISC-V calling convention makes the extra
// argument registers harmless, hence the unprototyped declarations.
#define SYSCALL_DECL(num, name, nargs, doc) long sys_##name();
NX_SYSCALLS(SYSCALL_DECL)

// Handles are 32-bit: a register with anything in the upper half names no handle.
static int table_get(uint64_t h, uint32_t type, uint32_t rights, struct kobject **out,
                     uint32_t *badge)
{
    if (h > UINT32_MAX)
        return NX_ERR_BAD_HANDLE;
    return handle_get(current_process->handles, (nx_handle_t)h, type, rights, out, badge);
}

int syscall_get(uint64_t h, uint32_t type, uint32_t rights, struct kobject **out,
                uint32_t *badge)
{
    return table_get(h, type, rights, out, badge);
}

long syscall_install(struct kobject *obj, uint32_t rights)
{
    nx_handle_t h;
    int err = handle_install(current_process->handles, obj, rights, &h);
    kobject_unref(obj);  // the table holds its own reference now, or none
    return err ? err : (long)h;
}

long sys_debug_write(uint64_t buf, uint64_t len)
{
    if (len > NX_DEBUG_WRITE_MAX)
        return NX_ERR_TOO_BIG;
    paddr_t root = current_process->root;
    int err = user_check(root, buf, len, USER_READ);
    if (err)
        return err;
    char chunk[128];
    for (uint64_t done = 0; done < len; done += sizeof(chunk)) {
        size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
        copy_from_user(root, chunk, buf + done, n);
        console_write(chunk, n);
    }
    return (long)len;
}

long sys_exit(long status)
{
    process_exit(status);
}

long sys_yield(void)
{
    sched_yield();
    return NX_OK;
}

long sys_clock_get(void)
{
    return (long)clock_now();
}

long sys_nop(void)
{
    return NX_OK;
}

// ---- handles ----

static bool handle_arg_ok(uint64_t h)
{
    return h <= UINT32_MAX;
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

// ---- counters ----

static uint64_t live_handles(void)
{
    const struct handle_counters *c = &handle_counters;
    return c->installed - c->closed - c->revoked;
}

long sys_system_info(uint64_t what)
{
    switch (what) {
    case NX_INFO_FREE_PAGES: return (long)pmm_stats().free_pages;
    case NX_INFO_LIVE_HANDLES: return (long)live_handles();
    case NX_INFO_TIMER_IRQS: return (long)clock_irq_count();
    case NX_INFO_BYTES_COPIED: return (long)(vmo_bytes_copied + endpoint_bytes_copied);
    case NX_INFO_LIVE_PROCESSES: return (long)process_count();
    case NX_INFO_LIVE_OBJECTS: return (long)kobject_live_count();
    case NX_INFO_TOTAL_PAGES: return (long)pmm_stats().total_pages;
    default: return NX_ERR_INVALID;
    }
}

long sys_system_poweroff(uint64_t resource)
{
    struct kobject *res;
    int err = syscall_get(resource, NX_OBJ_RESOURCE, NX_RIGHT_MANAGE, &res, NULL);
    if (err)
        return err;
    struct process *p = current_process;
    kprintf("NEURON: power off requested by process %u (%s)\n", p->pid, p->name);
    sbi_shutdown();
}

#define SYSCALL_ENTRY(num, name, nargs, doc) [num] = (syscall_fn)(void (*)(void))sys_##name,
const syscall_fn syscall_table[NX_SYSCALL_COUNT] = { NX_SYSCALLS(SYSCALL_ENTRY) };
const uint64_t syscall_count = NX_SYSCALL_COUNT;

// System call glue: the syscalls that belong to no single object (console, time, counters).
// Handle lookups for handlers are in handle_syscalls.c; the dispatch table is in trap.S.
#include <stdbool.h>
#include <stdint.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "syscall.h"
#include "clock.h"
#include "console.h"
#include "endpoint.h"
#include "handle.h"
#include "hart.h"
#include "pmm.h"
#include "power.h"
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "usercopy.h"
#include "vmo.h"
#include "arch/riscv/sbi.h"

// syscall_table (trap.S) is indexed by number: the entries must be in order, without a gap.
enum { SYSCALL_ORDER_BASE = __COUNTER__ + 1 };
#define SYSCALL_IN_ORDER(num, name, ...) \
    _Static_assert(num == __COUNTER__ - SYSCALL_ORDER_BASE, "NX_SYSCALLS: " #name " out of order");
NX_SYSCALLS(SYSCALL_IN_ORDER)
#undef SYSCALL_IN_ORDER

// The handlers that run under the big lock held shared (trap.S, docs/smp.md), by number;
// the others (NULL here) run under it exclusive. A shared handler touches only what is its
// own thread's or locked, and takes the lock exclusive itself when it cannot finish so.
#define SYSCALL_ONE(...) +1
const void *const syscall_shared_table[0 NX_SYSCALLS(SYSCALL_ONE)] = {
    [NX_SYS_clock_get] = sys_clock_get,
    [NX_SYS_nop] = sys_nop,
    [NX_SYS_call] = sys_call_shared,
    [NX_SYS_reply_recv] = sys_reply_recv_shared,
    [NX_SYS_vm_map] = sys_vm_map_shared,
    [NX_SYS_vm_unmap] = sys_vm_unmap_shared,
};
#undef SYSCALL_ONE

long sys_debug_write(uint64_t buf, uint64_t len)
{
    if (len > NX_DEBUG_WRITE_MAX)
        return NX_ERR_TOO_BIG;
    paddr_t root = current_process->root;
    int err = user_check(root, buf, len, USER_READ);
    if (err)
        return err;
    if (len == 0)
        return 0;
    char chunk[128];
    copy_from_user(root, chunk, buf + len - 1, 1);
    console_begin(current_process->pid, chunk[0] == '\n');
    for (uint64_t done = 0; done < len; done += sizeof(chunk)) {
        size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
        copy_from_user(root, chunk, buf + done, n);
        console_put(chunk, n);
    }
    console_end();
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

// ---- counters ----

static uint64_t live_handles(void)
{
    const struct handle_counters *c = &handle_counters;
    return c->installed - c->closed - c->revoked;
}

static uint64_t ipis_sent(void)
{
    uint64_t n = 0;
    for (uint32_t i = 0; i < nharts; i++)
        n += harts[i].ipis_sent;
    return n;
}

// NX_INFO_HART(i, what): one hart's counters.
static long hart_info(uint64_t what)
{
    uint64_t i = (what - NX_INFO_HART(0, 0)) / 16, k = (what - NX_INFO_HART(0, 0)) % 16;
    if (what < NX_INFO_HART(0, 0) || i >= nharts)
        return NX_ERR_INVALID;
    const struct hart *h = &harts[i];
    switch (k) {
    case NX_HART_BUSY_NS: return (long)(clock_now() - h->started_ns - h->idle_ns);
    case NX_HART_IDLE_NS: return (long)h->idle_ns;
    case NX_HART_IPIS_SENT: return (long)h->ipis_sent;
    case NX_HART_IPIS_TAKEN: return (long)h->ipis_taken;
    case NX_HART_TIMER_IRQS: return (long)h->timer_irqs;
    case NX_HART_HAND_OFFS: return (long)h->hand_offs;
    case NX_HART_SHARED_MAPS: return (long)h->shared_maps;
    default: return NX_ERR_INVALID;
    }
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
    case NX_INFO_IDLE_INSTRET: return (long)sched_idle_instret();
    case NX_INFO_HARTS: return nharts;
    case NX_INFO_IPIS_SENT: return (long)ipis_sent();
    case NX_INFO_POWER_MODE: return (long)power_mode();
    default: return hart_info(what);
    }
}

long sys_system_poweroff(uhandle_t resource)
{
    struct kobject *res;
    int err = syscall_get(resource, NX_OBJ_RESOURCE, NX_RIGHT_MANAGE, &res, NULL);
    if (err)
        return err;
    struct process *p = current_process;
    kprintf("NEURON: power off requested by process %u (%s)\n", p->pid, p->name);
    sbi_shutdown();
}


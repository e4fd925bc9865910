// Pager benchmark: a fault on a page of a paged VMO whose pager has the page already (written
// into the VMO beforehand) and only supplies it: trap, request, the pager thread's wake-up,
// nx_pager_next, nx_pager_supply, the switch back, the retried fault's mapping.
#include <nx/nx.h>
#include "bench.h"

#define PAGE 4096ul
#define FAULTS 1024

static uint64_t pager_stack[512] __attribute__((aligned(16)));
static long notif, pager, vmo;

// The pager thread (bare syscalls only): supply every request at once.
static void serve(long unused)
{
    (void)unused;
    uint64_t bits;
    struct nx_pager_request r;
    for (;;) {
        nx_notify_wait_bits(notif, NX_DEADLINE_NEVER, &bits);
        while (nx_pager_next(pager, &r) == NX_OK)
            nx_pager_supply(vmo, (long)r.offset, r.length);
        if (bits & 2)
            nx_thread_exit();
    }
}

// Average instructions from a touch of an absent page to the toucher running again.
static uint64_t pager_fault(void)
{
    notif = nx_notification_create();
    pager = nx_pager_create(notif, 1);
    vmo = nx_vmo_create_paged(pager, FAULTS * PAGE, 1);
    for (uint64_t i = 0; i < FAULTS; i++)  // the pages are in the pager's memory already
        nx_vmo_write(vmo, i * PAGE, "p", 1);
    long client = nx_handle_duplicate(vmo, NX_RIGHT_READ | NX_RIGHT_MAP);
    volatile char *p = (volatile char *)nx_vm_map(nx_self, client, 0, 0, FAULTS * PAGE,
                                                   NX_PROT_READ);
    long t = nx_thread_create(nx_self, (long)serve, (long)&pager_stack[512], 0,
                              PRIO_USER_DEFAULT);
    nx_yield();  // the pager thread now waits for requests
    uint64_t start = nx_rdinstret();
    for (uint64_t i = 0; i < FAULTS; i++)
        (void)p[i * PAGE];
    uint64_t cost = nx_rdinstret() - start;
    nx_notify_signal(notif, 2);
    nx_yield();  // let it exit
    nx_vm_unmap(nx_self, (long)p, FAULTS * PAGE);
    nx_handle_close(t);
    nx_handle_close(client);
    nx_handle_close(vmo);
    nx_handle_close(pager);
    nx_handle_close(notif);
    return cost / FAULTS;
}

void bench_pager(void)
{
    report("pager_fault_instr", pager_fault());
}

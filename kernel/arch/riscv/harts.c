// Bring-up of the other harts through the SBI HSM extension (harts.h).
#include "arch/riscv/harts.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/vm.h"
#include "clock.h"
#include "console.h"
#include "pmm.h"

#define HART_START_WAIT_NS 5000000000ULL  // a hart not in the kernel after 5 s is reported

void secondary_entry(void);    // entry.S: where a started hart begins (physical address)
void hart_parked_trap(void);   // entry.S: a parked hart's trap vector
_Noreturn void secondary_main(uint64_t hartid, uint64_t index);

uint64_t hart_boot_sp[FDT_MAX_HARTS];  // entry.S: the stack top of the hart started as index
uint64_t hart_satp;                     // entry.S: the kernel's page table, for every hart
static uint32_t arrived;                // harts in secondary_main (atomic)

_Noreturn void secondary_main(uint64_t hartid, uint64_t index)
{
    (void)hartid;
    (void)index;
    csr_write(stvec, (uint64_t)hart_parked_trap);
    __atomic_fetch_add(&arrived, 1, __ATOMIC_RELEASE);
    for (;;)
        wfi();
}

// A kernel stack (with its guard page) for the hart started as index; false if no memory.
static bool give_stack(uint32_t index)
{
    paddr_t pa = pmm_alloc_contig(KSTACK_PAGES, KSTACK_PAGES);
    uint64_t stack;
    if (!pa || vm_map_kstack(pa, &stack))
        return false;
    hart_boot_sp[index] = stack + KSTACK_SIZE;
    return true;
}

// Start one hart and wait for it to arrive. Returns whether it did.
static bool start_one(uint64_t hartid, uint32_t index)
{
    uint32_t before = __atomic_load_n(&arrived, __ATOMIC_ACQUIRE);
    if (!give_stack(index))
        return false;
    uint64_t entry = (uint64_t)secondary_entry - KERNEL_VA_OFFSET;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);  // its stack and hart_satp before it starts
    uint64_t deadline = clock_now() + HART_START_WAIT_NS;
    // A hart that lost the boot lottery (entry.S) may still be on its way to stopped.
    while (sbi_hart_start(hartid, entry, index) != 0)
        if (clock_now() > deadline)
            return false;
    while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) == before)
        if (clock_now() > deadline)
            return false;
    return true;
}

uint32_t harts_start(const struct fdt_info *fdt, uint64_t boot_hartid)
{
    uint32_t running = 1, tried = 0;
    hart_satp = vm_kernel_satp();
    // The boot hart is whichever won the firmware's lottery: any listed hart, even one past
    // the first FDT_MAX_HARTS; it always counts among them.
    kprintf("NEURON: harts: %lu (boot, schedules)", boot_hartid);
    for (uint32_t i = 0; i < fdt->nharts && 1 + tried < FDT_MAX_HARTS; i++) {
        uint64_t id = fdt->hart_ids[i];
        if (id == boot_hartid)
            continue;
        bool up = start_one(id, tried++);
        running += up;
        kprintf(up ? " %lu (parked)" : " %lu (did not start)", id);
    }
    if (fdt->nharts_listed > 1 + tried)
        kprintf("; %u more listed, left to the firmware", fdt->nharts_listed - 1 - tried);
    kprintf("\n");
    return running;
}

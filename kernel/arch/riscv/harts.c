// Bring-up of the other harts through the SBI HSM extension (harts.h).
#include "arch/riscv/harts.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/memlayout.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/vm.h"
#include "arch/riscv/fpu.h"
#include "arch/riscv/timer.h"
#include "clock.h"
#include "console.h"
#include "hart.h"
#include "pmm.h"
#include "sched.h"

#define HART_START_WAIT_NS 5000000000ULL  // a hart not in the kernel after 5 s is reported

void secondary_entry(void);    // entry.S: where a started hart begins (physical address)
_Noreturn void secondary_main(uint64_t hartid, uint64_t index);

void trap_entry(void);          // trap.S

uint64_t hart_boot_sp[FDT_MAX_HARTS];  // entry.S: the stack top of the hart started as index
uint64_t hart_satp;                     // entry.S: the kernel's page table, for every hart
static uint64_t hart_trap_sp[FDT_MAX_HARTS];  // the top of its trap stack (trap.S)
static uint32_t arrived;                // harts in secondary_main (atomic)

// A started hart: its own state, timer and interrupts, then the idle loop, which waits for
// the big lock (the boot hart holds it until it is done booting).
_Noreturn void secondary_main(uint64_t hartid, uint64_t index)
{
    csr_write(stvec, (uint64_t)trap_entry);
    csr_write(sscratch, 0);
    struct hart *h = hart_init((uint32_t)index, hartid, hart_trap_sp[index]);
    h->started_ns = clock_now();
    fpu_init();
    csr_write(scounteren, 7);  // user mode may read cycle, time and instret
    timer_start_hart();
    csr_set(sie, SIE_SSIE);
    __atomic_fetch_add(&arrived, 1, __ATOMIC_RELEASE);
    big_lock_acquire();
    sched_idle_loop();
}

// A kernel stack (with its guard page); its top, or 0 if no memory.
static uint64_t new_stack(void)
{
    paddr_t pa = pmm_alloc_contig(KSTACK_PAGES, KSTACK_PAGES);
    uint64_t stack;
    if (!pa || vm_map_kstack(pa, &stack))
        return 0;
    return stack + KSTACK_SIZE;
}

// The stacks of the hart started as index: its boot (idle) stack and its trap stack.
static bool give_stacks(uint32_t index)
{
    hart_boot_sp[index] = new_stack();
    hart_trap_sp[index] = new_stack();
    return hart_boot_sp[index] && hart_trap_sp[index];
}

// Start one hart and wait for it to arrive. Returns whether it did.
static bool start_one(uint64_t hartid, uint32_t index)
{
    uint32_t before = __atomic_load_n(&arrived, __ATOMIC_ACQUIRE);
    if (!give_stacks(index))
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
    // the first FDT_MAX_HARTS; it always counts among them, as index 0.
    kprintf("NEURON: harts: %lu", boot_hartid);
    for (uint32_t i = 0; i < fdt->nharts && 1 + tried < FDT_MAX_HARTS; i++) {
        uint64_t id = fdt->hart_ids[i];
        if (id == boot_hartid)
            continue;
        uint32_t index = 1 + tried++;
        bool up = start_one(id, index);
        running += up;
        if (up)
            harts_online_mask |= 1ull << index;
        nharts = index + 1;
        kprintf(up ? " %lu" : " %lu (did not start)", id);
    }
    smp = running > 1;
    kprintf("; %u scheduling", running);
    if (fdt->nharts_listed > 1 + tried)
        kprintf("; %u more listed, left to the firmware", fdt->nharts_listed - 1 - tried);
    kprintf("\n");
    return running;
}

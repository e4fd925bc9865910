#pragma once
// The other harts: started at boot and parked. NEURON schedules on the boot hart only for
// now; the others are brought up (their own stack, the kernel's page table, no interrupt
// enabled) and wait in WFI, so that everything up to the scheduler is exercised on them.
#include <stdint.h>
#include "lib/fdt.h"

// Start the harts fdt lists besides boot_hartid, up to FDT_MAX_HARTS with it, and wait until
// each runs kernel code or HART_START_WAIT_NS pass; prints what came up. Returns the harts
// running (the boot hart included).
uint32_t harts_start(const struct fdt_info *fdt, uint64_t boot_hartid);

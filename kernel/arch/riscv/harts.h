#pragma once
// The other harts: started at boot through SBI HSM, each with its own boot (idle) stack and
// trap stack, on the kernel's page table; each then waits in its idle loop for the big lock
// and schedules like the boot hart (hart.h, sched.h).
#include <stdint.h>
#include "lib/fdt.h"

// Start the harts fdt lists besides boot_hartid, up to FDT_MAX_HARTS with it, and wait until
// each runs kernel code or HART_START_WAIT_NS pass; prints what came up, and sets nharts,
// harts_online_mask and smp. Returns the harts running (the boot hart included).
uint32_t harts_start(const struct fdt_info *fdt, uint64_t boot_hartid);

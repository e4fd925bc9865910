#pragma once
// Address-space identifiers (pure bookkeeping, host-tested; vm.c drives it and fences).
//
// An ASID is live (a process has it), retired (its process ended, but harts may still cache
// its translations) or free. Ending a process fences nothing: its ASID is retired, and the
// retired ones become free together when allocation has gone round every ASID, after one
// fence of every hart. A stale translation is therefore never used: no hart runs with a
// retired ASID, and none is handed out again before that fence.
#include <stdbool.h>
#include <stdint.h>

#define ASID_MAX 65536  // satp has at most 16 ASID bits

struct asid_pool {
    uint32_t count;  // ASIDs the harts have; 0 is the kernel's (and the overflow's)
    uint32_t hint;   // where the next search starts
    uint64_t live[ASID_MAX / 64], retired[ASID_MAX / 64];
};

// count: 1 (no ASIDs: everything uses 0) up to ASID_MAX.
void asid_init(struct asid_pool *p, uint32_t count);
// A free ASID, now live, or 0 when every one is live. *fence_all: retired ASIDs were freed to
// find it; the caller must fence every hart before anything runs with the one returned.
uint32_t asid_take(struct asid_pool *p, bool *fence_all);
// The process with asid ended (0: nothing to do).
void asid_retire(struct asid_pool *p, uint32_t asid);

#pragma once
// User floating point (F and D), switched lazily. The kernel itself never uses FP (it is built
// soft-float), so the FP registers belong to user threads only, one owner at a time.
//
// Every thread switch turns FP off (sstatus.FS = Off, two instructions in switch_context), so
// a thread's first FP instruction after it is switched to traps as illegal. fpu_claim then
// lets it go on: if it owns the registers already, nothing moves (FS back on); otherwise the
// owner's registers are saved into the owner's thread and the claimer's loaded. Threads that
// never use FP never trap and pay those two instructions per switch; an FP thread pays one
// trap per switch-in, plus a save and a load when another thread used FP in between. No
// thread ever reads another's values: FP is off whenever a thread runs that is not the owner.
// The owner's registers are always saved on a hand-over (FS Dirty is not tracked: the switch
// that turned FP off forgot it, and a save is cheap next to the trap).
//
// Invariant: FS is Off in the hardware sstatus after every switch, and in the saved status
// (trapframe) of every thread but the owner.
// Per hart state (one hart today; with several, a thread leaving a hart gives its registers
// up first).
#define SSTATUS_FS       (3 << 13)
#define SSTATUS_FS_CLEAN (2 << 13)

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct thread;

// A thread's FP registers while it does not own the hardware's (fpu.S: f0..f31, fcsr).
struct fpu_regs {
    uint64_t f[32];
    uint64_t fcsr;
};
_Static_assert(__builtin_offsetof(struct fpu_regs, fcsr) == 256, "fpu.S offset");

// t trapped on an illegal instruction: if FP was off for it, give it the FP registers and
// return true (it retries the instruction); false: the instruction is really illegal.
bool fpu_claim(struct thread *t);
// t is ending: its values need no saving.
void fpu_forget(struct thread *t);
// Boot: FP off until a thread claims it (the firmware may leave it on).
void fpu_init(void);
#endif

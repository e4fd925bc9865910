#pragma once
// User floating point (F and D), switched lazily. The kernel itself never uses FP (it is built
// soft-float), so the FP registers belong to user threads only, one owner at a time.
//
// Every thread switch turns FP off (sstatus.FS = Off, two instructions in switch_context), so
// a thread's first FP instruction after it is switched to traps as illegal. fpu_claim then
// lets it go on: if the hart's registers still hold its values (it was the last to use FP
// there, and has used it on no other hart since), nothing moves (FS back on); otherwise its
// values are loaded. A thread leaving a hart with FP on (one test per switch) saves its
// registers into its thread first if it changed them (FS Dirty), so its values are always in its
// thread when it is not running, whichever hart runs it next (Linux riscv does the same).
// Threads that never use FP never trap and pay those few instructions per switch; an FP
// thread pays one trap per switch-in, a save when it wrote FP registers, and a load when
// another thread used FP on that hart in between. No thread ever reads another's values: FP
// is off whenever a thread runs whose values the registers do not hold.
//
// Invariant: FS is Off in the hardware sstatus after every switch, and in the saved status
// (trapframe) of every thread but the one whose values the hart's registers hold.
#define SSTATUS_FS       (3 << 13)
#define SSTATUS_FS_CLEAN (2 << 13)
#define SSTATUS_FS_DIRTY (3 << 13)

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
// t is ending: no hart's registers hold its values any more.
void fpu_forget(struct thread *t);
// t leaves its hart with FP on (status: sstatus): save its registers if dirty, and turn FP
// off in its saved status, so that it traps again wherever it resumes.
void fpu_leave(struct thread *t, uint64_t status);
// prev leaves its hart: FP off for it, its values saved if it changed them.
static inline void fpu_switch_out(struct thread *prev)
{
    uint64_t status;
    __asm__ volatile("csrr %0, sstatus" : "=r"(status));
    if (__builtin_expect(status & SSTATUS_FS, 0))
        fpu_leave(prev, status);
}
// Boot (each hart): FP off until a thread claims it (the firmware may leave it on).
void fpu_init(void);
#endif

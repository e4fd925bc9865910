#pragma once
// User floating point (F and D), switched lazily. The kernel itself never uses FP (it is built
// soft-float), so the FP registers belong to user threads only, one owner at a time.
//
// Every thread switch turns FP off (sstatus.FS = Off, two instructions in switch_context), so
// a thread's first FP instruction after it is switched to traps as illegal. fpu_claim then
// lets it go on: if the hart's registers still hold its values (it was the last to use FP
// there, and has used it on no other hart since), nothing moves (FS back on); otherwise its
// values are loaded. A thread leaving a hart with its FP registers dirty (sstatus.SD, one
// sign test per switch) saves them into its thread first, so its values are always in its
// thread when it is not running, whichever hart runs it next (Linux riscv does the same).
// Threads that never use FP never trap and pay those few instructions per switch; an FP
// thread pays one trap per switch-in, a save when it wrote FP registers, and a load when
// another thread used FP on that hart in between. No thread ever reads another's values: FP
// is off whenever a thread runs whose values the registers do not hold.
//
// Invariant: FS is Off in the hardware sstatus after every switch, and in every thread's
// saved status (trapframe) except between fpu_claim and the user_return that follows it:
// fpu_trapped turns it off in the status a trap saved (saving dirty values first), so a
// thread resumed through user_return after a switch never finds FP on with another thread's
// values (it traps once more instead).
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

// t trapped on an illegal instruction with FP off (status: sstatus at the trap): give it the
// FP registers and return true (it retries the instruction); false: FP was on, so the
// instruction is really illegal.
bool fpu_claim(struct thread *t, uint64_t status);
// t is ending: no hart's registers hold its values any more.
void fpu_forget(struct thread *t);
// Save t's registers (it leaves its hart with them dirty).
void fpu_save_dirty(struct thread *t);
// The running thread changed its FP registers since it got them (sstatus.SD: one sign test).
static inline bool fpu_dirty(void)
{
    int64_t status;
    __asm__ volatile("csrr %0, sstatus" : "=r"(status));
    return status < 0;
}
// prev leaves its hart: its values saved if it changed them.
static inline void fpu_switch_out(struct thread *prev)
{
    if (__builtin_expect(fpu_dirty(), 0))
        fpu_save_dirty(prev);
}
// A trap other than a syscall (status: sstatus at the trap): FP goes off for t's return
// (fpu.h's invariant), its values saved first if dirty, since no switch may come to save them.
void fpu_trapped(struct thread *t, uint64_t status);
// Boot (each hart): FP off until a thread claims it (the firmware may leave it on).
void fpu_init(void);
#endif

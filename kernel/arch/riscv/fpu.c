// Lazy switching of user floating point (fpu.h).
#include "arch/riscv/fpu.h"
#include "arch/riscv/csr.h"
#include "thread.h"

// Save / load f0..f31 and fcsr (fpu.S). FS must not be Off.
void fpu_save(struct fpu_regs *r);
void fpu_load(const struct fpu_regs *r);

static struct thread *owner;  // whose values the FP registers hold, or NULL

bool fpu_claim(struct thread *t)
{
    if (t->tf.status & SSTATUS_FS)
        return false;
    if (owner != t) {
        csr_set(sstatus, SSTATUS_FS_CLEAN);  // the kernel's own fsd/fld need FP on
        if (owner) {
            fpu_save(&owner->fp);
            owner->tf.status &= ~(uint64_t)SSTATUS_FS;
        }
        fpu_load(&t->fp);
        owner = t;
    }
    t->tf.status |= SSTATUS_FS_CLEAN;  // user_return puts it in sstatus
    return true;
}

void fpu_forget(struct thread *t)
{
    if (owner == t)
        owner = NULL;
}

void fpu_init(void)
{
    csr_clear(sstatus, SSTATUS_FS);
}

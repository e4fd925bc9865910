// Lazy switching of user floating point (fpu.h).
#include "arch/riscv/fpu.h"
#include "arch/riscv/csr.h"
#include "hart.h"
#include "thread.h"

// Save / load f0..f31 and fcsr (fpu.S). FS must not be Off.
void fpu_save(struct fpu_regs *r);
void fpu_load(const struct fpu_regs *r);

void fpu_leave(struct thread *t, uint64_t status)
{
    if ((status & SSTATUS_FS) == SSTATUS_FS_DIRTY)
        fpu_save(&t->fp);
    t->tf.status &= ~(uint64_t)SSTATUS_FS;
}

bool fpu_claim(struct thread *t)
{
    if (t->tf.status & SSTATUS_FS)
        return false;
    struct hart *h = t->hart;
    if (h->fpu_owner != t || t->fp_hart != h) {
        csr_set(sstatus, SSTATUS_FS_CLEAN);  // the kernel's own fld needs FP on
        fpu_load(&t->fp);
        h->fpu_owner = t;
        t->fp_hart = h;
    }
    t->tf.status |= SSTATUS_FS_CLEAN;  // user_return puts it in sstatus
    return true;
}

void fpu_forget(struct thread *t)
{
    for (uint32_t i = 0; i < nharts; i++)
        if (harts[i].fpu_owner == t)
            harts[i].fpu_owner = NULL;
}

void fpu_init(void)
{
    csr_clear(sstatus, SSTATUS_FS);
}

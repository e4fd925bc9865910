// Moving a thread's FP registers (fpu.c). The kernel is built without F and D; only these
// two routines use FP instructions.
    .option push
    .option arch, +d

    .macro fregs op
    .irp i, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    \op f\i, (\i * 8)(a0)
    .endr
    .endm

    .section .text
    .globl fpu_save
fpu_save:  // a0 = struct fpu_regs *
    fregs fsd
    frcsr t0
    sd t0, 256(a0)
    ret

    .globl fpu_load
fpu_load:  // a0 = const struct fpu_regs *
    fregs fld
    ld t0, 256(a0)
    fscsr t0
    ret
    .option pop

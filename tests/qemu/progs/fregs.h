#pragma once
// Every FP register at once, in assembly (fpu.c, smp.c): fill f0-f31 with values of the
// caller's own and check them over and over, so that a value another thread left, or one
// lost in a switch or a move to another hart, shows as a mismatch.
#include <stdint.h>

// Set f<i> = base + i and the rounding mode to frm, then check them all until rdtime reaches
// deadline; returns the mismatches. Saves the callee-saved fs0-fs11 it clobbers.
long fregs_hold(uint64_t base, uint64_t deadline, uint64_t frm);
// How many of f0-f31 and fcsr are not zero.
long fregs_nonzero(void);

// Each register's line of an assembly loop, for f0..f31 (and fs0..fs11).
#define EACH_FREG(M)                                                                          \
    M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)     \
    M(16) M(17) M(18) M(19) M(20) M(21) M(22) M(23) M(24) M(25) M(26) M(27) M(28) M(29)       \
    M(30) M(31)
#define EACH_CALLEE_SAVED(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)
#define SAVE(i) "  fsd fs" #i ", " #i "*8(sp)\n"
#define RESTORE(i) "  fld fs" #i ", " #i "*8(sp)\n"
#define SET(i) "  addi t0, a0, " #i "\n  fmv.d.x f" #i ", t0\n"
#define CHECK(i) "  fmv.x.d t0, f" #i "\n  addi t1, a0, " #i "\n  sub t0, t0, t1\n" \
                 "  snez t0, t0\n  add a3, a3, t0\n"
#define NONZERO(i) "  fmv.x.d t0, f" #i "\n  snez t0, t0\n  add a0, a0, t0\n"

__asm__(".text\n"
        ".globl fregs_hold\n"
        "fregs_hold:\n"
        "  addi sp, sp, -96\n"
        EACH_CALLEE_SAVED(SAVE)
        EACH_FREG(SET)
        "  fsrm a2\n"
        "  li a3, 0\n"
        "1:\n"
        EACH_FREG(CHECK)
        "  frrm t0\n"
        "  sub t0, t0, a2\n"
        "  snez t0, t0\n"
        "  add a3, a3, t0\n"
        "  rdtime t2\n"
        "  bltu t2, a1, 1b\n"
        "  fsrm zero\n"
        EACH_CALLEE_SAVED(RESTORE)
        "  addi sp, sp, 96\n"
        "  mv a0, a3\n"
        "  ret\n"
        ".globl fregs_nonzero\n"
        "fregs_nonzero:\n"
        "  li a0, 0\n"
        EACH_FREG(NONZERO)
        "  frcsr t0\n"
        "  snez t0, t0\n"
        "  add a0, a0, t0\n"
        "  ret\n");

static inline uint64_t now_ticks(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

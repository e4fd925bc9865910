// Program entry: record instret (boot benchmark), set gp for linker relaxation, run main,
// exit with its return value. The kernel hands over a zeroed stack and zeroed .bss pages.
    .section .text.start
    .globl _start
_start:
    rdinstret t0
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la t1, nx_start_instret
    sd t0, 0(t1)
    call main
    call nx_exit_process

    .section .sbss,"aw",@nobits
    .align 3
    .globl nx_start_instret
nx_start_instret:
    .zero 8

// Program entry: record instret (boot benchmark) and the start registers, set gp for linker
// relaxation, run main, exit with its return value. The kernel hands over a zeroed stack and
// zeroed .bss pages, a0 = the handle given at start (or 0), a1 = the thread's IPC buffer,
// a2 = a handle of the process to itself, a3 = the boot archive (first boot program only).

// Set gp and keep a0-a3 in nx_start_handle, nx_ipc_buffer, nx_self and nx_boot_archive.
.macro take_start_registers
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la t1, nx_start_handle
    sw a0, 0(t1)
    la t1, nx_ipc_buffer
    sd a1, 0(t1)
    la t1, nx_self
    sw a2, 0(t1)
    la t1, nx_boot_archive
    sw a3, 0(t1)
.endm

    .section .text.start
    .globl _start
_start:
    rdinstret t0
    take_start_registers
    la t1, nx_start_instret
    sd t0, 0(t1)
    call main
    call nx_exit_process

// First instruction of a process made by nx_spawn: run nx_spawn_entry(a0), which the parent
// set before it copied .data into the child, then exit with status 0.
    .text
    .globl nx_spawn_trampoline
nx_spawn_trampoline:
    take_start_registers
    la t1, nx_spawn_entry
    ld t1, 0(t1)
    jalr t1
    li a0, 0
    call nx_exit_process

    .section .sbss,"aw",@nobits
    .align 3
    .globl nx_start_instret, nx_ipc_buffer, nx_start_handle, nx_self, nx_boot_archive
nx_start_instret:
    .zero 8
nx_ipc_buffer:
    .zero 8
nx_start_handle:
    .zero 4
nx_self:
    .zero 4
nx_boot_archive:
    .zero 4

// Program entry. The kernel hands over a zeroed stack and zeroed .bss pages, a0 = the handle
// given at start (the bootstrap endpoint of a program started by the loader; the device
// resource for the first boot program; else 0), a1 = the thread's IPC buffer, a2 = a handle
// of the process to itself, a3 = the boot archive (first boot program only).
// crt0 records instret (boot benchmark) and those registers, sets gp for linker relaxation,
// gives the thread its TLS block at the top of its stack, and calls the C runtime
// (runtime.c), which never returns.

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

// Carve the thread-local block (__tls_size bytes, 64-byte aligned) off the top of the stack,
// fill it from the template and point tp at it (RISC-V: tp = the block's start).
.macro take_tls_from_stack
    la t0, __tls_size
    sub sp, sp, t0
    andi sp, sp, -64
    mv a0, sp
    call _init_tls
    mv tp, sp
.endm

    .section .text.start
    .globl _start
_start:
    rdinstret t0
    take_start_registers
    la t1, nx_start_instret
    sd t0, 0(t1)
    take_tls_from_stack
    call nx_runtime_start

// First instruction of a process made by nx_spawn: the same set-up, then nx_spawn_start
// (spawn.c) runs the entry function the parent chose.
    .text
    .globl nx_spawn_trampoline
nx_spawn_trampoline:
    take_start_registers
    take_tls_from_stack
    call nx_spawn_start

// First instruction of a thread made by nx_thread_start: a0 = its start record (thread.c),
// whose first word is the thread's TLS block; a1 = its IPC buffer. gp is the creator's.
    .globl nx_thread_trampoline
nx_thread_trampoline:
    ld tp, 0(a0)
    call nx_thread_entry

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

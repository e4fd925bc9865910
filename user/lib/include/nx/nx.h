#pragma once
// libnx: the runtime every Nexus OS program links with.
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nexus/ipc.h>
#include <nx/syscall.h>

// instret at the program's first instruction (read by crt0), for boot-time measurement.
extern uint64_t nx_start_instret;
// What the kernel passed to the first thread: the handle given at start (the device resource
// for the first boot program; NX_HANDLE_INVALID if none), the main thread's IPC buffer, and a
// handle of the process to itself; and for the first boot program, the boot archive (a
// sealed, read-only VMO holding the cpio archive; NX_HANDLE_INVALID elsewhere).
extern nx_handle_t nx_start_handle, nx_self, nx_boot_archive;
extern struct nx_ipc_buffer *nx_ipc_buffer;

static inline uint64_t nx_rdinstret(void)
{
    uint64_t v;
    __asm__ volatile("rdinstret %0" : "=r"(v));
    return v;
}

// The priority the kernel gives a boot program's first thread.
#define PRIO_USER_DEFAULT 16

// Stack of a process started by nx_spawn.
#define NX_SPAWN_STACK_SIZE (64 * 1024)

// Start a new process `name` running a copy of this program: its text, rodata and the
// current contents of data and bss, each in a new VMO mapped at the same address with the
// same protection, plus a NX_SPAWN_STACK_SIZE stack; the child starts with an empty heap, the
// default stdio sink, no named startup handles and no boot archive (those are the parent's).
// Its first thread runs entry(h), where h is arg moved into the child (nx_start_handle there;
// NX_HANDLE_INVALID passes none); when entry returns the process exits with status 0. The
// child's budget is budget_pages; the VMOs are charged to the caller. Returns a process
// handle (every right) or an error.
long nx_spawn(const char *name, size_t budget_pages, void (*entry)(nx_handle_t arg),
              nx_handle_t arg);

// A new VMO holding a copy of data[0, len), sealed (immutable for every holder: a receiver
// that checks the contents once can trust them after); returns its handle (every right; pass
// on a duplicate with READ | MAP only) or the error of vmo_create, vmo_write or vmo_seal.
long nx_vmo_sealed_copy(const void *data, size_t len);
// Maps the whole of vmo read-only into this process: returns the address (*size gets the
// VMO's size, a whole number of pages) or the error of vmo_size or vm_map. Unmap with
// nx_vm_unmap(nx_self, va, *size). E.g. the shared glyph atlas (nx/glyph_atlas.h): map the
// VMO NX_WM_GLYPH_ATLAS gives, then nx_glyph_atlas_attach the mapping.
long nx_vmo_map_readonly(nx_handle_t vmo, size_t *size);
// Memory given back to the system when freed, unlike malloc's (picolibc's free never lowers
// the heap): bytes (rounded up to pages) of a VMO of its own, mapped read-write and committed
// now, so that running out of budget is this call's NX_ERR_NO_MEMORY, not a fault at a first
// touch. NX_OK with *p, or the error (nothing left behind). For large, short-lived buffers.
long nx_pages_alloc(size_t bytes, void **p);
// Unmap what nx_pages_alloc(bytes, &p) gave: its pages return to the system.
void nx_pages_free(void *p, size_t bytes);

// printf (picolibc's formatting) straight to the stdio sink (nx/stdio.h), unbuffered, at
// most NX_STDIO_LINE_MAX - 1 bytes; needs no thread-local storage, so threads made with the
// bare thread_create syscall may use it. Returns the bytes written. Programs otherwise use
// picolibc's printf.
int nx_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nx_puts(const char *s);
// Flush stdio and end the process with status (what exit() ends in).
_Noreturn void nx_exit_process(long status);

// Wait on a notification until the deadline; on NX_OK *bits holds the bits taken.
static inline long nx_notify_wait_bits(nx_handle_t n, uint64_t deadline, uint64_t *bits)
{
    uint64_t out[6];
    long r = nx_notify_wait(n, deadline, out);
    *bits = out[0];
    return r;
}

static inline long nx_notify_poll_bits(nx_handle_t n, uint64_t *bits)
{
    uint64_t out[6];
    long r = nx_notify_poll(n, out);
    *bits = out[0];
    return r;
}

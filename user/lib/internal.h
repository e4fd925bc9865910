#pragma once
// libnx internals shared between its files (not part of the public API).
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nexus/ipc.h>

#define NX_PAGE 4096ul
#define NX_PAGE_UP(x) (((x) + NX_PAGE - 1) & ~(NX_PAGE - 1))
// The largest VMO (docs/abi.md, Limits).
#define NX_VMO_MAX_BYTES (256ul << 20)

// The calling thread's IPC buffer (runtime.c); set by whoever starts a thread.
extern __thread struct nx_ipc_buffer *nx_tls_ipc_buffer;

// Drop the heap state and the named startup handles a spawned copy of the program inherited
// (heap.c, runtime.c): they belong to the parent's address space and handle table.
void nx_heap_forget(void);
void nx_startup_forget(void);
// The same for open files (file.c: the working directory too) and the standard handles
// (stdhandles.c): the copy must not close the parent's at its exit.
void nx_file_forget(void);
void nx_stdio_forget_handles(void);
void nx_socket_forget(void);

// Called by nx_exit_process when set (runtime.c): socket.c sets it with the first socket, so
// open sockets are closed in order (a stream's unsent bytes still go) at exit.
extern void (*nx_socket_exit_hook)(void);

// A new VMO of `size` bytes with src[0..len) at offset `off` (the rest zero), mapped in proc
// at va (0: the kernel picks) with prot; the mapping keeps the VMO, whose handle is closed.
// Returns the address or a negative NX_ERR_* (nothing left mapped or open).
// A new VMO of size bytes (whole pages) mapped read-write here: the address, *vmo its handle;
// or an error (nothing left behind).
long nx_map_new_vmo(size_t size, nx_handle_t *vmo);
// Commit vmo's pages over [off, off + len), NX_VMO_RW_MAX bytes a call (each all or nothing);
// stops at the first failure and returns it.
long nx_vmo_commit_range(nx_handle_t vmo, size_t off, size_t len);
long nx_map_new_copy(nx_handle_t proc, uint64_t va, size_t size, size_t off, const void *src,
                     size_t len, uint32_t prot);

// A stack of `size` bytes for a new thread of proc, with an inaccessible guard page below it
// (an overflow faults instead of running into whatever is mapped next). Returns the stack's
// top (the initial sp) or a negative NX_ERR_*.
long nx_map_stack(nx_handle_t proc, size_t size);

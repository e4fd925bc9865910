#pragma once
// Starting programs from ELF files (user/lib/loader.c). The parent validates the file with
// the kernel's own parser (kernel/lib/elf.c), copies every PT_LOAD segment into a fresh VMO
// (file bytes, the rest zero), maps it into a new process with the segment's protection, maps
// a stack (NX_EXEC_STACK_SIZE, with an inaccessible guard page below it), starts the process
// with a bootstrap endpoint and runs the startup protocol (nx/startup.h) over it: arguments,
// named handles, done.
//
// Failures never leave anything behind: the half-made process is killed and every handle
// closed. The segment and stack VMOs are made, and so charged, by the caller, as is the
// child's whole budget until the child is freed.
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>

// A handle granted to the child under a name (nx_startup_handle(name) there). The handle is
// MOVED (it needs TRANSFER); nx_exec and nx_load consume every handle they are given, on
// success and on failure alike.
struct nx_named_handle {
    const char *name;  // 1 .. NX_STARTUP_NAME_MAX bytes, unique
    nx_handle_t handle;
};

#define NX_EXEC_STACK_SIZE (64 * 1024)

struct nx_load_params {
    const char *name;                      // process name (at most 31 bytes)
    const char *const *argv;               // argv[0..argc); argv[0] is the program's name
    int argc;
    const char *const *envp;               // envp[0..nenv): "NAME=VALUE" (environ there)
    int nenv;
    const struct nx_named_handle *handles; // nhandles of them (at most NX_STARTUP_HANDLES_MAX)
    size_t nhandles;
    size_t budget_pages;                   // the child's page budget (nx_process_create)
    uint32_t priority;                     // its first thread's: 0 = PRIO_USER_DEFAULT; at most
                                           // the caller's own (else NX_ERR_ACCESS)
    uint64_t timeout_ns;                   // for each startup reply; 0 = NX_STARTUP_TIMEOUT_NS
};

// Start the program in elf[0..len) (e.g. a file in the mapped boot archive). On success
// *proc = a process handle with every right. Errors: NX_ERR_INVALID for a malformed ELF
// file, and every error of process_create, vmo_create, vm_map, process_start and the IPC
// calls (NX_ERR_TIMED_OUT or NX_ERR_PEER_CLOSED: the child did not run the protocol);
// *why (if not NULL) gets a static one-line explanation either way ("ok" on success).
long nx_load(const void *elf, size_t len, const struct nx_load_params *p, nx_handle_t *proc,
             const char **why);

// nx_load of the ELF file at path, opened and mapped through the file system (nx/file.h)
// and closed again; the handles are consumed either way. NX_ERR_NOT_FOUND (*why: "no such
// program") if it cannot be opened, nx_file_map's and nx_load's errors otherwise.
long nx_load_file(const char *path, const struct nx_load_params *p, nx_handle_t *proc,
                  const char **why);

// nx_load of the file `path` in the boot archive (nx/bootfs.h: nx_bootfs_default()), named
// after path's last component; argv[0] = that name, then args[0..nargs). NX_ERR_NOT_FOUND
// if the archive has no such file, NX_ERR_BAD_STATE if this process has no boot archive.
long nx_exec(const char *path, const char *const *args, int nargs,
             const struct nx_named_handle *handles, size_t nhandles, size_t budget_pages,
             uint32_t priority, nx_handle_t *proc, const char **why);

// Wait until proc ends (at most until deadline) and return its exit status in *status.
long nx_process_wait(nx_handle_t proc, uint64_t deadline, long *status);

// Kill process pid of root's tree (root itself or a descendant: nx_process_descendant, with
// READ and MANAGE on root): NX_ERR_NOT_FOUND if it is not in the tree, else nx_process_kill's
// result.
long nx_process_kill_descendant(nx_handle_t root, uint32_t pid);

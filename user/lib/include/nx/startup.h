#pragma once
// The startup protocol (docs/userspace.md, "Starting a program"). A parent starts a program
// with ONE handle, the bootstrap endpoint; before main runs, the child's runtime answers the
// parent's calls on it:
//
//   label               bytes                                      handles
//   NX_STARTUP_ARGS     strings, each NUL-terminated, back to back  none
//   NX_STARTUP_HANDLES  one NUL-terminated name per handle          1 .. NX_MSG_HANDLES_MAX
//   NX_STARTUP_ENV      "NAME=VALUE" strings, NUL-terminated        none
//   NX_STARTUP_DONE     none                                        none
//
// ARGS, HANDLES and ENV may each come several times (their contents append) and end with DONE.
// Each reply has word 0 = NX_OK or the error that made the child refuse the message; after a
// refusal the child exits (status NX_STARTUP_EXIT_FAILED). The child waits at most
// NX_STARTUP_TIMEOUT_NS for each message, the parent as long for each reply, so neither side
// can hold the other forever.
//
// A program started by the kernel (a boot program) gets no bootstrap endpoint: argc is 1
// (argv[0] = "") and it has no named handles.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nexus/ipc.h>

enum {
    NX_STARTUP_ARGS = 0x53000001,
    NX_STARTUP_HANDLES = 0x53000002,
    NX_STARTUP_DONE = 0x53000003,
    NX_STARTUP_ENV = 0x53000004,
};

#define NX_STARTUP_ARGS_MAX 32           // argc, argv[0] (the program name) included
#define NX_STARTUP_ARG_BYTES_MAX 2048    // all strings of argv, NULs included
#define NX_STARTUP_HANDLES_MAX 16        // named handles
#define NX_STARTUP_ENV_MAX 16            // environment strings (the runtime's `environ`)
#define NX_STARTUP_ENV_BYTES_MAX 1024    // all of them, NULs included
#define NX_STARTUP_NAME_MAX 31           // bytes of a handle name, NUL excluded
#define NX_STARTUP_TIMEOUT_NS 2000000000ull
#define NX_STARTUP_EXIT_FAILED 127

// The handle the parent granted under `name` (it stays the process's; close it when done),
// or NX_HANDLE_INVALID if there is none.
nx_handle_t nx_startup_handle(const char *name);

// The i-th named handle and its name, for i < nx_startup_handle_count(); for listing.
size_t nx_startup_handle_count(void);
nx_handle_t nx_startup_handle_at(size_t i, const char **name);

// ---- the protocol's pure parts (no system calls; unit-tested on the host) ----

// What the child has received so far.
struct nx_startup_state {
    char args[NX_STARTUP_ARG_BYTES_MAX];
    size_t args_len;
    int argc;
    char *argv[NX_STARTUP_ARGS_MAX + 1];  // argv[argc] = NULL
    char names[NX_STARTUP_HANDLES_MAX][NX_STARTUP_NAME_MAX + 1];
    nx_handle_t handles[NX_STARTUP_HANDLES_MAX];
    size_t nhandles;
    char env[NX_STARTUP_ENV_BYTES_MAX];
    size_t env_len;
    int envc;
    char *envp[NX_STARTUP_ENV_MAX + 1];   // envp[envc] = NULL
    bool done;
};

void nx_startup_init(struct nx_startup_state *s);

// Take one startup message (label, nbytes bytes, nhandles handles with their values in
// handles[]). Returns NX_OK, or NX_ERR_INVALID (unknown label, a string without its NUL, a
// name empty or repeated or not one per handle, bytes with DONE), NX_ERR_TOO_BIG (over a
// limit above) or NX_ERR_BAD_STATE (after DONE). An ENV string must have a '=' after a
// non-empty name (NX_ERR_INVALID). On an error the state is unchanged, and the
// handles of the message are not taken: the caller closes them.
long nx_startup_accept(struct nx_startup_state *s, uint32_t label, const void *bytes,
                       size_t nbytes, const nx_handle_t *handles, size_t nhandles);

// Pack strings[0..n) into buf[0..cap) as NUL-terminated strings, as many whole strings as
// fit; *used = bytes written. Returns how many strings were packed (0 with n > 0 means the
// next string alone is longer than cap).
size_t nx_startup_pack(char *buf, size_t cap, const char *const *strings, size_t n,
                       size_t *used);

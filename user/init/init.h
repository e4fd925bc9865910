#pragma once
// init's shared state: the processes it started (manifest services and programs started
// through exec), the endpoint it serves exec and proc on, and the handles only it holds.
#include <stdbool.h>
#include <stdint.h>
#include <nexus/handle.h>

#include "manifest.h"
#include "restart.h"

#define MAX_CHILDREN 32   // one watch bit each in `wake`
#define TIMER_BIT (1ull << 63)

// Badges of handles to init's own endpoint: the client's badge plus the facet it may use.
#define BADGE_CLIENT_MASK 0xffffu
#define BADGE_EXEC (1u << 16)
#define BADGE_PROC (1u << 17)

enum child_state { CHILD_FREE, CHILD_RUNNING, CHILD_BACKOFF, CHILD_EXITED };

struct child {
    enum child_state state;
    uint32_t badge;                  // client id: kept across restarts
    const struct mf_service *svc;    // NULL for a program started through exec
    char name[MF_NAME_MAX];          // service name (programs: the file name)
    nx_handle_t ep;                  // the service's endpoint, every right (services only)
    nx_handle_t proc;                // the running instance (NX_HANDLE_INVALID if none)
    uint32_t pid;
    uint32_t restarts;
    uint64_t started_ns, restart_at_ns;
    int64_t exit_status;
    struct restart_state backoff;
    uint8_t virtio_slot[MF_MAX_GRANTS];  // per virtio:KIND grant: its slot + 1 (0: none yet)
};

extern struct manifest manifest;
extern struct child children[MAX_CHILDREN];
extern nx_handle_t init_ep;  // exec and proc are served here; deaths and the timer are bound
extern nx_handle_t wake;     // notification: bit i = children[i] ended; TIMER_BIT = timer

// children.c
struct child *child_new(const char *name, const struct mf_service *svc);
struct child *child_by_name(const char *name);
struct child *child_by_badge(uint32_t badge);
// Start a program for exec; `console` (or NX_HANDLE_INVALID), the caller's console, is
// granted to it under that name and consumed either way.
long child_start(struct child *c, const char *path, const char *const *args, int nargs,
                 uint32_t pages, uint32_t priority, nx_handle_t console);
long service_start(struct child *c);
void children_reap(uint64_t bits);
// Before the power goes: the file system writes back what its writers have open and syncs
// (at most SERVICE_CALL_TIMEOUT_NS, 1 s).
void children_sync_files(void);

// devices.c
// The virtio-mmio slot of c's virtio:KIND grant number `grant`: the one it had, else the
// first slot holding a modern device of the kind that no other service holds. The slot, or
// NX_ERR_NOT_FOUND (logged with why).
long virtio_claim(struct child *c, int grant);

// serve.c
void init_serve(void);

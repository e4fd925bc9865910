#pragma once
// The service manager's name table: name -> registered endpoint handle, with the badge of
// whoever registered it. No system calls (host-tested).
#include <stddef.h>
#include <stdint.h>

#define SVC_NAME_MAX 16   // with the NUL
#define SVC_MAX_NAMES 32

struct svc_entry {
    char name[SVC_NAME_MAX];  // "" for a free slot
    uint32_t handle;          // svcmgr's handle to the endpoint (MANAGE + DUPLICATE: it mints)
    uint32_t owner;           // badge of the registrant (0: init)
};

struct svc_table {
    struct svc_entry e[SVC_MAX_NAMES];
};

// NX_OK; NX_ERR_INVALID (empty name, or not NUL-terminated within SVC_NAME_MAX),
// NX_ERR_BAD_STATE (the name is taken), NX_ERR_NO_SPACE (table full).
int svc_add(struct svc_table *t, const char *name, uint32_t handle, uint32_t owner);
// The entry for name, or NULL.
const struct svc_entry *svc_find(const struct svc_table *t, const char *name);
// Remove every name owner registered; each removed handle goes to drop(ctx, handle).
// Returns how many.
int svc_remove_owner(struct svc_table *t, uint32_t owner, void (*drop)(void *, uint32_t),
                     void *ctx);
// The names in table order, from the index-th on, NUL-terminated back to back in out[cap].
// Returns the bytes written; *count = names written.
size_t svc_list(const struct svc_table *t, int index, char *out, size_t cap, int *count);

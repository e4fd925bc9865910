#pragma once
// The policy service's tables: who each client badge is, and which client may reach which
// service with what rights. No system calls, so the host tests run it under the sanitizers.
#include <stdint.h>

#define POLICY_NAME_MAX 16   // with the NUL
#define POLICY_MAX_CLIENTS 64
#define POLICY_MAX_RULES 64

struct policy_rule {
    char client[POLICY_NAME_MAX];   // a client name, or "*" for every client
    char service[POLICY_NAME_MAX];
    uint32_t rights;                // NX_RIGHT_* the client's handle gets
};

struct policy_client {
    uint32_t badge;  // 0: free slot (badge 0 is init's own, never a client)
    char name[POLICY_NAME_MAX];
};

struct policy {
    struct policy_client clients[POLICY_MAX_CLIENTS];
    int nrules;
    struct policy_rule rules[POLICY_MAX_RULES];
};

// Name the client whose handles carry badge (a restarted service keeps its badge, so naming
// it again replaces the name). NX_ERR_INVALID for badge 0 or a bad name, NX_ERR_NO_SPACE.
int policy_identify(struct policy *p, uint32_t badge, const char *name);
// Forget a badge (its process is gone for good).
void policy_forget(struct policy *p, uint32_t badge);
// The name of badge's client, or NULL.
const char *policy_name(const struct policy *p, uint32_t badge);
// Add a rule; rights are ORed into an existing rule for the same pair.
// NX_ERR_INVALID (bad name, no rights), NX_ERR_NO_SPACE.
int policy_allow(struct policy *p, const char *client, const char *service, uint32_t rights);
// May badge's client reach service? NX_OK with *rights (the union of every matching rule), or
// NX_ERR_ACCESS (no rule, or an unknown badge: nobody unnamed reaches anything).
int policy_check(const struct policy *p, uint32_t badge, const char *service, uint32_t *rights);

#pragma once
// The policy service's tables: who each client badge is, and which client may reach which
// service with what rights. No system calls, so the host tests run it under the sanitizers.
#include <stdint.h>
#include <nx/badges.h>

#define POLICY_NAME_MAX 16   // with the NUL
#define POLICY_MAX_RULES 64

struct policy_rule {
    char client[POLICY_NAME_MAX];   // a client name, or "*" for every client
    char service[POLICY_NAME_MAX];
    uint32_t rights;                // NX_RIGHT_* the client's handle gets
};

struct policy {
    struct nx_badge_names clients;
    int nrules;
    struct policy_rule rules[POLICY_MAX_RULES];
};

// Clients are named with nx_badge_name_set(&p->clients, ...): a restarted service keeps its
// badge and name; a process gone for good is forgotten.
// Add a rule; rights are ORed into an existing rule for the same pair.
// NX_ERR_INVALID (bad name, no rights), NX_ERR_NO_SPACE.
int policy_allow(struct policy *p, const char *client, const char *service, uint32_t rights);
// May badge's client reach service? NX_OK with *rights (the union of every matching rule), or
// NX_ERR_ACCESS (no rule, or an unknown badge: nobody unnamed reaches anything).
int policy_check(const struct policy *p, uint32_t badge, const char *service, uint32_t *rights);

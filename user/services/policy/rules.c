// Policy tables (see rules.h). Small linear tables: a system has tens of services, and a
// check happens once per lookup, not per message.
#include "rules.h"

#include <nexus/errors.h>
#include <string.h>

static int valid_name(const char *name)
{
    size_t n = strnlen(name, POLICY_NAME_MAX);
    return n > 0 && n < POLICY_NAME_MAX;
}

int policy_allow(struct policy *p, const char *client, const char *service, uint32_t rights)
{
    if (!valid_name(client) || !valid_name(service) || rights == 0)
        return NX_ERR_INVALID;
    for (int i = 0; i < p->nrules; i++) {
        struct policy_rule *r = &p->rules[i];
        if (!strcmp(r->client, client) && !strcmp(r->service, service)) {
            r->rights |= rights;
            return NX_OK;
        }
    }
    if (p->nrules == POLICY_MAX_RULES)
        return NX_ERR_NO_SPACE;
    struct policy_rule *r = &p->rules[p->nrules++];
    strcpy(r->client, client);
    strcpy(r->service, service);
    r->rights = rights;
    return NX_OK;
}

int policy_check(const struct policy *p, uint32_t badge, const char *service, uint32_t *rights)
{
    const char *client = nx_badge_name(&p->clients, badge);
    *rights = 0;
    for (int i = 0; client && i < p->nrules; i++) {
        const struct policy_rule *r = &p->rules[i];
        if ((!strcmp(r->client, "*") || !strcmp(r->client, client)) &&
            !strcmp(r->service, service))
            *rights |= r->rights;
    }
    return *rights ? NX_OK : NX_ERR_ACCESS;
}

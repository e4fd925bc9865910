// Badge -> name table (see nx/badges.h): a small array searched linearly; it changes when a
// process starts or ends and is read once per connection or lookup.
#include <string.h>
#include <nexus/errors.h>
#include <nx/badges.h>
#include <nx/rpc.h>
#include <nx/services.h>

_Static_assert(NX_BADGE_NAME_MAX == NX_SVC_NAME_MAX, "one name length");

// The entry for badge (badge 0: a free one), or -1.
static int find(const struct nx_badge_names *t, uint32_t badge)
{
    for (int i = 0; i < NX_BADGE_NAMES; i++)
        if (t->e[i].badge == badge)
            return i;
    return -1;
}

int nx_badge_name_set(struct nx_badge_names *t, uint32_t badge, const char *name)
{
    size_t n = strnlen(name, NX_BADGE_NAME_MAX);
    if (badge == 0 || n == NX_BADGE_NAME_MAX)
        return NX_ERR_INVALID;
    int i = find(t, badge);
    if (n == 0) {
        if (i >= 0)
            memset(&t->e[i], 0, sizeof(t->e[i]));
        return NX_OK;
    }
    if (i < 0 && (i = find(t, 0)) < 0)
        return NX_ERR_NO_SPACE;
    t->e[i].badge = badge;
    memcpy(t->e[i].name, name, n + 1);
    return NX_OK;
}

const char *nx_badge_name(const struct nx_badge_names *t, uint32_t badge)
{
    int i = badge ? find(t, badge) : -1;
    return i < 0 ? NULL : t->e[i].name;
}

long nx_badge_identify_op(struct nx_badge_names *t, const struct nx_rpc_req *req)
{
    struct nx_policy_identify id;
    if (req->badge != 0)
        return NX_ERR_ACCESS;
    memcpy(&id, req->data, sizeof(id));
    if (!memchr(id.name, '\0', sizeof(id.name)))
        return NX_ERR_INVALID;
    return nx_badge_name_set(t, id.badge, id.name);
}

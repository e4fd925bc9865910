// Service manager name table (see names.h): a small array searched linearly; names are
// looked up once per client connection, not per message.
#include "names.h"

#include <nexus/errors.h>
#include <string.h>

int svc_add(struct svc_table *t, const char *name, uint32_t handle, uint32_t owner)
{
    size_t n = strnlen(name, SVC_NAME_MAX);
    if (n == 0 || n == SVC_NAME_MAX)
        return NX_ERR_INVALID;
    if (svc_find(t, name))
        return NX_ERR_BAD_STATE;
    for (int i = 0; i < SVC_MAX_NAMES; i++) {
        struct svc_entry *e = &t->e[i];
        if (e->name[0])
            continue;
        memcpy(e->name, name, n + 1);
        e->handle = handle;
        e->owner = owner;
        return NX_OK;
    }
    return NX_ERR_NO_SPACE;
}

const struct svc_entry *svc_find(const struct svc_table *t, const char *name)
{
    for (int i = 0; i < SVC_MAX_NAMES; i++)
        if (t->e[i].name[0] && !strncmp(t->e[i].name, name, SVC_NAME_MAX))
            return &t->e[i];
    return NULL;
}

int svc_remove_owner(struct svc_table *t, uint32_t owner, void (*drop)(void *, uint32_t),
                     void *ctx)
{
    int n = 0;
    for (int i = 0; i < SVC_MAX_NAMES; i++) {
        struct svc_entry *e = &t->e[i];
        if (!e->name[0] || e->owner != owner)
            continue;
        drop(ctx, e->handle);
        memset(e, 0, sizeof(*e));
        n++;
    }
    return n;
}

size_t svc_list(const struct svc_table *t, int index, char *out, size_t cap, int *count)
{
    size_t used = 0;
    *count = 0;
    for (int i = 0, seen = 0; i < SVC_MAX_NAMES; i++) {
        size_t n = strlen(t->e[i].name) + 1;
        if (n == 1 || seen++ < index)
            continue;
        if (used + n > cap)
            break;
        memcpy(out + used, t->e[i].name, n);
        used += n;
        (*count)++;
    }
    return used;
}

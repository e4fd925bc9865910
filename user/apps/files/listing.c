// The Files app's directory model (listing.h).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include "listing.h"

void listing_clear(struct listing *l)
{
    l->n = 0;
    l->truncated = false;
}

bool listing_add(struct listing *l, const char *name, size_t len, bool dir, uint64_t size)
{
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return true;
    if (l->n == LISTING_MAX) {
        l->truncated = true;
        return false;
    }
    struct listing_entry *e = &l->e[l->n++];
    if (len > NX_FS_NAME_MAX)
        len = NX_FS_NAME_MAX;
    memcpy(e->name, name, len);
    e->name[len] = '\0';
    e->dir = dir;
    e->size = size;
    return true;
}

static int by_kind_then_name(const void *a, const void *b)
{
    const struct listing_entry *x = a, *y = b;
    if (x->dir != y->dir)
        return x->dir ? -1 : 1;
    return strcmp(x->name, y->name);
}

void listing_sort(struct listing *l)
{
    qsort(l->e, l->n, sizeof l->e[0], by_kind_then_name);
}

void listing_size(uint64_t bytes, char *out, size_t cap)
{
    static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
    if (bytes < 1024) {
        snprintf(out, cap, "%llu B", (unsigned long long)bytes);
        return;
    }
    // Tenths of the unit, rounded, without floating point.
    size_t u = 0;
    uint64_t scale = 1024;
    while (u + 1 < sizeof units / sizeof units[0] && bytes / scale >= 1024) {
        scale *= 1024;
        u++;
    }
    uint64_t tenths = (bytes / (scale / 1024) * 10 + 512) / 1024;
    snprintf(out, cap, "%llu.%llu %s", (unsigned long long)(tenths / 10),
             (unsigned long long)(tenths % 10), units[u]);
}

void listing_row(const struct listing_entry *e, char out[LISTING_ROW_BYTES])
{
    if (e->dir) {
        snprintf(out, LISTING_ROW_BYTES, "%.100s/", e->name);
        return;
    }
    char size[24];
    listing_size(e->size, size, sizeof size);
    snprintf(out, LISTING_ROW_BYTES, "%-40.100s %12s", e->name, size);
}

long listing_join(const char *dir, const char *name, char out[NX_FS_PATH_MAX])
{
    size_t d = strlen(dir), n = strlen(name);
    bool slash = d == 0 || dir[d - 1] != '/';
    if (d + slash + n + 1 > NX_FS_PATH_MAX)
        return NX_ERR_TOO_BIG;
    memmove(out, dir, d);
    if (slash)
        out[d++] = '/';
    memcpy(out + d, name, n + 1);
    return NX_OK;
}

bool listing_parent(char *path)
{
    char *slash = strrchr(path, '/');
    if (!slash || (slash == path && path[1] == '\0'))
        return false;
    if (slash == path)
        slash++;  // "/a" -> "/"
    *slash = '\0';
    return true;
}

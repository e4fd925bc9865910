// Path arithmetic (nx/path.h). A ".." is resolved against the path being built, never
// against the file system, so a directory handle's root is a wall whatever the tree holds.
#include <string.h>
#include <nexus/errors.h>
#include <nx/fs.h>
#include <nx/path.h>

// Drop the last component of out (length *len), but never shorten it below keep.
static long step_back(char *out, size_t *len, size_t keep)
{
    if (*len <= keep)
        return NX_ERR_ACCESS;
    while (*len > keep && out[*len - 1] != '/')
        (*len)--;
    if (*len > 1)
        (*len)--;  // the separator, unless it is the root's
    out[*len] = '\0';
    return NX_OK;
}

// Append component c[0..n) to out.
static long append(char *out, size_t *len, size_t cap, const char *c, size_t n)
{
    size_t sep = out[*len - 1] != '/';
    if (n > NX_FS_NAME_MAX || *len + sep + n + 1 > cap)
        return NX_ERR_TOO_BIG;
    if (sep)
        out[(*len)++] = '/';
    memcpy(out + *len, c, n);
    *len += n;
    out[*len] = '\0';
    return NX_OK;
}

long nx_path_resolve(const char *root, const char *rel, char *out, size_t cap)
{
    size_t len = strlen(root);
    if (rel[0] == '/')
        return NX_ERR_ACCESS;
    if (len + 1 > cap)
        return NX_ERR_TOO_BIG;
    memcpy(out, root, len + 1);
    const size_t keep = len;
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        long err = NX_OK;
        if (n == 2 && p[0] == '.' && p[1] == '.')
            err = step_back(out, &len, keep);
        else if (n && !(n == 1 && p[0] == '.'))
            err = append(out, &len, cap, p, n);
        if (err)
            return err;
        p += n + (p[n] == '/');
    }
    return NX_OK;
}

const char *nx_path_below(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    if (n == 1)
        return path + 1;
    if (strncmp(dir, path, n) || (path[n] && path[n] != '/'))
        return NULL;
    return path + n + (path[n] == '/');
}

const char *nx_path_split(const char *path, char *parent, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash || !slash[1])
        return NULL;
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n + 1 > cap)
        return NULL;
    memcpy(parent, path, n);
    parent[n] = '\0';
    return slash + 1;
}

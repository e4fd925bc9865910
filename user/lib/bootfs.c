// The boot archive, mapped read-only and searched with the kernel's cpio reader, the regular
// files read past remembered (see nx/bootfs.h).
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <nx/bootfs.h>
#include <nx/nx.h>
#include "lib/cpio.h"

// A regular file of the archive, its name without the leading "./" and "/".
struct nx_bootfs_file {
    const char *name;
    size_t namelen;
    const void *data;
    size_t size;
};

// The files the finds have read past, in archive order, and where the reading stopped.
struct nx_bootfs_index {
    size_t pos;                    // of the first entry not read yet (cpio_next)
    size_t count, capacity;
    struct nx_bootfs_file *files;  // [0, count)
};

#define INDEX_FIRST 32  // files the index has room for at first (it doubles as it fills)

long nx_bootfs_open(nx_handle_t archive, struct nx_bootfs *fs)
{
    long size = nx_vmo_size(archive);
    if (size < 0)
        return size;
    long va = nx_vm_map(nx_self, archive, 0, 0, (size_t)size, NX_PROT_READ);
    if (va < 0)
        return va;
    *fs = (struct nx_bootfs){ .vmo = archive, .base = (const void *)va, .size = (size_t)size,
                              .index = calloc(1, sizeof(struct nx_bootfs_index)) };
    return NX_OK;
}

void nx_bootfs_close(struct nx_bootfs *fs)
{
    nx_vm_unmap(nx_self, (long)fs->base, (long)fs->size);
    if (fs->index)
        free(fs->index->files);
    free(fs->index);
    fs->index = NULL;
    fs->base = NULL;
    fs->size = 0;
}

static long found(const void *d, size_t n, const void **data, size_t *size)
{
    *data = d;
    *size = n;
    return NX_OK;
}

static bool same_name(const struct nx_bootfs_file *f, const char *path, size_t plen)
{
    return f->namelen == plen && memcmp(f->name, path, plen) == 0;
}

// Room for one more file in the index, or false (the index stays as it is).
static bool index_room(struct nx_bootfs_index *x)
{
    if (x->count < x->capacity)
        return true;
    size_t cap = x->capacity ? 2 * x->capacity : INDEX_FIRST;
    struct nx_bootfs_file *files = realloc(x->files, cap * sizeof(*files));
    if (!files)
        return false;
    x->files = files;
    x->capacity = cap;
    return true;
}

// Read the archive on from where the index stopped, remembering its regular files, up to
// the first named path (plen bytes, prefix stripped): cpio_find's results, in its order.
// NX_ERR_NO_MEMORY if the index cannot grow (nothing lost: the caller reads the archive).
static long read_on(const struct nx_bootfs *fs, const char *path, size_t plen,
                    const void **data, size_t *size)
{
    struct nx_bootfs_index *x = fs->index;
    for (;;) {
        if (!index_room(x))
            return NX_ERR_NO_MEMORY;
        struct cpio_entry e;
        int err = cpio_next(fs->base, fs->size, &x->pos, &e);
        if (err == CPIO_END)
            return NX_ERR_NOT_FOUND;
        if (err != CPIO_OK)
            return NX_ERR_INVALID;
        if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFREG)
            continue;
        struct nx_bootfs_file *f = &x->files[x->count++];
        *f = (struct nx_bootfs_file){ e.name, e.namelen, e.data, e.size };
        cpio_strip_prefix(&f->name, &f->namelen);
        if (same_name(f, path, plen))
            return found(f->data, f->size, data, size);
    }
}

long nx_bootfs_find(const struct nx_bootfs *fs, const char *path, const void **data,
                    size_t *size)
{
    size_t plen = strlen(path);
    const char *p = path;
    cpio_strip_prefix(&p, &plen);
    long err = NX_ERR_NO_MEMORY;
    if (plen && fs->index) {
        for (size_t i = 0; i < fs->index->count; i++)
            if (same_name(&fs->index->files[i], p, plen))
                return found(fs->index->files[i].data, fs->index->files[i].size, data, size);
        err = read_on(fs, p, plen, data, size);
    }
    if (err != NX_ERR_NO_MEMORY)
        return err;
    struct cpio_entry e;  // no index: read the archive from its start
    int r = cpio_find(fs->base, fs->size, path, &e);
    if (r == CPIO_END)
        return NX_ERR_NOT_FOUND;
    if (r != CPIO_OK)
        return NX_ERR_INVALID;
    return found(e.data, e.size, data, size);
}

const struct nx_bootfs *nx_bootfs_default(void)
{
    static struct nx_bootfs fs;
    // Checked first: a copy made by nx_spawn has no archive, whatever its copy of fs says.
    if (nx_boot_archive == NX_HANDLE_INVALID)
        return NULL;
    if (!fs.base && nx_bootfs_open(nx_boot_archive, &fs) != NX_OK)
        return NULL;
    return &fs;
}

// The boot archive, mapped read-only and searched with the kernel's cpio reader (see
// nx/bootfs.h).
#include <nx/bootfs.h>
#include <nx/nx.h>
#include "lib/cpio.h"

long nx_bootfs_open(nx_handle_t archive, struct nx_bootfs *fs)
{
    long size = nx_vmo_size(archive);
    if (size < 0)
        return size;
    long va = nx_vm_map(nx_self, archive, 0, 0, (size_t)size, NX_PROT_READ);
    if (va < 0)
        return va;
    *fs = (struct nx_bootfs){ .vmo = archive, .base = (const void *)va, .size = (size_t)size };
    return NX_OK;
}

void nx_bootfs_close(struct nx_bootfs *fs)
{
    nx_vm_unmap(nx_self, (long)fs->base, (long)fs->size);
    fs->base = NULL;
    fs->size = 0;
}

long nx_bootfs_find(const struct nx_bootfs *fs, const char *path, const void **data,
                    size_t *size)
{
    struct cpio_entry e;
    int err = cpio_find(fs->base, fs->size, path, &e);
    if (err == CPIO_END)
        return NX_ERR_NOT_FOUND;
    if (err != CPIO_OK)
        return NX_ERR_INVALID;
    *data = e.data;
    *size = e.size;
    return NX_OK;
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

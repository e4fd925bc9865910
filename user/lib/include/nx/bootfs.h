#pragma once
// The boot archive (a cpio "newc" archive the kernel hands the first boot program as a
// sealed, read-only VMO: nx_boot_archive), mapped read-only and searched by file name with
// the kernel's own validated reader (kernel/lib/cpio.c).
#include <stddef.h>
#include <nexus/handle.h>

struct nx_bootfs_index;

struct nx_bootfs {
    nx_handle_t vmo;    // the archive VMO (the handle stays the caller's)
    const void *base;   // mapped read-only here
    size_t size;        // bytes mapped (the archive, rounded up to pages)
    struct nx_bootfs_index *index;  // the regular files finds have read past (NULL: none)
};

// Map the archive VMO read-only.
long nx_bootfs_open(nx_handle_t archive, struct nx_bootfs *fs);
void nx_bootfs_close(struct nx_bootfs *fs);

// Find a regular file: NX_OK with *data, *size pointing into the mapping; NX_ERR_NOT_FOUND;
// NX_ERR_INVALID if the archive is malformed before the file is found. The archive is sealed,
// so the regular files a find reads past are remembered (a heap array, freed by
// nx_bootfs_close): a later find looks through them before it reads on, and the archive's
// headers are parsed once in all (nx_exec of a program near the end: ~30,000 instructions
// the first time, a few hundred after). Without memory for that, finds read the archive.
long nx_bootfs_find(const struct nx_bootfs *fs, const char *path, const void **data,
                    size_t *size);

// nx_boot_archive, opened on first use (NULL if this process has no boot archive).
const struct nx_bootfs *nx_bootfs_default(void);

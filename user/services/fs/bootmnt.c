// The boot archive mounted read-only: a flat directory of the cpio archive's regular files.
// The archive is mapped, but its files start at 4-byte offsets, not on pages, so a file's
// page cache is one copy of it (counted), sealed afterwards.
#include <string.h>
#include <nx/bootfs.h>
#include <nx/nx.h>
#include "lib/cpio.h"
#include "mount.h"

#define FILL_CHUNK NX_VMO_RW_MAX

// The entry's name without the leading "./" or "/" cpio may store.
static const char *plain(const char *name)
{
    while (*name == '.' && name[1] == '/')
        name += 2;
    while (*name == '/')
        name++;
    return name;
}

static long boot_stat(void *ctx, const char *rel, struct nx_fs_stat *st)
{
    const struct nx_bootfs *fs = ctx;
    *st = (struct nx_fs_stat){ .mode = NX_FS_S_IFDIR | 0555, .nlink = 2 };
    if (!*rel)
        return NX_OK;
    struct cpio_entry e;
    int err = cpio_find(fs->base, fs->size, rel, &e);
    if (err != CPIO_OK)
        return err == CPIO_END ? NX_ERR_NOT_FOUND : NX_ERR_INVALID;
    *st = (struct nx_fs_stat){ .size = e.size, .mode = e.mode, .nlink = 1,
                               .ino = (uint64_t)((const char *)e.data - (const char *)fs->base) };
    return NX_OK;
}

static long boot_readdir(void *ctx, const char *rel, uint32_t index, uint8_t *out, size_t cap,
                         size_t *len)
{
    const struct nx_bootfs *fs = ctx;
    struct cpio_entry e;
    size_t pos = 0;
    long n = 0;
    *len = 0;
    if (*rel)
        return NX_ERR_NOT_FOUND;
    for (uint32_t i = 0; cpio_next(fs->base, fs->size, &pos, &e) == CPIO_OK;) {
        const char *name = plain(e.name);
        if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFREG || strchr(name, '/') || i++ < index)
            continue;
        if (fs_dirent_put(out, cap, len, name, strlen(name), NX_FS_DT_REG, (uint32_t)pos))
            break;
        n++;
    }
    return n;
}

static long boot_load(void *ctx, const char *rel, struct fb_file *f, uint64_t *copied)
{
    const struct nx_bootfs *fs = ctx;
    const void *data;
    size_t n;
    long err = nx_bootfs_find(fs, rel, &data, &n);
    for (size_t off = 0; !err && off < n && off < f->size; off += FILL_CHUNK) {
        size_t chunk = n - off < FILL_CHUNK ? n - off : FILL_CHUNK;
        err = nx_vmo_write(f->vmo, (long)off, ((const char *)data + off), (long)chunk);
        *copied += err ? 0 : chunk;
    }
    return err;
}

static void boot_unload(void *ctx, struct fb_file *f)
{
    (void)ctx, (void)f;
}

void bootmnt_init(struct fs_mount *m, const struct nx_bootfs *fs)
{
    *m = (struct fs_mount){ .name = "boot", .ctx = (void *)fs, .read_only = true,
                            .stat = boot_stat, .readdir = boot_readdir, .load = boot_load,
                            .unload = boot_unload };
}

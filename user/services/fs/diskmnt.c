// The ext2/ext3 disk (nx/ext2.h) behind the block service (nx/blk.h). Two data paths:
//   - metadata (superblock, bitmaps, inodes, directories, the journal) goes through the
//     ext2 library's block cache; the device moves it by DMA into a bounce VMO the service
//     maps, and one copy puts it into the cache (counted: bounce_copied);
//   - file data never touches the library: each page cache VMO is attached to the driver,
//     and the file's blocks (ext2_bmap) are read by DMA straight into it and written by DMA
//     straight out of it. A file read copies nothing anywhere.
#include <string.h>
#include <nx/blk.h>
#include <nx/ext2.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/time.h>
#include "mount.h"

#define SECTOR 512u
#define PAGE_BYTES 4096ull
#define BOUNCE_BYTES (64u * 1024)

struct disk {
    nx_handle_t blk;
    struct nx_blk_info info;
    uint32_t bounce_id;
    uint8_t *bounce;          // BOUNCE_BYTES, mapped
    struct ext2_fs *fs;
    uint32_t bsize;           // file system block size
    uint64_t bounce_copied;   // metadata bytes copied between the bounce VMO and the cache
};

static struct disk disk;

static long from_ext2(int err)
{
    switch (err) {
    case EXT2_E_NOENT: return NX_ERR_NOT_FOUND;
    case EXT2_E_EXIST: case EXT2_E_ISDIR: case EXT2_E_NOTDIR: case EXT2_E_NOTEMPTY:
        return NX_ERR_BAD_STATE;
    case EXT2_E_NOSPC: return NX_ERR_FULL;
    case EXT2_E_ROFS: return NX_ERR_ACCESS;
    case EXT2_E_INVAL: return NX_ERR_INVALID;
    case EXT2_E_NAMETOOLONG: case EXT2_E_FBIG: case EXT2_E_MLINK: return NX_ERR_TOO_BIG;
    case EXT2_E_NOMEM: return NX_ERR_NO_MEMORY;
    default: return err < 0 ? NX_ERR_IO : err;
    }
}

// ---- the block device the library sees: sectors through the bounce VMO ----

static uint32_t bounce_sectors(uint32_t count)
{
    uint32_t most = BOUNCE_BYTES / SECTOR;
    if (most > disk.info.max_blocks)
        most = disk.info.max_blocks;
    return count < most ? count : most;
}

static int dev_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    (void)ctx;
    for (uint32_t n; count; count -= n, sector += n, buf = (uint8_t *)buf + n * SECTOR) {
        n = bounce_sectors(count);
        long err = nx_blk_read(disk.blk, disk.bounce_id, 0, sector, n);
        if (err)
            return (int)err;
        memcpy(buf, disk.bounce, n * SECTOR);
        disk.bounce_copied += n * SECTOR;
    }
    return 0;
}

static int dev_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    (void)ctx;
    for (uint32_t n; count; count -= n, sector += n, buf = (const uint8_t *)buf + n * SECTOR) {
        n = bounce_sectors(count);
        memcpy(disk.bounce, buf, n * SECTOR);
        disk.bounce_copied += n * SECTOR;
        long err = nx_blk_write(disk.blk, disk.bounce_id, 0, sector, n);
        if (err)
            return (int)err;
    }
    return 0;
}

static int dev_flush(void *ctx)
{
    (void)ctx;
    return (int)nx_blk_flush(disk.blk);
}

// Timestamps come from the wall clock (the rtc service, nx/time.h) when init granted it and
// it answers with a plausible time; else from 2026-01-01 00:00 UTC plus the uptime, as before
// there was a clock. Timestamps need to look like times, not small numbers: e2fsck takes a
// deletion time below the inode count for an orphan-list link, and a file system whose last
// write time is 0 for a broken clock. ext2 keeps 32-bit seconds: times past 2106 stay there.
#define EPOCH_BASE 1767225600u
#define NS_PER_S 1000000000ull

static bool wall_clock;

static void clock_init(void)
{
    uint64_t ns;
    long err = nx_wallclock_get(&ns);
    wall_clock = err == NX_OK;
    if (wall_clock)
        nx_log(NX_LOG_INFO, "timestamps: the wall clock (rtc)");
    else if (err == NX_ERR_NOT_FOUND)  // a manifest without the service: as intended
        nx_log(NX_LOG_INFO, "timestamps: 2026-01-01 + uptime (no rtc service granted)");
    else
        nx_log(NX_LOG_WARN, "timestamps: 2026-01-01 + uptime (no wall clock: %ld)", err);
}

static uint32_t dev_now(void *ctx)
{
    (void)ctx;
    uint64_t ns;
    if (wall_clock && nx_wallclock_get(&ns) == NX_OK)
        return ns / NS_PER_S > UINT32_MAX ? UINT32_MAX : (uint32_t)(ns / NS_PER_S);
    return EPOCH_BASE + (uint32_t)((uint64_t)nx_clock_get() / NS_PER_S);
}

// ---- paths to inodes ----

// The inode rel names (no symbolic link is followed: a link is a file of its own kind, so
// none can lead out of a directory handle's tree).
static long walk(const char *rel, uint32_t *ino)
{
    char name[EXT2_NAME_MAX + 1];
    *ino = EXT2_ROOT_INO;
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        memcpy(name, p, n);
        name[n] = '\0';
        int err = ext2_lookup(disk.fs, *ino, name, ino);
        if (err)
            return from_ext2(err);
        p += n + (p[n] == '/');
    }
    return NX_OK;
}

// The directory holding rel and rel's last component (into name).
static long walk_parent(const char *rel, uint32_t *dir, char name[EXT2_NAME_MAX + 1])
{
    char parent[NX_FS_PATH_MAX];
    const char *slash = strrchr(rel, '/');
    size_t n = slash ? (size_t)(slash - rel) : 0;
    if (!*rel)
        return NX_ERR_BAD_STATE;   // the root has no parent
    memcpy(parent, rel, n);
    parent[n] = '\0';
    strcpy(name, slash ? slash + 1 : rel);
    return walk(parent, dir);
}

static long inode_stat(uint32_t ino, struct nx_fs_stat *st)
{
    struct ext2_stat e;
    long err = from_ext2(ext2_stat(disk.fs, ino, &e));
    if (!err)
        *st = (struct nx_fs_stat){ .ino = e.ino, .size = e.size, .mtime = e.mtime,
                                   .mode = e.mode, .nlink = e.nlink, .uid = e.uid, .gid = e.gid };
    return err;
}

static long disk_stat(void *ctx, const char *rel, struct nx_fs_stat *st)
{
    (void)ctx;
    uint32_t ino;
    long err = walk(rel, &ino);
    return err ? err : inode_stat(ino, st);
}

// Where disk_readdir puts the entries from index on.
struct listing {
    uint32_t index, seen;
    uint8_t *out;
    size_t cap, *len;
    long n;
};

static int list_entry(void *ctx, const struct ext2_dirent *d)
{
    static const uint8_t types[] = { [EXT2_FT_REG] = NX_FS_DT_REG, [EXT2_FT_DIR] = NX_FS_DT_DIR,
                                     [EXT2_FT_SYMLINK] = NX_FS_DT_LNK };
    struct listing *l = ctx;
    uint8_t type = d->type < sizeof types ? types[d->type] : 0;
    if (l->seen++ < l->index)
        return EXT2_EACH_NEXT;
    if (fs_dirent_put(l->out, l->cap, l->len, d->name, d->name_len, type, d->ino))
        return EXT2_EACH_BEFORE;
    l->n++;
    return EXT2_EACH_NEXT;
}

static long disk_readdir(void *ctx, const char *rel, uint32_t index, uint8_t *out, size_t cap,
                         size_t *len)
{
    (void)ctx;
    struct listing l = { index, 0, out, cap, len, 0 };
    uint32_t dir;
    uint64_t cookie = 0;
    long err = walk(rel, &dir);
    *len = 0;
    if (err)
        return err;
    int r = ext2_readdir_each(disk.fs, dir, &cookie, list_entry, &l);
    return r < 0 ? from_ext2(r) : l.n;
}

// ---- file data by DMA ----

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

// f's file blocks from b on, at most max, that lie on consecutive disk blocks (*blk the
// first) or are holes (*blk 0): how many, or an error. Writing allocates what is missing,
// unzeroed: the caller writes every block it gets whole (the page cache holds zeros past the
// size).
static long map_blocks(struct fb_file *f, uint64_t b, uint64_t max, bool write, uint64_t *blk)
{
    int n = ext2_bmap_run(disk.fs, f->ino, b, (uint32_t)max,
                          write ? EXT2_MAP_FILL : EXT2_MAP_LOOKUP, blk);
    return n < 0 ? from_ext2(n) : n;
}

// Consecutive file blocks on consecutive disk blocks: one request.
struct run { uint64_t file, disk, count; };

static long move_run(struct fb_file *f, const struct run *r, bool write)
{
    uint32_t per_block = disk.bsize / SECTOR;
    if (!r->count)
        return NX_OK;   // a hole: the page cache holds zeros already
    long err = (write ? nx_blk_write : nx_blk_read)(disk.blk, (uint32_t)f->dev_id,
                                                    r->file * disk.bsize, r->disk * per_block,
                                                    (uint32_t)(r->count * per_block));
    if (!err && write)
        ext2_filled(disk.fs, r->disk, r->count);
    return err;
}

// Move f's blocks [from, to) between the disk and its page cache, each block mapped once,
// in requests as long as the driver takes (runs the library maps apart that continue on the
// disk are joined).
static long move_blocks(struct fb_file *f, uint64_t from, uint64_t to, bool write)
{
    uint64_t most = disk.info.max_blocks / (disk.bsize / SECTOR);
    struct run r = { from, 0, 0 };
    for (uint64_t b = from; b < to;) {
        uint64_t blk;
        long n = map_blocks(f, b, min_u64(to - b, most), write, &blk);
        if (n < 0)
            return n;
        uint64_t join = blk && r.count && blk == r.disk + r.count ? min_u64(n, most - r.count) : 0;
        r.count += join;
        if (join < (uint64_t)n) {
            long err = move_run(f, &r, write);
            if (err)
                return err;
            r = (struct run){ b + join, blk ? blk + join : 0, blk ? n - join : 0 };
        }
        b += (uint64_t)n;
    }
    return move_run(f, &r, write);
}

static long disk_load(void *ctx, const char *rel, struct fb_file *f, uint64_t *copied)
{
    (void)ctx, (void)rel, (void)copied;
    long id = nx_blk_attach(disk.blk, f->vmo, NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_DMA |
                                              NX_RIGHT_MANAGE);
    if (id < 0)
        return id;
    f->dev_id = (int32_t)id;
    return NX_OK;
}

static void disk_unload(void *ctx, struct fb_file *f)
{
    (void)ctx;
    if (f->dev_id >= 0)
        nx_blk_detach(disk.blk, (uint32_t)f->dev_id);
    f->dev_id = -1;
}

// The file's blocks of pages [first, first + n) below byte `end`.
static void page_blocks(uint64_t first, uint64_t n, uint64_t end, uint64_t *from, uint64_t *to)
{
    uint64_t per_page = PAGE_BYTES / disk.bsize;
    *from = first * per_page;
    *to = min_u64((first + n) * per_page, (end + disk.bsize - 1) / disk.bsize);
    if (*to < *from)
        *to = *from;
}

// Pages come in zeroed (each is committed fresh), so only the block holding f->valid may show
// bytes past it: those are zeroed after the read.
static long disk_fill(void *ctx, struct fb_file *f, uint64_t first, uint64_t n)
{
    (void)ctx;
    static const uint8_t zeros[512];
    uint64_t from, to;
    page_blocks(first, n, f->valid, &from, &to);
    long err = move_blocks(f, from, to, false);
    uint64_t end = min_u64(to * disk.bsize, (first + n) * PAGE_BYTES);
    for (uint64_t off = f->valid > first * PAGE_BYTES ? f->valid : end; !err && off < end;) {
        uint64_t k = min_u64(sizeof(zeros), end - off);
        err = nx_vmo_write(f->vmo, (long)off, zeros, (long)k);
        off += k;
    }
    return err;
}

static long disk_resize(void *ctx, struct fb_file *f)
{
    (void)ctx;
    int err = f->valid < f->size ? ext2_truncate(disk.fs, f->ino, f->valid) : 0;
    if (!err)
        err = ext2_truncate(disk.fs, f->ino, f->size);
    if (!err)
        f->valid = f->on_disk = f->size;
    return from_ext2(err);
}

// ext3's data=ordered: the data blocks reach the disk (DMA, then the flush that starts every
// commit) before the commit that makes the new size and block pointers durable, so a power
// cut before the commit leaves the old file, one after it the new one, never pointers to
// blocks that were not written. New blocks are not zeroed first (ext2_bmap_fill): the DMA
// writes them whole, and a commit that comes before it zeroes them. The library keeps no
// cached copy of a mapped block, so nothing it writes later lands on top of the DMA.
static long disk_write_pages(void *ctx, struct fb_file *f, uint64_t first, uint64_t n)
{
    (void)ctx;
    uint64_t from, to;
    page_blocks(first, n, f->size, &from, &to);
    return move_blocks(f, from, to, true);
}

static long disk_commit(void *ctx, struct fb_file *f)
{
    (void)ctx;
    return from_ext2(ext2_fsync(disk.fs, f->ino));
}

// ---- changes to the tree ----

// One lookup in the parent: the create finds the name if it exists.
static long disk_create(void *ctx, const char *rel, uint32_t mode, bool excl,
                        struct nx_fs_stat *st)
{
    (void)ctx;
    char name[EXT2_NAME_MAX + 1];
    uint32_t dir, ino;
    long err = walk_parent(rel, &dir, name);
    if (err)
        return err;
    int e = ext2_create(disk.fs, dir, name, (uint16_t)(mode & 07777), 0, 0, &ino);
    if (e == EXT2_E_EXIST && !excl)
        e = 0;
    return e ? from_ext2(e) : inode_stat(ino, st);
}

static long disk_mkdir(void *ctx, const char *rel)
{
    (void)ctx;
    char name[EXT2_NAME_MAX + 1];
    uint32_t dir;
    long err = walk_parent(rel, &dir, name);
    return err ? err : from_ext2(ext2_mkdir(disk.fs, dir, name, 0755, 0, 0, NULL));
}

static long disk_remove(void *ctx, const char *rel)
{
    (void)ctx;
    char name[EXT2_NAME_MAX + 1];
    uint32_t dir, ino;
    struct nx_fs_stat st;
    long err = walk_parent(rel, &dir, name);
    if (!err)
        err = from_ext2(ext2_lookup(disk.fs, dir, name, &ino));
    if (!err)
        err = inode_stat(ino, &st);
    if (err)
        return err;
    bool is_dir = (st.mode & NX_FS_S_IFMT) == NX_FS_S_IFDIR;
    return from_ext2(is_dir ? ext2_rmdir(disk.fs, dir, name) : ext2_unlink(disk.fs, dir, name));
}

static long disk_rename(void *ctx, const char *from, const char *to)
{
    (void)ctx;
    char oname[EXT2_NAME_MAX + 1], nname[EXT2_NAME_MAX + 1];
    uint32_t odir, ndir;
    long err = walk_parent(from, &odir, oname);
    if (!err)
        err = walk_parent(to, &ndir, nname);
    return err ? err : from_ext2(ext2_rename(disk.fs, odir, oname, ndir, nname));
}

static long disk_sync(void *ctx)
{
    (void)ctx;
    return from_ext2(ext2_sync(disk.fs));
}

static void disk_statfs(void *ctx, struct nx_fs_statfs *sf)
{
    (void)ctx;
    struct ext2_statfs e;
    struct nx_blk_stats b;
    if (ext2_statfs(disk.fs, &e) == EXT2_OK) {
        sf->block_size = e.block_size;
        sf->blocks = e.blocks;
        sf->blocks_free = e.free_blocks;
        sf->inodes = e.inodes;
        sf->inodes_free = e.free_inodes;
    }
    if (nx_blk_stats(disk.blk, &b) == NX_OK)
        sf->driver_bytes_copied = b.bytes_copied;
    sf->metadata_bytes_copied = disk.bounce_copied;
}

static uint64_t disk_free_bytes(void *ctx)
{
    (void)ctx;
    struct ext2_statfs e;
    return ext2_statfs(disk.fs, &e) == EXT2_OK ? (uint64_t)e.free_blocks * e.block_size : 0;
}

// The bounce VMO: mapped here, attached to the driver.
static long bounce_init(void)
{
    long vmo = nx_vmo_create(BOUNCE_BYTES);
    if (vmo < 0)
        return vmo;
    long va = nx_vm_map(nx_self, vmo, 0, 0, BOUNCE_BYTES, NX_PROT_READ | NX_PROT_WRITE);
    long id = va < 0 ? va : nx_blk_attach(disk.blk, vmo, NX_RIGHT_READ | NX_RIGHT_WRITE |
                                                         NX_RIGHT_DMA);
    nx_handle_close(vmo);   // the mapping and the driver's copy keep it
    if (id < 0)
        return id;
    disk.bounce = (uint8_t *)va;
    disk.bounce_id = (uint32_t)id;
    return NX_OK;
}

long diskmnt_init(struct fs_mount *m, nx_handle_t blk, const char **why)
{
    static const struct ext2_blkdev dev = { .read = dev_read, .write = dev_write,
                                            .flush = dev_flush, .now = dev_now };
    struct ext2_blkdev d = dev;
    disk.blk = blk;
    clock_init();
    *why = "block device";
    long err = nx_blk_info(blk, &disk.info);
    if (!err && disk.info.block_size != SECTOR)
        err = NX_ERR_INVALID;
    if (!err)
        err = bounce_init();
    if (err)
        return err;
    d.sectors = disk.info.blocks;
    *why = "ext2 mount";
    int e = ext2_mount(&d, &(struct ext2_mount_opts){ 0 }, &disk.fs);
    if (e) {
        *why = ext2_strerror(e);
        return from_ext2(e);
    }
    disk.bsize = ext2_block_size(disk.fs);
    *m = (struct fs_mount){ .name = "disk", .ctx = &disk, .stat = disk_stat,
                            .readdir = disk_readdir, .load = disk_load, .unload = disk_unload,
                            .fill = disk_fill, .resize = disk_resize,
                            .write_pages = disk_write_pages, .commit = disk_commit,
                            .create = disk_create,
                            .mkdir = disk_mkdir, .remove = disk_remove, .rename = disk_rename,
                            .sync = disk_sync, .statfs = disk_statfs,
                            .free_bytes = disk_free_bytes };
    return NX_OK;
}

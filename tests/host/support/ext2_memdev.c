// Test support for the ext2 library: see ext2_memdev.h.
#include "ext2_memdev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void memdev_init(struct memdev *m, uint8_t *data, uint64_t size)
{
    memset(m, 0, sizeof(*m));
    m->data = data;
    m->size = size;
    m->cut = UINT64_MAX;
    m->cut_flush = UINT64_MAX;
    m->now = 1700000000;
}

static void undo_clear(struct memdev *m)
{
    for (size_t i = 0; i < m->nundo; i++)
        free(m->undo[i].old);
    m->nundo = 0;
}

void memdev_free(struct memdev *m)
{
    undo_clear(m);
    free(m->undo);
    m->undo = NULL;
}

static int in_range(struct memdev *m, uint64_t sector, uint32_t count)
{
    return sector <= m->size / 512 && count <= m->size / 512 - sector;
}

static int md_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
    struct memdev *m = ctx;
    if (!in_range(m, sector, count))
        return -1;
    memcpy(buf, m->data + sector * 512, (size_t)count * 512);
    return 0;
}

static void *grow(void *p, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return p;
    *cap = *cap ? 2 * *cap : 256;
    p = realloc(p, *cap * size);
    if (!p)
        abort();
    return p;
}

static void remember(struct memdev *m, uint64_t sector, uint32_t count)
{
    m->undo = grow(m->undo, m->nundo, &m->capundo, sizeof(*m->undo));
    uint8_t *old = malloc((size_t)count * 512);
    memcpy(old, m->data + sector * 512, (size_t)count * 512);
    m->undo[m->nundo++] = (struct undo){ sector, count, old };
}

static void log_write(struct iolog *log, uint64_t sector, uint32_t count, const void *buf)
{
    log->w = grow(log->w, log->nw, &log->capw, sizeof(*log->w));
    uint8_t *copy = malloc((size_t)count * 512);
    memcpy(copy, buf, (size_t)count * 512);
    log->w[log->nw++] = (struct logged_write){ sector, count, copy };
}

static int md_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
    struct memdev *m = ctx;
    if (!in_range(m, sector, count))
        return -1;
    if (m->writes++ >= m->cut || m->cut_done) {
        memdev_power_cut(m);
        return 0;   // the caller runs on; nothing more reaches the disk
    }
    if (m->log)
        log_write(m->log, sector, count, buf);
    if (m->lose_unflushed || m->revertible)
        remember(m, sector, count);
    memcpy(m->data + sector * 512, buf, (size_t)count * 512);
    return 0;
}

static int md_flush(void *ctx)
{
    struct memdev *m = ctx;
    if (m->log && !m->cut_done) {
        struct iolog *log = m->log;
        log->flush_at = grow(log->flush_at, log->nf, &log->capf, sizeof(*log->flush_at));
        log->flush_at[log->nf++] = log->nw;
    }
    if (m->flushes++ == m->cut_flush)
        memdev_power_cut(m);
    if (!m->cut_done && !m->revertible)
        undo_clear(m);
    return 0;
}

void memdev_revert(struct memdev *m)
{
    for (size_t i = m->nundo; i-- > 0;)
        memcpy(m->data + m->undo[i].sector * 512, m->undo[i].old, (size_t)m->undo[i].count * 512);
    undo_clear(m);
}

void iolog_free(struct iolog *log)
{
    for (size_t i = 0; i < log->nw; i++)
        free(log->w[i].data);
    free(log->w);
    free(log->flush_at);
    memset(log, 0, sizeof(*log));
}

static uint32_t md_now(void *ctx)
{
    return ((struct memdev *)ctx)->now;
}

void memdev_power_cut(struct memdev *m)
{
    if (m->cut_done)
        return;
    m->cut_done = true;
    // Undo newest first, so that of two writes to one sector the older one may survive.
    for (size_t i = m->nundo; i-- > 0;) {
        m->seed = m->seed * 1103515245u + 12345u;
        if (m->seed >> 16 & 1)
            memcpy(m->data + m->undo[i].sector * 512, m->undo[i].old,
                   (size_t)m->undo[i].count * 512);
    }
    undo_clear(m);
}

struct ext2_blkdev memdev_blkdev(struct memdev *m)
{
    return (struct ext2_blkdev){ .ctx = m, .sectors = m->size / 512, .read = md_read,
                                 .write = md_write, .flush = md_flush, .now = md_now };
}

int image_load(const char *path, uint8_t **data, uint64_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *data = malloc((size_t)n);
    *size = (uint64_t)n;
    int ok = *data && fread(*data, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    return ok ? 0 : -1;
}

int image_save(const char *path, const uint8_t *data, uint64_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static long walk_dir(struct ext2_fs *fs, uint32_t dir, int depth);

// One inode reached by name: its contents read as its type says.
static long visit(struct ext2_fs *fs, uint32_t ino, int depth)
{
    static uint8_t buf[8192];
    struct ext2_stat st;
    int r = ext2_stat(fs, ino, &st);
    if (r < 0)
        return r;
    switch (st.mode & EXT2_S_IFMT) {
    case EXT2_S_IFDIR:
        return depth > 0 ? walk_dir(fs, ino, depth - 1) : 1;
    case EXT2_S_IFLNK:
        r = ext2_readlink(fs, ino, (char *)buf, sizeof(buf));
        return r < 0 ? r : 1;
    case EXT2_S_IFREG:
        // A few spots, not every byte: sparse files may be huge.
        for (uint64_t off = 0; off < st.size && off < (1u << 20); off += sizeof(buf))
            if (ext2_read(fs, ino, off, buf, sizeof(buf)) < 0)
                return -1;
        if (st.size && ext2_read(fs, ino, st.size - 1, buf, 1) < 0)
            return -1;
        // Its block map in runs, as the fs service reads it.
        for (uint64_t b = 0, blk; b * ext2_block_size(fs) < st.size && b < 4096; b += (uint64_t)r)
            if ((r = ext2_bmap_run(fs, ino, b, 256, EXT2_MAP_LOOKUP, &blk)) < 0)
                return -1;
        return 1;
    default:
        return 1;
    }
}

static long walk_dir(struct ext2_fs *fs, uint32_t dir, int depth)
{
    struct ext2_dirent e;
    uint64_t cookie = 0;
    long n = 1;
    int r;
    for (int i = 0; i < 10000 && (r = ext2_readdir(fs, dir, &cookie, &e)) == 1; i++) {
        if (strcmp(e.name, ".") == 0 || strcmp(e.name, "..") == 0)
            continue;
        uint32_t ino;
        if (ext2_lookup(fs, dir, e.name, &ino) < 0 || ino != e.ino)
            return -1;
        long v = visit(fs, ino, depth);
        if (v < 0)
            return v;
        n += v;
    }
    return r < 0 ? r : n;
}

long ext2_walk(struct ext2_fs *fs, int max_depth)
{
    return visit(fs, EXT2_ROOT_INO, max_depth);
}

void ext2_exercise(struct ext2_fs *fs)
{
    static const char text[3000] = "some file contents";
    uint32_t ino, dir;
    int n;
    ext2_walk(fs, 6);
    if (ext2_create(fs, EXT2_ROOT_INO, "new", 0644, 0, 0, &ino) == 0) {
        ext2_write(fs, ino, 0, text, sizeof(text));
        ext2_write(fs, ino, 300000, text, 10);
        ext2_truncate(fs, ino, 1000);
        // Runs allocated as the fs service's write-back does, never written: the sync zeroes
        // them.
        uint64_t blk;
        ext2_truncate(fs, ino, 300 * ext2_block_size(fs));
        for (uint64_t b = 0; b < 300; b += (uint64_t)n)
            if ((n = ext2_bmap_run(fs, ino, b, 128, EXT2_MAP_FILL, &blk)) < 0)
                break;
    }
    if (ext2_mkdir(fs, EXT2_ROOT_INO, "newdir", 0755, 0, 0, &dir) == 0)
        ext2_rename(fs, EXT2_ROOT_INO, "new", dir, "moved");
    struct ext2_dirent e;
    uint64_t cookie = 0;
    for (int i = 0; i < 8 && ext2_readdir(fs, EXT2_ROOT_INO, &cookie, &e) == 1; i++) {
        if (e.type == EXT2_FT_DIR)
            ext2_rmdir(fs, EXT2_ROOT_INO, e.name);
        else
            ext2_unlink(fs, EXT2_ROOT_INO, e.name);
    }
    ext2_symlink(fs, EXT2_ROOT_INO, "sym", "newdir/moved", 0, 0, NULL);
    ext2_sync(fs);
}

int ext2_dirty_image(const char *path, uint8_t **data, uint64_t *size)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "mke2fs -q -F -t ext3 -b 1024 -N 32 -J size=1 %s 3M "
             ">/dev/null 2>&1", path);
    if (system(cmd) != 0 || image_load(path, data, size) < 0)
        return -1;
    struct memdev md;
    memdev_init(&md, *data, *size);
    struct ext2_blkdev dev = memdev_blkdev(&md);
    struct ext2_fs *fs;
    if (ext2_mount(&dev, NULL, &fs) < 0)
        return -1;
    static uint8_t buf[20000];
    memset(buf, 'z', sizeof(buf));
    uint32_t d, f;
    ext2_mkdir(fs, EXT2_ROOT_INO, "d", 0755, 0, 0, &d);
    ext2_create(fs, d, "f", 0644, 0, 0, &f);
    ext2_write(fs, f, 0, buf, sizeof(buf));
    ext2_symlink(fs, d, "l", "f", 0, 0, NULL);
    ext2_sync(fs);
    ext2_create(fs, EXT2_ROOT_INO, "g", 0644, 0, 0, &f);
    ext2_write(fs, f, 0, buf, 5000);
    // The flushes of a sync: data and log, commit record, then the checkpoint's. Cut at the
    // checkpoint: the transaction stays in the log.
    md.cut_flush = md.flushes + 2;
    ext2_sync(fs);
    ext2_unmount(fs);
    memdev_free(&md);
    return 0;
}

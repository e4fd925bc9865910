// The block cache: a fixed number of block buffers, found by a hash of the block number and
// replaced least-recently-used. xv6's discipline: bread() holds a buffer until brelse(), and
// a held buffer, or one in the running transaction, is never replaced; nor is a pinned one
// (committed, not yet home): when only those are left, a checkpoint writes them home first.
// Dirty data blocks are written back when replaced or before a commit; journaled blocks only
// by the journal.
#include <stdlib.h>

#include "ext2_int.h"

// count blocks from blk: one device request.
static int dev_io(struct ext2_fs *fs, uint64_t blk, uint32_t count, void *buf, int write)
{
    uint64_t sector = blk * fs->sectors_per_block, sectors = (uint64_t)count * fs->sectors_per_block;
    if (blk + count > fs->sb.blocks_count || sector + sectors > fs->dev.sectors)
        return corrupt(fs);
    int r;
    if (write) {
        if (fs->ro)
            return EXT2_E_ROFS;
        fs->cnt.dev_writes++;
        fs->unflushed = true;
        r = fs->dev.write(fs->dev.ctx, sector, (uint32_t)sectors, buf);
    } else {
        fs->cnt.dev_reads++;
        r = fs->dev.read(fs->dev.ctx, sector, (uint32_t)sectors, buf);
    }
    return r < 0 ? fs_fail(fs, EXT2_E_IO) : 0;
}

int dev_rw(struct ext2_fs *fs, uint64_t blk, void *buf, int write)
{
    return dev_io(fs, blk, 1, buf, write);
}

int dev_write_run(struct ext2_fs *fs, uint64_t blk, uint32_t count, const void *buf)
{
    return dev_io(fs, blk, count, (void *)buf, 1);
}

int cache_flush_dev(struct ext2_fs *fs)
{
    if (fs->ro)
        return EXT2_E_ROFS;
    fs->cnt.dev_flushes++;
    fs->unflushed = false;
    return fs->dev.flush(fs->dev.ctx) < 0 ? fs_fail(fs, EXT2_E_IO) : 0;
}

int cache_init(struct ext2_fs *fs, uint32_t nbufs)
{
    uint32_t hsize = 1;
    while (hsize < 2 * nbufs)
        hsize <<= 1;
    fs->bufs = calloc(nbufs, sizeof(*fs->bufs));
    fs->hash = malloc(hsize * sizeof(*fs->hash));
    uint8_t *data = malloc((size_t)nbufs * fs->bs);
    if (!fs->bufs || !fs->hash || !data) {
        free(fs->bufs);
        free(fs->hash);
        free(data);
        fs->bufs = NULL;
        fs->hash = NULL;
        return EXT2_E_NOMEM;
    }
    fs->nbufs = nbufs;
    fs->hash_mask = hsize - 1;
    for (uint32_t i = 0; i < hsize; i++)
        fs->hash[i] = -1;
    for (uint32_t i = 0; i < nbufs; i++) {
        fs->bufs[i].data = data + (size_t)i * fs->bs;
        fs->bufs[i].hnext = -1;
    }
    return 0;
}

void cache_free(struct ext2_fs *fs)
{
    if (!fs->bufs)
        return;
    for (uint32_t i = 0; i < fs->nbufs; i++)
        free(fs->bufs[i].committed);
    free(fs->bufs[0].data);
    free(fs->bufs);
    free(fs->hash);
    fs->bufs = NULL;
}

static int32_t *hash_head(struct ext2_fs *fs, uint64_t blk)
{
    return &fs->hash[(uint32_t)(blk * 2654435761u) & fs->hash_mask];
}

static struct buf *lookup(struct ext2_fs *fs, uint64_t blk)
{
    for (int32_t i = *hash_head(fs, blk); i >= 0; i = fs->bufs[i].hnext)
        if (fs->bufs[i].blk == blk)
            return &fs->bufs[i];
    return NULL;
}

// Takes b out of the hash and marks it empty.
static void unhash(struct ext2_fs *fs, struct buf *b)
{
    int32_t idx = (int32_t)(b - fs->bufs);
    for (int32_t *p = hash_head(fs, b->blk); *p >= 0; p = &fs->bufs[*p].hnext) {
        if (*p == idx) {
            *p = b->hnext;
            break;
        }
    }
    b->hnext = -1;
    b->valid = 0;
    b->dirty = 0;
    b->pinned = 0;
}

// The least recently used buffer nobody holds and no transaction needs (*pinned: some
// buffer was passed over only for being pinned).
static struct buf *lru_free(struct ext2_fs *fs, int *pinned)
{
    struct buf *best = NULL;
    *pinned = 0;
    for (uint32_t i = 0; i < fs->nbufs; i++) {
        struct buf *b = &fs->bufs[i];
        if (b->refs || b->journaled)
            continue;
        if (b->pinned) {
            *pinned = 1;
            continue;
        }
        if (!b->valid)
            return b;
        if (!best || b->lru < best->lru)
            best = b;
    }
    return best;
}

// A buffer to reuse, written back first if it is dirty data; when only pinned ones are left,
// a checkpoint writes them home and frees them all.
static int victim(struct ext2_fs *fs, struct buf **out)
{
    int pinned;
    struct buf *best = lru_free(fs, &pinned);
    if (!best && pinned) {
        int r = journal_checkpoint(fs);
        if (r < 0)
            return r;
        best = lru_free(fs, &pinned);
    }
    if (!best)   // the running transaction plus held buffers fill the cache
        return fs_fail(fs, EXT2_E_NOSPC);
    if (best->valid && best->dirty) {
        int r = dev_rw(fs, best->blk, best->data, 1);
        if (r < 0)
            return r;
    }
    if (best->valid)
        unhash(fs, best);
    *out = best;
    return 0;
}

static int get(struct ext2_fs *fs, uint64_t blk, int read, struct buf **out)
{
    if (blk >= fs->sb.blocks_count)
        return corrupt(fs);
    struct buf *b = lookup(fs, blk);
    if (b) {
        fs->cnt.cache_hits++;
    } else {
        fs->cnt.cache_misses++;
        int r = victim(fs, &b);
        if (r < 0)
            return r;
        if (read && (r = dev_rw(fs, blk, b->data, 0)) < 0)
            return r;
        if (!read)
            memset(b->data, 0, fs->bs);
        b->blk = blk;
        b->valid = 1;
        int32_t *head = hash_head(fs, blk);
        b->hnext = *head;
        *head = (int32_t)(b - fs->bufs);
    }
    b->refs++;
    b->lru = ++fs->tick;
    *out = b;
    return 0;
}

int bread(struct ext2_fs *fs, uint64_t blk, struct buf **out)
{
    return get(fs, blk, 1, out);
}

int bzero_get(struct ext2_fs *fs, uint64_t blk, struct buf **out)
{
    int r = get(fs, blk, 0, out);
    if (r == 0)
        memset((*out)->data, 0, fs->bs);
    return r;
}

void brelse(struct ext2_fs *fs, struct buf *b)
{
    (void)fs;
    b->refs--;
}

void bdirty(struct buf *b)
{
    if (!b->journaled)
        b->dirty = 1;
}

int bforget(struct ext2_fs *fs, uint64_t blk)
{
    struct buf *b = lookup(fs, blk);
    if (!b)
        return 0;
    int r = b->pinned ? journal_forget(fs, b) : 0;
    if (r < 0)
        return r;
    if (b->journaled) {
        b->journaled = 0;
        fs->txn_blocks--;
    }
    free(b->committed);
    b->committed = NULL;
    unhash(fs, b);
    return 0;
}

int cache_evict(struct ext2_fs *fs, uint64_t blk)
{
    struct buf *b = lookup(fs, blk);
    if (!b || b->refs || b->journaled || b->pinned)
        return 0;
    int r = b->dirty ? dev_rw(fs, blk, b->data, 1) : 0;
    if (r == 0)
        unhash(fs, b);
    return r;
}

void cache_drop_all(struct ext2_fs *fs)
{
    for (uint32_t i = 0; i < fs->nbufs; i++)
        if (fs->bufs[i].valid && !fs->bufs[i].refs && !fs->bufs[i].journaled &&
            !fs->bufs[i].pinned && !fs->bufs[i].dirty)
            unhash(fs, &fs->bufs[i]);
}

int cache_write_dirty(struct ext2_fs *fs)
{
    for (uint32_t i = 0; i < fs->nbufs; i++) {
        struct buf *b = &fs->bufs[i];
        if (b->valid && b->dirty) {
            int r = dev_rw(fs, b->blk, b->data, 1);
            if (r < 0)
                return r;
            b->dirty = 0;
        }
    }
    return 0;
}

int cache_zero_unfilled(struct ext2_fs *fs)
{
    if (fs->nunfilled == 0)
        return 0;
    uint8_t *zero = calloc(1, fs->bs);
    int r = zero ? 0 : fs_fail(fs, EXT2_E_NOMEM);
    for (uint32_t i = 0; r == 0 && i < fs->nunfilled; i++)
        r = dev_rw(fs, fs->unfilled[i], zero, 1);
    free(zero);
    if (r == 0)
        fs->nunfilled = 0;
    return r;
}

// The block cache: a fixed number of block buffers, found by a hash of the block number and
// replaced least-recently-used. xv6's discipline: bread() holds a buffer until brelse(), and
// a held buffer, or one in the running transaction, is never replaced. Dirty data blocks
// are written back when replaced or before a commit; journaled blocks only by the journal.
#include <stdlib.h>

#include "ext2_int.h"

int dev_rw(struct ext2_fs *fs, uint64_t blk, void *buf, int write)
{
    uint64_t sector = blk * fs->sectors_per_block;
    if (blk >= fs->sb.blocks_count || sector + fs->sectors_per_block > fs->dev.sectors)
        return corrupt(fs);
    int r;
    if (write) {
        if (fs->ro)
            return EXT2_E_ROFS;
        fs->cnt.dev_writes++;
        r = fs->dev.write(fs->dev.ctx, sector, fs->sectors_per_block, buf);
    } else {
        fs->cnt.dev_reads++;
        r = fs->dev.read(fs->dev.ctx, sector, fs->sectors_per_block, buf);
    }
    return r < 0 ? fs_fail(fs, EXT2_E_IO) : 0;
}

int cache_flush_dev(struct ext2_fs *fs)
{
    if (fs->ro)
        return EXT2_E_ROFS;
    fs->cnt.dev_flushes++;
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
}

// The least recently used buffer nobody holds and no transaction needs, written back first
// if it is dirty data.
static int victim(struct ext2_fs *fs, struct buf **out)
{
    struct buf *best = NULL;
    for (uint32_t i = 0; i < fs->nbufs; i++) {
        struct buf *b = &fs->bufs[i];
        if (b->refs || b->journaled)
            continue;
        if (!b->valid) {
            best = b;
            break;
        }
        if (!best || b->lru < best->lru)
            best = b;
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

void bforget(struct ext2_fs *fs, uint64_t blk)
{
    struct buf *b = lookup(fs, blk);
    if (!b)
        return;
    if (b->journaled) {
        b->journaled = 0;
        fs->txn_blocks--;
    }
    free(b->committed);
    b->committed = NULL;
    unhash(fs, b);
}

int cache_evict(struct ext2_fs *fs, uint64_t blk)
{
    struct buf *b = lookup(fs, blk);
    if (!b || b->refs || b->journaled)
        return 0;
    int r = b->dirty ? dev_rw(fs, blk, b->data, 1) : 0;
    if (r == 0)
        unhash(fs, b);
    return r;
}

void cache_drop_all(struct ext2_fs *fs)
{
    for (uint32_t i = 0; i < fs->nbufs; i++)
        if (fs->bufs[i].valid && !fs->bufs[i].refs && !fs->bufs[i].journaled && !fs->bufs[i].dirty)
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

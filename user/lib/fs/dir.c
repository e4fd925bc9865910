// Directories: linear lists of entries in whole blocks (inode, rec_len, name_len, file type,
// name). Every block is checked whole before any entry in it is used. An htree (dir_index)
// directory is read the same way, its index blocks looking like empty entries; a change
// clears its index flag, which leaves a valid linear directory.
#include "ext2_int.h"

#define DIRENT_HDR 8

struct dirent_raw { uint32_t ino; uint16_t rec_len; uint8_t name_len, type; };

static struct dirent_raw raw_at(const uint8_t *p)
{
    return (struct dirent_raw){ get32(p), get16(p + 4), p[6], p[7] };
}

static uint32_t rec_need(size_t name_len)
{
    return (uint32_t)(DIRENT_HDR + ((name_len + 3) & ~(size_t)3));
}

static void raw_put(struct ext2_fs *fs, uint8_t *p, uint32_t ino, uint32_t rec_len,
                    const char *name, size_t len, int type)
{
    put32(p, ino);
    put16(p + 4, (uint16_t)rec_len);
    p[6] = (uint8_t)len;
    p[7] = fs->sb.feature_incompat & INCOMPAT_FILETYPE ? (uint8_t)type : 0;
    memcpy(p + DIRENT_HDR, name, len);
}

static int block_check(struct ext2_fs *fs, const uint8_t *data)
{
    int filetype = !!(fs->sb.feature_incompat & INCOMPAT_FILETYPE);
    for (uint32_t off = 0; off < fs->bs;) {
        if (off + DIRENT_HDR > fs->bs)
            return corrupt(fs);
        struct dirent_raw d = raw_at(data + off);
        if (d.rec_len < DIRENT_HDR || d.rec_len % 4 || off + d.rec_len > fs->bs ||
            DIRENT_HDR + d.name_len > d.rec_len || d.ino > fs->sb.inodes_count ||
            (d.ino && d.name_len == 0) || (!filetype && d.type))
            return corrupt(fs);
        off += d.rec_len;
    }
    return 0;
}

static int dir_blocks(struct ext2_fs *fs, const struct ext2_inode *dp, uint32_t *n)
{
    uint64_t size = isize(dp);
    if (size % fs->bs || size / fs->bs > fs->max_file_blocks)
        return corrupt(fs);
    *n = (uint32_t)(size / fs->bs);
    return 0;
}

// Directory block bi, checked; held until brelse.
static int dir_block(struct ext2_fs *fs, struct ext2_inode *dp, uint32_t bi, struct buf **out)
{
    uint32_t blk;
    int r = imap(fs, 0, dp, bi, 0, &blk);
    if (r < 0)
        return r;
    if (blk == 0)
        return corrupt(fs);   // directories have no holes
    if ((r = bread(fs, blk, out)) < 0)
        return r;
    if ((r = block_check(fs, (*out)->data)) < 0)
        brelse(fs, *out);
    return r;
}

// The first used entry at or after *pos: fills e, sets *start to its position and *pos past
// it. Returns 1, or 0 at the end. *pos need not fall on an entry (a stale cookie).
static int next_entry(struct ext2_fs *fs, struct ext2_inode *dp, uint64_t *pos,
                      uint64_t *start, struct ext2_dirent *e)
{
    uint32_t n = 0;
    int r = dir_blocks(fs, dp, &n);
    for (uint32_t bi = (uint32_t)(*pos / fs->bs); r == 0 && bi < n; bi++) {
        struct buf *b;
        if ((r = dir_block(fs, dp, bi, &b)) < 0)
            return r;
        uint64_t base = (uint64_t)bi * fs->bs;
        for (uint32_t off = 0; off < fs->bs; off += raw_at(b->data + off).rec_len) {
            struct dirent_raw d = raw_at(b->data + off);
            if (base + off < *pos || d.ino == 0)
                continue;
            e->ino = d.ino;
            e->type = d.type;
            e->name_len = d.name_len;
            memcpy(e->name, b->data + off + DIRENT_HDR, d.name_len);
            e->name[d.name_len] = 0;
            *start = base + off;
            *pos = base + off + d.rec_len;
            brelse(fs, b);
            return 1;
        }
        brelse(fs, b);
        *pos = base + fs->bs;
    }
    return r;
}

int dir_next(struct ext2_fs *fs, struct ext2_inode *dp, uint64_t *pos, struct ext2_dirent *e)
{
    uint64_t start;
    return next_entry(fs, dp, pos, &start, e);
}

int dir_find(struct ext2_fs *fs, struct ext2_inode *dp, const char *name, size_t len,
             struct dir_slot *slot)
{
    struct ext2_dirent e;
    uint64_t pos = 0, start;
    int r;
    while ((r = next_entry(fs, dp, &pos, &start, &e)) == 1) {
        if (e.name_len == len && memcmp(e.name, name, len) == 0) {
            *slot = (struct dir_slot){ start, e.ino, e.type };
            return 0;
        }
    }
    return r < 0 ? r : EXT2_E_NOENT;
}

int dir_is_empty(struct ext2_fs *fs, struct ext2_inode *dp)
{
    struct ext2_dirent e;
    uint64_t pos = 0;
    int r;
    while ((r = dir_next(fs, dp, &pos, &e)) == 1)
        if (strcmp(e.name, ".") != 0 && strcmp(e.name, "..") != 0)
            return 0;
    return r < 0 ? r : 1;
}

// The directory changed: times, and no htree index that could now be stale.
static int dir_touch(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp)
{
    dp->mtime = dp->ctime = fs_now(fs);
    dp->flags &= ~(uint32_t)EXT2_INDEX_FL;
    return iput(fs, dino, dp);
}

// Puts the entry into block b if some entry there has room after it (or is unused).
static int add_in_block(struct ext2_fs *fs, struct buf *b, const char *name, size_t len,
                        uint32_t ino, int type, int *done)
{
    uint32_t need = rec_need(len);
    *done = 0;
    for (uint32_t off = 0; off < fs->bs;) {
        struct dirent_raw d = raw_at(b->data + off);
        uint32_t used = d.ino ? rec_need(d.name_len) : 0;
        if (d.rec_len - used >= need) {
            int r = bjournal(fs, b);
            if (r < 0)
                return r;
            if (used)
                put16(b->data + off + 4, (uint16_t)used);
            raw_put(fs, b->data + off + used, ino, d.rec_len - used, name, len, type);
            *done = 1;
            return 0;
        }
        off += d.rec_len;
    }
    return 0;
}

int dir_add(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, const char *name,
            uint32_t ino, int type)
{
    size_t len = strlen(name);
    uint32_t n = 0, blk;
    int r = dir_blocks(fs, dp, &n), done = 0;
    for (uint32_t bi = 0; r == 0 && bi < n && !done; bi++) {
        struct buf *b;
        if ((r = dir_block(fs, dp, bi, &b)) < 0)
            return r;
        r = add_in_block(fs, b, name, len, ino, type, &done);
        brelse(fs, b);
    }
    if (r == 0 && !done && (r = imap(fs, dino, dp, n, IMAP_META, &blk)) == 0) {
        struct buf *b;
        if ((r = bread(fs, blk, &b)) < 0)
            return r;
        if ((r = bjournal(fs, b)) == 0)
            raw_put(fs, b->data, ino, fs->bs, name, len, type);
        brelse(fs, b);
        iset_size(dp, (uint64_t)(n + 1) * fs->bs);
    }
    return r < 0 ? r : dir_touch(fs, dino, dp);
}

// The entry at pos, checked block held: *b, its offset and the previous entry's (or -1).
static int entry_at(struct ext2_fs *fs, struct ext2_inode *dp, uint64_t pos, struct buf **b,
                    uint32_t *off, int64_t *prev)
{
    int r = dir_block(fs, dp, (uint32_t)(pos / fs->bs), b);
    if (r < 0)
        return r;
    *off = (uint32_t)(pos % fs->bs);
    *prev = -1;
    for (uint32_t o = 0; o < fs->bs; o += raw_at((*b)->data + o).rec_len) {
        if (o == *off)
            return 0;
        *prev = o;
    }
    brelse(fs, *b);
    return EXT2_E_INVAL;
}

// Removes the entry at pos (remove), or points it at ino of the given type.
static int edit_entry(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, uint64_t pos,
                      int remove, uint32_t ino, int type)
{
    struct buf *b;
    uint32_t off;
    int64_t prev;
    int r = entry_at(fs, dp, pos, &b, &off, &prev);
    if (r < 0)
        return r;
    if ((r = bjournal(fs, b)) == 0 && remove && prev >= 0) {
        // The previous entry takes the space.
        put16(b->data + prev + 4, (uint16_t)(get16(b->data + prev + 4) +
                                             get16(b->data + off + 4)));
    } else if (r == 0) {
        put32(b->data + off, remove ? 0 : ino);
        if (!remove && (fs->sb.feature_incompat & INCOMPAT_FILETYPE))
            b->data[off + 7] = (uint8_t)type;
    }
    brelse(fs, b);
    return r < 0 ? r : dir_touch(fs, dino, dp);
}

int dir_remove(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, uint64_t pos)
{
    return edit_entry(fs, dino, dp, pos, 1, 0, 0);
}

int dir_set(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, uint64_t pos,
            uint32_t ino, int type)
{
    return edit_entry(fs, dino, dp, pos, 0, ino, type);
}

int dir_init(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint32_t parent)
{
    uint32_t blk;
    struct buf *b;
    int r = imap(fs, ino, ip, 0, IMAP_META, &blk);
    if (r < 0 || (r = bread(fs, blk, &b)) < 0)
        return r;
    if ((r = bjournal(fs, b)) == 0) {
        raw_put(fs, b->data, ino, 12, ".", 1, EXT2_FT_DIR);
        raw_put(fs, b->data + 12, parent, fs->bs - 12, "..", 2, EXT2_FT_DIR);
    }
    brelse(fs, b);
    iset_size(ip, fs->bs);
    return r < 0 ? r : iput(fs, ino, ip);
}

// Directories: linear lists of entries in whole blocks (inode, rec_len, name_len, file type,
// name). Every block is checked whole before any entry in it is used. An htree (dir_index)
// directory is read the same way, its index blocks looking like empty entries; a change
// clears its index flag, which leaves a valid linear directory.
#include "ext2_int.h"

#define DIRENT_HDR 8

struct dirent_raw { uint32_t ino; uint16_t rec_len; uint8_t name_len, type; };

// Entries start at multiples of 4 in a block (rec_len is checked to be one before the next
// entry is read), and blocks at multiples of the block size in the cache: word loads.
static struct dirent_raw raw_at(const uint8_t *entry)
{
    const uint8_t *p = __builtin_assume_aligned(entry, 4);
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

// One entry as a scan sees it (used or not): its position, fields and name in the held block.
struct dir_entry {
    uint64_t pos;
    struct dirent_raw d;
    const uint8_t *name;
};

// A scan's visitor: EXT2_EACH_NEXT goes on; EXT2_EACH_BEFORE stops at e (the scan's position
// stays on it); any other value stops past e. The scan returns that value.
typedef int (*dir_visit)(void *ctx, const struct dir_entry *e);

// Both inlined into each scan, so that its visitor is a known function inlined in the loop
// over the entries (an indirect call per entry was a third of a lookup's cost).
static inline __attribute__((always_inline))
int visit_block(struct ext2_fs *fs, const struct buf *b, uint64_t base, uint64_t *pos,
                dir_visit visit, void *ctx)
{
    for (uint32_t off = 0; off < fs->bs;) {
        struct dir_entry e = { base + off, raw_at(b->data + off), b->data + off + DIRENT_HDR };
        off += e.d.rec_len;
        int r = e.pos < *pos ? EXT2_EACH_NEXT : visit(ctx, &e);
        if (r != EXT2_EACH_NEXT) {
            *pos = r == EXT2_EACH_BEFORE ? e.pos : e.pos + e.d.rec_len;
            return r;
        }
    }
    return EXT2_EACH_NEXT;
}

// Every entry at or after *pos, in order, until visit stops the scan: each block is read and
// checked once, then its entries are visited while it is held. *pos need not fall on an
// entry (a stale cookie); it ends where visit stopped, or at the directory's end.
static inline __attribute__((always_inline))
int dir_scan(struct ext2_fs *fs, struct ext2_inode *dp, uint64_t *pos, dir_visit visit, void *ctx)
{
    uint32_t n = 0;
    int r = dir_blocks(fs, dp, &n);
    for (uint64_t bi = *pos / fs->bs; r == 0 && bi < n; bi++) {
        struct buf *b;
        if ((r = dir_block(fs, dp, (uint32_t)bi, &b)) < 0)
            return r;
        r = visit_block(fs, b, bi * fs->bs, pos, visit, ctx);
        brelse(fs, b);
    }
    if (r == 0 && *pos < (uint64_t)n * fs->bs)
        *pos = (uint64_t)n * fs->bs;
    return r;
}

struct each {
    ext2_dirent_fn fn;
    void *ctx;
};

static int each_visit(void *ctx, const struct dir_entry *e)
{
    const struct each *x = ctx;
    if (e->d.ino == 0)
        return EXT2_EACH_NEXT;
    struct ext2_dirent d;   // the name's bytes and a NUL only: not the whole array zeroed
    d.ino = e->d.ino;
    d.type = e->d.type;
    d.name_len = e->d.name_len;
    memcpy(d.name, e->name, e->d.name_len);
    d.name[e->d.name_len] = 0;
    return x->fn(x->ctx, &d);
}

int dir_each(struct ext2_fs *fs, struct ext2_inode *dp, uint64_t *pos, ext2_dirent_fn fn,
             void *ctx)
{
    struct each x = { fn, ctx };
    return dir_scan(fs, dp, pos, each_visit, &x);
}

// What dir_find looks for: the name, and meanwhile the first entry with room for it.
struct find {
    const char *name;
    size_t len;
    uint32_t need;
    struct dir_slot *slot;
};

static uint32_t rec_used(const struct dirent_raw *d)
{
    return d->ino ? rec_need(d->name_len) : 0;
}

// Whether e is the used entry named name (len >= 1): the last bytes first, where names
// alike (file1, file2) differ.
static int named(const struct dir_entry *e, const char *name, size_t len)
{
    return e->d.ino && e->d.name_len == len && e->name[len - 1] == (uint8_t)name[len - 1] &&
           memcmp(e->name, name, len - 1) == 0;
}

static int find_visit(void *ctx, const struct dir_entry *e)
{
    struct find *f = ctx;
    if (named(e, f->name, f->len)) {
        *f->slot = (struct dir_slot){ e->pos, e->d.ino, e->d.type };
        return EXT2_EACH_STOP;
    }
    if (f->slot->pos == UINT64_MAX && e->d.rec_len - rec_used(&e->d) >= f->need)
        f->slot->pos = e->pos;
    return EXT2_EACH_NEXT;
}

int dir_find(struct ext2_fs *fs, struct ext2_inode *dp, const char *name, size_t len,
             struct dir_slot *slot)
{
    struct find f = { name, len, rec_need(len), slot };
    uint64_t pos = 0;
    slot->pos = UINT64_MAX;
    int r = dir_scan(fs, dp, &pos, find_visit, &f);
    if (r == 0 && slot->pos == UINT64_MAX)
        slot->pos = pos;   // no room: a new block at the end
    return r < 0 ? r : r ? 0 : EXT2_E_NOENT;
}

static int other_than_dots(void *ctx, const struct dir_entry *e)
{
    (void)ctx;
    int dots = e->d.name_len <= 2 && memcmp(e->name, "..", e->d.name_len) == 0;
    return e->d.ino && !dots ? EXT2_EACH_STOP : EXT2_EACH_NEXT;
}

int dir_is_empty(struct ext2_fs *fs, struct ext2_inode *dp)
{
    uint64_t pos = 0;
    int r = dir_scan(fs, dp, &pos, other_than_dots, NULL);
    return r < 0 ? r : !r;
}

// The directory changed: times, and no htree index that could now be stale.
static int dir_touch(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp)
{
    dp->mtime = dp->ctime = fs_now(fs);
    dp->flags &= ~(uint32_t)EXT2_INDEX_FL;
    return iput(fs, dino, dp);
}

// An entry about to change: its checked block (held), its offset and the previous entry's
// (-1: none).
struct held_entry {
    struct buf *b;
    uint32_t off;
    int64_t prev;
};

// The entry at pos, held until brelse(fs, h->b).
static int entry_at(struct ext2_fs *fs, struct ext2_inode *dp, uint64_t pos, struct held_entry *h)
{
    int r = dir_block(fs, dp, (uint32_t)(pos / fs->bs), &h->b);
    if (r < 0)
        return r;
    h->off = (uint32_t)(pos % fs->bs);
    h->prev = -1;
    for (uint32_t o = 0; o < fs->bs; o += raw_at(h->b->data + o).rec_len) {
        if (o == h->off)
            return 0;
        h->prev = o;
    }
    brelse(fs, h->b);
    return EXT2_E_INVAL;
}

// The new entry into the room after the entry at pos (or in place of it, unused).
static int add_after(struct ext2_fs *fs, struct ext2_inode *dp, uint64_t pos, const char *name,
                     size_t len, uint32_t ino, int type)
{
    struct held_entry h;
    int r = entry_at(fs, dp, pos, &h);
    if (r < 0)
        return r;
    uint8_t *p = h.b->data + h.off;
    struct dirent_raw d = raw_at(p);
    uint32_t used = rec_used(&d);
    if (d.rec_len - used < rec_need(len))
        r = EXT2_E_INVAL;   // the directory changed since dir_find said where to go
    else if ((r = bjournal(fs, h.b)) == 0 && used)
        put16(p + 4, (uint16_t)used);
    if (r == 0)
        raw_put(fs, p + used, ino, d.rec_len - used, name, len, type);
    brelse(fs, h.b);
    return r;
}

// The new entry alone in a new block at the directory's end.
static int add_block(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, const char *name,
                     size_t len, uint32_t ino, int type)
{
    uint32_t n = 0, blk;
    struct buf *b;
    int r = dir_blocks(fs, dp, &n);
    if (r < 0 || (r = imap(fs, dino, dp, n, IMAP_META, &blk)) < 0 || (r = bread(fs, blk, &b)) < 0)
        return r;
    if ((r = bjournal(fs, b)) == 0)
        raw_put(fs, b->data, ino, fs->bs, name, len, type);
    brelse(fs, b);
    iset_size(dp, (uint64_t)(n + 1) * fs->bs);
    return r;
}

int dir_add(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, uint64_t pos,
            const char *name, uint32_t ino, int type)
{
    size_t len = strlen(name);
    int r = pos < isize(dp) ? add_after(fs, dp, pos, name, len, ino, type)
                            : add_block(fs, dino, dp, name, len, ino, type);
    return r < 0 ? r : dir_touch(fs, dino, dp);
}

// Removes the entry at pos (remove), or points it at ino of the given type.
static int edit_entry(struct ext2_fs *fs, uint32_t dino, struct ext2_inode *dp, uint64_t pos,
                      int remove, uint32_t ino, int type)
{
    struct held_entry h;
    int r = entry_at(fs, dp, pos, &h);
    if (r < 0)
        return r;
    uint8_t *data = h.b->data;
    if ((r = bjournal(fs, h.b)) == 0 && remove && h.prev >= 0) {
        // The previous entry takes the space.
        put16(data + h.prev + 4, (uint16_t)(get16(data + h.prev + 4) + get16(data + h.off + 4)));
    } else if (r == 0) {
        put32(data + h.off, remove ? 0 : ino);
        if (!remove && (fs->sb.feature_incompat & INCOMPAT_FILETYPE))
            data[h.off + 7] = (uint8_t)type;
    }
    brelse(fs, h.b);
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

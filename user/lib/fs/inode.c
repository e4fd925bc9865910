// Inodes: reading and writing them in the inode tables, mapping file blocks through the
// direct, single, double and triple indirect pointers, and freeing blocks on truncate.
#include <stdlib.h>

#include "ext2_int.h"

#define XATTR_MAGIC 0xEA020000u

// Where inode ino lives: block and byte offset in its group's inode table.
static int locate(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, uint32_t *off)
{
    if (ino == 0 || ino > fs->sb.inodes_count)
        return EXT2_E_INVAL;
    uint32_t g = (ino - 1) / fs->sb.inodes_per_group, i = (ino - 1) % fs->sb.inodes_per_group;
    struct ext2_gd gd;
    int r = gd_get(fs, g, &gd);
    if (r < 0)
        return r;
    *blk = gd.inode_table + i / fs->inodes_per_block;
    *off = i % fs->inodes_per_block * fs->inode_size;
    return 0;
}

// The buffer holding inode ino (held until brelse) and the inode's offset in it.
static int inode_buf(struct ext2_fs *fs, uint32_t ino, struct buf **b, uint32_t *off)
{
    uint32_t blk;
    int r = locate(fs, ino, &blk, off);
    return r < 0 ? r : bread(fs, blk, b);
}

static size_t inode_bytes(const struct ext2_fs *fs)
{
    return fs->inode_size < sizeof(struct ext2_inode) ? fs->inode_size : sizeof(struct ext2_inode);
}

int iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
    uint32_t off;
    struct buf *b;
    int r = inode_buf(fs, ino, &b, &off);
    if (r < 0)
        return r;
    memset(ip, 0, sizeof(*ip));
    memcpy(ip, b->data + off, inode_bytes(fs));
    brelse(fs, b);
    return 0;
}

// Writes the inode back; `fresh` clears the rest of its slot (in-inode extended attributes
// a deleted inode left behind).
static int write_inode(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *ip, int fresh)
{
    uint32_t off;
    struct buf *b;
    int r = inode_buf(fs, ino, &b, &off);
    if (r < 0)
        return r;
    if ((r = bjournal(fs, b)) == 0) {
        if (fresh)
            memset(b->data + off, 0, fs->inode_size);
        memcpy(b->data + off, ip, inode_bytes(fs));
    }
    brelse(fs, b);
    return r;
}

int iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *ip)
{
    return write_inode(fs, ino, ip, 0);
}

int iput_new(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *ip)
{
    return write_inode(fs, ino, ip, 1);
}

uint64_t isize(const struct ext2_inode *ip)
{
    return ip->size | (uint64_t)ip->size_high << 32;
}

void iset_size(struct ext2_inode *ip, uint64_t size)
{
    ip->size = (uint32_t)size;
    ip->size_high = (uint32_t)(size >> 32);
}

int itype(const struct ext2_inode *ip)
{
    switch (ip->mode & EXT2_S_IFMT) {
    case EXT2_S_IFREG: return EXT2_FT_REG;
    case EXT2_S_IFDIR: return EXT2_FT_DIR;
    case EXT2_S_IFLNK: return EXT2_FT_SYMLINK;
    case EXT2_S_IFCHR: return EXT2_FT_CHR;
    case EXT2_S_IFBLK: return EXT2_FT_BLK;
    case EXT2_S_IFIFO: return EXT2_FT_FIFO;
    case EXT2_S_IFSOCK: return EXT2_FT_SOCK;
    default: return EXT2_FT_UNKNOWN;
    }
}

void iadd_blocks(struct ext2_fs *fs, struct ext2_inode *ip, int n)
{
    ip->blocks += (uint32_t)(n * (int)(fs->bs / 512));
}

int fast_symlink(const struct ext2_fs *fs, const struct ext2_inode *ip)
{
    uint32_t xattr = ip->file_acl ? fs->bs / 512 : 0;
    return (ip->mode & EXT2_S_IFMT) == EXT2_S_IFLNK && ip->blocks == xattr;
}

// A new block blk of imap's kind: journaled if it holds metadata (indirect, directory,
// symlink), zeroed dirty data written back before the next commit, or unfilled (zeroed like
// data only when the list of unfilled blocks is full).
static int init_block(struct ext2_fs *fs, uint32_t blk, int kind)
{
    struct buf *b;
    if (kind == IMAP_FILL && fs->nunfilled < EXT2_UNFILLED_MAX) {
        fs->unfilled[fs->nunfilled++] = blk;
        return 0;
    }
    int r = bzero_get(fs, blk, &b);
    if (r < 0)
        return r;
    if (kind == IMAP_META)
        r = bjournal(fs, b);
    else
        bdirty(b);
    brelse(fs, b);
    return r;
}

// Up to *n new consecutive blocks near goal, of imap's kind: *blk the first, *n how many. An
// unfilled run is no longer than the list has room for (one block, zeroed, when it is full).
static int new_blocks(struct ext2_fs *fs, uint32_t goal, int kind, uint32_t *n, uint32_t *blk)
{
    uint32_t room = EXT2_UNFILLED_MAX - fs->nunfilled, want = *n;
    if (kind == IMAP_FILL && want > room)
        want = room ? room : 1;
    int r = balloc_run(fs, goal, want, blk, n);
    for (uint32_t i = 0; r == 0 && i < *n; i++)
        r = init_block(fs, *blk + i, kind);
    return r;
}

static int new_block(struct ext2_fs *fs, uint32_t goal, int kind, uint32_t *blk)
{
    uint32_t n = 1;
    return new_blocks(fs, goal, kind, &n, blk);
}

// The path to file block fblk: the i_block[] slot and the index in each indirect level.
static int block_path(struct ext2_fs *fs, uint64_t fblk, uint32_t *root, uint32_t idx[3])
{
    uint64_t a = fs->addr_per_block;
    if (fblk < EXT2_NDIR) {
        *root = (uint32_t)fblk;
        return 0;
    }
    fblk -= EXT2_NDIR;
    int depth = 1;
    for (uint64_t span = a; fblk >= span; span *= a, depth++)
        fblk -= span;
    *root = EXT2_IND + (uint32_t)depth - 1;
    for (int d = depth - 1; d >= 0; d--, fblk /= a)
        idx[d] = (uint32_t)(fblk % a);
    return depth;
}

// Entry i of indirect block blk, allocating a block there if it is a hole and alloc says
// so (imap's kind at the leaf; indirect blocks are always metadata).
static int ind_entry(struct ext2_fs *fs, struct ext2_inode *ip, uint32_t blk, uint32_t i,
                     int alloc, int leaf, uint32_t *out)
{
    struct buf *b;
    int r = bread(fs, blk, &b);
    if (r < 0)
        return r;
    uint32_t e = get32(b->data + 4 * i);
    if (e == 0 && alloc) {
        int kind = leaf ? alloc : IMAP_META;
        if ((r = bjournal(fs, b)) == 0 && (r = new_block(fs, blk, kind, &e)) == 0) {
            put32(b->data + 4 * i, e);
            iadd_blocks(fs, ip, 1);
        }
    }
    brelse(fs, b);
    if (r == 0 && e && !block_valid(fs, e))
        r = corrupt(fs);
    *out = r == 0 ? e : 0;
    return r;
}

int imap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t fblk, int alloc,
         uint32_t *blk)
{
    if (fblk >= fs->max_file_blocks)
        return EXT2_E_FBIG;
    uint32_t root, idx[3];
    int depth = block_path(fs, fblk, &root, idx), r = 0;
    uint32_t cur = ip->block[root];
    uint32_t before = ip->blocks;
    if (cur == 0 && alloc) {
        uint32_t goal = ip->block[0];   // keep a file together
        if ((r = new_block(fs, goal, depth > 0 ? IMAP_META : alloc, &cur)) < 0)
            return r;
        ip->block[root] = cur;
        iadd_blocks(fs, ip, 1);
    }
    if (cur && !block_valid(fs, cur))
        return corrupt(fs);
    for (int d = 0; d < depth && cur && r == 0; d++)
        r = ind_entry(fs, ip, cur, idx[d], alloc, d == depth - 1, &cur);
    if (r == 0 && ip->blocks != before)
        r = iput(fs, ino, ip);
    *blk = cur;
    return r;
}

// The pointers of a table (b's indirect block, or the inode's i_block[] when b is NULL) from
// entry pos on, at most *n, that continue the run entry pos starts: first + 1, first + 2...
// (first 0: more holes). With alloc, holes after the run are allocated, after it if they can
// be; a new run elsewhere ends it (the next call maps it). *n: the run's length.
static int table_extend(struct ext2_fs *fs, struct ext2_inode *ip, struct buf *b, uint32_t pos,
                        uint32_t first, int alloc, uint32_t *n)
{
    uint8_t *t = b ? b->data : (uint8_t *)ip->block;
    uint32_t k = 1;
    while (k < *n) {
        uint32_t e = get32(t + 4 * (pos + k)), holes = 1, blk;
        if (e == (first ? first + k : 0)) {
            k++;
            continue;
        }
        if (e || !first || !alloc)
            break;
        while (k + holes < *n && get32(t + 4 * (pos + k + holes)) == 0)
            holes++;
        int r = b ? bjournal(fs, b) : 0;
        if (r == 0 && (r = new_blocks(fs, first + k, alloc, &holes, &blk)) == EXT2_E_NOSPC)
            break;   // the run ends where the free space does (a failed balloc_run changed nothing)
        if (r < 0)
            return r;
        for (uint32_t i = 0; i < holes; i++)
            put32(t + 4 * (pos + k + i), blk + i);
        iadd_blocks(fs, ip, (int)holes);
        if (blk != first + k)
            break;
        k += holes;
    }
    if (first && !block_valid(fs, first + k - 1))
        return corrupt(fs);
    *n = k;
    return 0;
}

int imap_extend(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t fblk,
                uint32_t first, int alloc, uint32_t *n)
{
    uint32_t root, idx[3], before = ip->blocks;
    int depth = block_path(fs, fblk, &root, idx), r = 0;
    uint32_t pos = depth ? idx[depth - 1] : root;
    uint32_t left = (depth ? fs->addr_per_block : EXT2_NDIR) - pos;
    if (*n > left)
        *n = left;
    if (*n > fs->max_file_blocks - fblk)
        *n = (uint32_t)(fs->max_file_blocks - fblk);
    if (depth == 0) {
        r = table_extend(fs, ip, NULL, pos, first, alloc, n);
    } else {
        // The path down to the table imap walked (and made, allocating), or a hole above it.
        uint32_t table = ip->block[root];
        for (int d = 0; d < depth - 1 && table && r == 0; d++)
            r = ind_entry(fs, ip, table, idx[d], 0, 0, &table);
        struct buf *b;
        if (r == 0 && table && (r = bread(fs, table, &b)) == 0) {
            r = table_extend(fs, ip, b, pos, first, alloc, n);
            brelse(fs, b);
        }
    }
    if (r == 0 && ip->blocks != before)
        r = iput(fs, ino, ip);
    return r;
}

// Frees every block of the subtree under indirect block blk (level 1: it points at data)
// that maps file blocks from `first` (relative to the subtree) on. *empty: nothing is left
// under it, so the caller frees blk itself; otherwise blk is rewritten if it changed.
static int free_tree(struct ext2_fs *fs, struct ext2_inode *ip, uint32_t blk, int level,
                     uint64_t first, int *empty)
{
    uint32_t a = fs->addr_per_block;
    uint64_t span = 1;
    for (int l = 1; l < level; l++)
        span *= a;
    uint32_t *ents = malloc(fs->bs);
    struct buf *b;
    int r = ents ? bread(fs, blk, &b) : fs_fail(fs, EXT2_E_NOMEM);
    if (r < 0) {
        free(ents);
        return r;
    }
    memcpy(ents, b->data, fs->bs);
    brelse(fs, b);
    int changed = 0;
    for (uint64_t i = first / span; i < a && r == 0; i++) {
        if (ents[i] == 0)
            continue;
        int gone = 1;
        if (level > 1)
            r = free_tree(fs, ip, ents[i], level - 1, i == first / span ? first % span : 0, &gone);
        if (r == 0 && gone && (r = bfree(fs, ents[i])) == 0) {
            ents[i] = 0;
            iadd_blocks(fs, ip, -1);
            changed = 1;
        }
    }
    *empty = 1;
    for (uint32_t i = 0; i < a; i++)
        *empty &= ents[i] == 0;
    if (r == 0 && changed && !*empty && (r = bread(fs, blk, &b)) == 0) {
        if ((r = bjournal(fs, b)) == 0)
            memcpy(b->data, ents, fs->bs);
        brelse(fs, b);
    }
    free(ents);
    return r;
}

int itruncate_blocks(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t from)
{
    int r = 0;
    for (uint32_t i = from < EXT2_NDIR ? (uint32_t)from : EXT2_NDIR; i < EXT2_NDIR && r == 0; i++) {
        if (ip->block[i] && (r = bfree(fs, ip->block[i])) == 0) {
            ip->block[i] = 0;
            iadd_blocks(fs, ip, -1);
        }
    }
    uint64_t base = EXT2_NDIR, span = fs->addr_per_block;
    for (int level = 1; level <= 3 && r == 0; level++, base += span, span *= fs->addr_per_block) {
        uint32_t *slot = &ip->block[EXT2_IND + level - 1];
        if (*slot == 0 || from >= base + span)
            continue;
        if (!block_valid(fs, *slot))
            return corrupt(fs);
        int empty;
        r = free_tree(fs, ip, *slot, level, from > base ? from - base : 0, &empty);
        if (r == 0 && empty && (r = bfree(fs, *slot)) == 0) {
            *slot = 0;
            iadd_blocks(fs, ip, -1);
        }
    }
    return r < 0 ? r : iput(fs, ino, ip);
}

// Drops the inode's reference to its extended-attribute block (shared by refcount).
static int xattr_release(struct ext2_fs *fs, struct ext2_inode *ip)
{
    uint32_t blk = ip->file_acl;
    struct buf *b;
    if (blk == 0)
        return 0;
    if (!block_valid(fs, blk))
        return corrupt(fs);
    int r = bread(fs, blk, &b);
    if (r < 0)
        return r;
    uint32_t refs = get32(b->data + 4);
    if (get32(b->data) != XATTR_MAGIC || refs == 0) {
        brelse(fs, b);
        return corrupt(fs);
    }
    if (refs > 1 && (r = bjournal(fs, b)) == 0)
        put32(b->data + 4, refs - 1);
    brelse(fs, b);
    if (r == 0 && refs == 1)
        r = bfree(fs, blk);
    ip->file_acl = 0;
    iadd_blocks(fs, ip, -1);
    return r;
}

int idelete(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
    int r = 0;
    if (fast_symlink(fs, ip))
        memset(ip->block, 0, sizeof(ip->block));
    else
        r = itruncate_blocks(fs, ino, ip, 0);
    if (r == 0)
        r = xattr_release(fs, ip);
    if (r < 0)
        return r;
    int is_dir = (ip->mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    ip->links = 0;
    ip->dtime = fs_now(fs);
    if (ip->dtime == 0)
        ip->dtime = 1;   // 0 would mean "in use" to e2fsck
    iset_size(ip, 0);
    if ((r = iput(fs, ino, ip)) < 0)
        return r;
    return ifree(fs, ino, is_dir);
}

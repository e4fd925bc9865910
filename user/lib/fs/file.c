// The public operations on one inode: stat, attributes, reading, writing, truncating,
// block mapping, readlink, sync; and the rules every changing operation follows.
#include "ext2_int.h"

#define WRITE_STEP_BLOCKS 16   // a write commits (if the transaction is large) this often

// A changing operation may start: the file system is writable, the running transaction has
// room for a step, and `blocks` blocks can be allocated (not counting those freed in the
// running transaction, which only a commit makes reusable), so that the operation will not
// run out of space half-way.
int op_begin(struct ext2_fs *fs, uint32_t blocks)
{
    if (fs->ro)
        return fs->error ? fs->error : EXT2_E_ROFS;
    int r = journal_step(fs);
    if (r == 0 && blocks && fs->sb.free_blocks_count < blocks + fs->txn_freed && fs->txn_freed)
        r = journal_commit(fs);
    if (r == 0 && fs->sb.free_blocks_count < blocks)
        r = EXT2_E_NOSPC;
    return r;
}

// A failure after the first change would leave half an operation in the running
// transaction: the file system stops (read-only), so that transaction is never committed
// and the disk keeps the last committed state.
int op_done(struct ext2_fs *fs, int r)
{
    return r < 0 ? fs_fail(fs, r) : r;
}

// An inode in use: a deleted or never-used one is EXT2_E_NOENT, an impossible one corrupt.
// The reserved inodes other than the root (the journal's among them) are no files.
int iget_live(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
    if (ino != EXT2_ROOT_INO && ino < fs->sb.first_ino)
        return EXT2_E_INVAL;
    int r = iget(fs, ino, ip);
    if (r < 0)
        return r;
    if (ip->links == 0 || ip->mode == 0)
        return ino == EXT2_ROOT_INO ? corrupt(fs) : EXT2_E_NOENT;
    if (itype(ip) == EXT2_FT_UNKNOWN)
        return corrupt(fs);
    return 0;
}

int ext2_stat(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *st)
{
    struct ext2_inode ip;
    int r = iget_live(fs, ino, &ip);
    if (r < 0)
        return r;
    if (ino == EXT2_ROOT_INO && itype(&ip) != EXT2_FT_DIR)
        return corrupt(fs);
    *st = (struct ext2_stat){
        .ino = ino, .mode = ip.mode, .nlink = ip.links,
        .uid = ip.uid | (uint32_t)ip.uid_high << 16, .gid = ip.gid | (uint32_t)ip.gid_high << 16,
        .size = isize(&ip), .blocks = ip.blocks,
        .atime = ip.atime, .mtime = ip.mtime, .ctime = ip.ctime,
    };
    return 0;
}

int ext2_setattr(struct ext2_fs *fs, uint32_t ino, unsigned mask, const struct ext2_attr *a)
{
    struct ext2_inode ip;
    int r = iget_live(fs, ino, &ip);
    if (r < 0 || (r = op_begin(fs, 0)) < 0)
        return r;
    if (mask & EXT2_SET_MODE)
        ip.mode = (uint16_t)((ip.mode & EXT2_S_IFMT) | (a->mode & EXT2_S_PERM));
    if (mask & EXT2_SET_UID) {
        ip.uid = (uint16_t)a->uid;
        ip.uid_high = (uint16_t)(a->uid >> 16);
    }
    if (mask & EXT2_SET_GID) {
        ip.gid = (uint16_t)a->gid;
        ip.gid_high = (uint16_t)(a->gid >> 16);
    }
    if (mask & EXT2_SET_ATIME)
        ip.atime = a->atime;
    if (mask & EXT2_SET_MTIME)
        ip.mtime = a->mtime;
    ip.ctime = fs_now(fs);
    return op_done(fs, iput(fs, ino, &ip));
}

// A regular file's inode (directories: EXT2_E_ISDIR, anything else EXT2_E_INVAL).
static int get_file(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
    int r = iget_live(fs, ino, ip);
    if (r < 0)
        return r;
    if (itype(ip) == EXT2_FT_DIR)
        return EXT2_E_ISDIR;
    return itype(ip) == EXT2_FT_REG ? 0 : EXT2_E_INVAL;
}

int64_t ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len)
{
    struct ext2_inode ip;
    int r = get_file(fs, ino, &ip);
    if (r < 0)
        return r;
    uint64_t size = isize(&ip);
    if (off >= size)
        return 0;
    if (len > size - off)
        len = (size_t)(size - off);
    if (len > INT64_MAX)
        len = INT64_MAX;
    for (size_t done = 0; done < len;) {
        uint64_t pos = off + done;
        uint32_t in = (uint32_t)(pos % fs->bs), n = fs->bs - in, blk;
        if (n > len - done)
            n = (uint32_t)(len - done);
        if ((r = imap(fs, ino, &ip, pos / fs->bs, 0, &blk)) < 0)
            return r;
        struct buf *b;
        if (blk == 0) {
            memset((uint8_t *)buf + done, 0, n);
        } else if ((r = bread(fs, blk, &b)) < 0) {
            return r;
        } else {
            memcpy((uint8_t *)buf + done, b->data + in, n);
            brelse(fs, b);
        }
        fs->cnt.bytes_copied += n;
        done += n;
    }
    return (int64_t)len;
}

// Copies n bytes into file block fblk at offset in, allocating the block if needed.
static int write_block(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t fblk,
                       uint32_t in, const uint8_t *src, uint32_t n)
{
    uint32_t blk;
    struct buf *b;
    int r = imap(fs, ino, ip, fblk, IMAP_DATA, &blk);
    if (r < 0)
        return r;
    r = n == fs->bs ? bzero_get(fs, blk, &b) : bread(fs, blk, &b);
    if (r < 0)
        return r;
    memcpy(b->data + in, src, n);
    bdirty(b);
    brelse(fs, b);
    fs->cnt.bytes_copied += n;
    return 0;
}

// The size (if it grew) and times of a written file; then a chance to commit.
static int write_step_end(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip,
                          uint64_t end)
{
    if (end > isize(ip))
        iset_size(ip, end);
    ip->mtime = ip->ctime = fs_now(fs);
    int r = iput(fs, ino, ip);
    return r < 0 ? r : journal_step(fs);
}

int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len)
{
    struct ext2_inode ip;
    int r = get_file(fs, ino, &ip);
    if (r < 0 || (r = op_begin(fs, 0)) < 0)
        return r;
    uint64_t max = fs->max_file_blocks * fs->bs;
    if (off > max || len > max - off)
        return EXT2_E_FBIG;
    size_t done = 0;
    for (uint32_t steps = 1; done < len; steps++) {
        uint64_t pos = off + done;
        uint32_t in = (uint32_t)(pos % fs->bs), n = fs->bs - in;
        if (n > len - done)
            n = (uint32_t)(len - done);
        r = write_block(fs, ino, &ip, pos / fs->bs, in, (const uint8_t *)buf + done, n);
        if (r < 0)
            break;
        done += n;
        if (steps % WRITE_STEP_BLOCKS == 0 && (r = write_step_end(fs, ino, &ip, off + done)) < 0)
            return op_done(fs, r);
    }
    // Running out of space is a short write (every block so far is complete), or no write.
    if (r < 0 && (r != EXT2_E_NOSPC || fs->ro))
        return op_done(fs, r);
    if (r < 0 && done == 0)
        return r;
    r = write_step_end(fs, ino, &ip, off + done);
    return r < 0 ? op_done(fs, r) : (int64_t)done;
}

// Zeroes the bytes of the block holding `size` past it, so a later growth reads zeros.
static int zero_tail(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t size)
{
    uint32_t in = (uint32_t)(size % fs->bs), blk;
    struct buf *b;
    if (in == 0)
        return 0;
    int r = imap(fs, ino, ip, size / fs->bs, 0, &blk);
    if (r < 0 || blk == 0 || (r = bread(fs, blk, &b)) < 0)
        return r;
    memset(b->data + in, 0, fs->bs - in);
    bdirty(b);
    brelse(fs, b);
    return cache_evict(fs, blk);   // the caller may move this file's data itself (ext2_bmap)
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size)
{
    struct ext2_inode ip;
    int r = get_file(fs, ino, &ip);
    if (r < 0 || (r = op_begin(fs, 0)) < 0)
        return r;
    if (size > fs->max_file_blocks * fs->bs)
        return EXT2_E_FBIG;
    if (size < isize(&ip)) {
        r = zero_tail(fs, ino, &ip, size);
        if (r == 0)
            r = itruncate_blocks(fs, ino, &ip, (size + fs->bs - 1) / fs->bs);
    }
    iset_size(&ip, size);
    ip.mtime = ip.ctime = fs_now(fs);
    if (r == 0)
        r = iput(fs, ino, &ip);
    return op_done(fs, r);
}

int ext2_bmap_run(struct ext2_fs *fs, uint32_t ino, uint64_t file_block, uint32_t max,
                  enum ext2_map how, uint64_t *blk)
{
    static const int kinds[] = { [EXT2_MAP_LOOKUP] = 0, [EXT2_MAP_ALLOC] = IMAP_DATA,
                                 [EXT2_MAP_FILL] = IMAP_FILL };
    struct ext2_inode ip;
    uint32_t b = 0, n = max;
    *blk = 0;
    if (max == 0 || (unsigned)how >= sizeof(kinds) / sizeof(kinds[0]))
        return EXT2_E_INVAL;
    int alloc = kinds[how], r = get_file(fs, ino, &ip);
    // Refused before any change (no space for a block and its indirect ones): only this
    // mapping fails, the file system stays writable.
    if (r == 0 && alloc)
        r = op_begin(fs, 4);
    if (r < 0)
        return r;
    r = imap(fs, ino, &ip, file_block, alloc, &b);
    if (r == 0)
        r = imap_extend(fs, ino, &ip, file_block, b, alloc, &n);
    for (uint32_t i = 0; r == 0 && b && i < n; i++)
        r = cache_evict(fs, b + i);   // a new block's zeros reach the disk now, not later
    *blk = b;
    if (alloc && r != EXT2_E_FBIG)
        r = op_done(fs, r);
    return r < 0 ? r : (int)n;
}

int ext2_bmap(struct ext2_fs *fs, uint32_t ino, uint64_t file_block, bool alloc, uint64_t *blk)
{
    int r = ext2_bmap_run(fs, ino, file_block, 1, alloc ? EXT2_MAP_ALLOC : EXT2_MAP_LOOKUP, blk);
    return r < 0 ? r : 0;
}

int ext2_bmap_fill(struct ext2_fs *fs, uint32_t ino, uint64_t file_block, uint64_t *blk)
{
    int r = ext2_bmap_run(fs, ino, file_block, 1, EXT2_MAP_FILL, blk);
    return r < 0 ? r : 0;
}

void ext2_filled(struct ext2_fs *fs, uint64_t first, uint64_t count)
{
    fs->unflushed = true;   // the next fsync flushes, even with nothing to commit
    for (uint32_t i = 0; i < fs->nunfilled;) {
        if (fs->unfilled[i] - first < count)
            fs->unfilled[i] = fs->unfilled[--fs->nunfilled];
        else
            i++;
    }
}

int ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t size)
{
    struct ext2_inode ip;
    int r = iget_live(fs, ino, &ip);
    if (r < 0)
        return r;
    if (itype(&ip) != EXT2_FT_SYMLINK)
        return EXT2_E_INVAL;
    uint64_t len = isize(&ip);
    int fast = fast_symlink(fs, &ip);
    if (len == 0 || len >= (fast ? EXT2_FAST_LINK_MAX : fs->bs))
        return corrupt(fs);
    size_t n = len < size ? (size_t)len : size;
    if (fast) {
        memcpy(buf, ip.block, n);
        return (int)n;
    }
    uint32_t blk;
    struct buf *b;
    if ((r = imap(fs, ino, &ip, 0, 0, &blk)) < 0)
        return r;
    if (blk == 0)
        return corrupt(fs);
    if ((r = bread(fs, blk, &b)) < 0)
        return r;
    memcpy(buf, b->data, n);
    brelse(fs, b);
    return (int)n;
}

int ext2_fsync(struct ext2_fs *fs, uint32_t ino)
{
    (void)ino;   // one transaction holds every change: committing it covers this file
    return fs->ro ? fs->error : journal_commit(fs);
}

int ext2_sync(struct ext2_fs *fs)
{
    return fs->ro ? fs->error : journal_sync(fs);
}

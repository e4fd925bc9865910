// The public operations on names: lookup, readdir, create, mkdir, symlink, link, unlink,
// rmdir, rename. Each checks everything it can before its first change (op_begin); the
// changes of one operation then belong to one transaction.
#include "ext2_int.h"

#define CREATE_BLOCKS 6   // worst case: a directory block, its indirect blocks, one data block
#define ANCESTRY_MAX 4096 // a deeper tree (or a ".." loop) is reported corrupt

// A name to create or look up: 1..255 bytes, no '/'. *len its length.
static int name_check(const char *name, size_t *len)
{
    size_t n = 0;
    while (n <= EXT2_NAME_MAX && name[n])
        if (name[n++] == '/')
            return EXT2_E_INVAL;
    if (n == 0)
        return EXT2_E_INVAL;
    *len = n;
    return n > EXT2_NAME_MAX ? EXT2_E_NAMETOOLONG : 0;
}

static int is_dot(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static int get_dir(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *dp)
{
    int r = iget_live(fs, ino, dp);
    if (r < 0)
        return r;
    return itype(dp) == EXT2_FT_DIR ? 0 : EXT2_E_NOTDIR;
}

// Directory dir and the entry `name` in it (*slot), for an operation that needs it to exist
// (want 1, else EXT2_E_NOENT) or not (want 0, else EXT2_E_EXIST).
static int dir_and_entry(struct ext2_fs *fs, uint32_t dir, const char *name, int want,
                         struct ext2_inode *dp, struct dir_slot *slot)
{
    size_t len;
    int r = name_check(name, &len);
    if (r == 0)
        r = get_dir(fs, dir, dp);
    if (r == 0)
        r = dir_find(fs, dp, name, len, slot);
    if (r == EXT2_E_NOENT)
        return want ? r : 0;
    return r < 0 ? r : want ? 0 : EXT2_E_EXIST;
}

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t *ino)
{
    struct ext2_inode dp;
    struct dir_slot slot;
    int r = dir_and_entry(fs, dir, name, 1, &dp, &slot);
    if (r == 0)
        *ino = slot.ino;
    return r;
}

int ext2_readdir_each(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, ext2_dirent_fn fn,
                      void *ctx)
{
    struct ext2_inode dp;
    int r = get_dir(fs, dir, &dp);
    return r < 0 ? r : dir_each(fs, &dp, cookie, fn, ctx);
}

static int take_one(void *ctx, const struct ext2_dirent *ent)
{
    *(struct ext2_dirent *)ctx = *ent;
    return EXT2_EACH_STOP;
}

int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, struct ext2_dirent *ent)
{
    return ext2_readdir_each(fs, dir, cookie, take_one, ent);
}

// A new inode of type mode in dir, named name: allocated, initialised, filled by init (the
// directory's first block, a symlink's target) and linked.
struct new_node {
    uint16_t mode;
    uint32_t uid, gid;
    const char *target;   // symlinks
};

static int fill_symlink(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, const char *t,
                        size_t len)
{
    iset_size(ip, len);
    if (len < EXT2_FAST_LINK_MAX) {
        memcpy(ip->block, t, len);
        return iput(fs, ino, ip);
    }
    uint32_t blk;
    struct buf *b;
    int r = imap(fs, ino, ip, 0, IMAP_META, &blk);
    if (r < 0 || (r = bread(fs, blk, &b)) < 0)
        return r;
    if ((r = bjournal(fs, b)) == 0)
        memcpy(b->data, t, len);
    brelse(fs, b);
    return r < 0 ? r : iput(fs, ino, ip);
}

static int make_node(struct ext2_fs *fs, uint32_t dir, const char *name,
                     const struct new_node *nn, uint32_t *out)
{
    struct ext2_inode dp, ip;
    struct dir_slot slot;
    size_t tlen = nn->target ? strnlen(nn->target, fs->bs) : 0;
    int is_dir = (nn->mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    int r = dir_and_entry(fs, dir, name, 0, &dp, &slot);
    if (r == EXT2_E_EXIST && out)
        *out = slot.ino;
    if (r < 0)
        return r;
    if (is_dot(name) || (nn->target && tlen == 0))
        return EXT2_E_INVAL;
    if (nn->target && tlen >= fs->bs)
        return EXT2_E_NAMETOOLONG;
    if (is_dir && dp.links >= EXT2_LINK_MAX)
        return EXT2_E_MLINK;
    if ((r = op_begin(fs, CREATE_BLOCKS)) < 0)
        return r;
    uint32_t ino;
    if ((r = ialloc(fs, dir, is_dir, &ino)) < 0)
        return op_done(fs, r);
    uint32_t now = fs_now(fs);
    memset(&ip, 0, sizeof(ip));
    ip.mode = nn->mode;
    ip.uid = (uint16_t)nn->uid;
    ip.uid_high = (uint16_t)(nn->uid >> 16);
    ip.gid = (uint16_t)nn->gid;
    ip.gid_high = (uint16_t)(nn->gid >> 16);
    ip.atime = ip.ctime = ip.mtime = now;
    ip.links = is_dir ? 2 : 1;
    if (fs->inode_size > EXT2_GOOD_OLD_ISIZE)
        ip.extra_isize = 32;
    r = iput_new(fs, ino, &ip);
    if (r == 0 && is_dir)
        r = dir_init(fs, ino, &ip, dir);
    else if (r == 0 && nn->target)
        r = fill_symlink(fs, ino, &ip, nn->target, tlen);
    if (r == 0)
        r = dir_add(fs, dir, &dp, slot.pos, name, ino, itype(&ip));
    if (r == 0 && is_dir) {
        dp.links++;
        r = iput(fs, dir, &dp);
    }
    if (r == 0 && out)
        *out = ino;
    return op_done(fs, r);
}

int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, uint16_t mode,
                uint32_t uid, uint32_t gid, uint32_t *ino)
{
    struct new_node nn = { EXT2_S_IFREG | (mode & EXT2_S_PERM), uid, gid, NULL };
    return make_node(fs, dir, name, &nn, ino);
}

int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, uint16_t mode,
               uint32_t uid, uint32_t gid, uint32_t *ino)
{
    struct new_node nn = { EXT2_S_IFDIR | (mode & EXT2_S_PERM), uid, gid, NULL };
    return make_node(fs, dir, name, &nn, ino);
}

int ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, const char *target,
                 uint32_t uid, uint32_t gid, uint32_t *ino)
{
    struct new_node nn = { EXT2_S_IFLNK | 0777, uid, gid, target };
    return make_node(fs, dir, name, &nn, ino);
}

int ext2_link(struct ext2_fs *fs, uint32_t ino, uint32_t dir, const char *name)
{
    struct ext2_inode dp, ip;
    struct dir_slot slot;
    int r = dir_and_entry(fs, dir, name, 0, &dp, &slot);
    if (r == 0)
        r = iget_live(fs, ino, &ip);
    if (r < 0)
        return r;
    if (is_dot(name))
        return EXT2_E_INVAL;
    if (itype(&ip) == EXT2_FT_DIR)
        return EXT2_E_ISDIR;
    if (ip.links >= EXT2_LINK_MAX)
        return EXT2_E_MLINK;
    if ((r = op_begin(fs, CREATE_BLOCKS)) < 0)
        return r;
    r = dir_add(fs, dir, &dp, slot.pos, name, ino, itype(&ip));
    ip.links++;
    ip.ctime = fs_now(fs);
    if (r == 0)
        r = iput(fs, ino, &ip);
    return op_done(fs, r);
}

// One link less; the inode goes with its last one (a directory's: its "." and parent's).
static int drop_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
    if (itype(ip) == EXT2_FT_DIR)
        ip->links = 0;
    else
        ip->links--;
    ip->ctime = fs_now(fs);
    return ip->links ? iput(fs, ino, ip) : idelete(fs, ino, ip);
}

// The entry `name` of dir and its inode, to be removed: dirs says whether it must be an
// (empty) directory or must not be one.
static int victim_entry(struct ext2_fs *fs, uint32_t dir, const char *name, int dirs,
                        struct ext2_inode *dp, struct dir_slot *slot, struct ext2_inode *ip)
{
    int r = dir_and_entry(fs, dir, name, 1, dp, slot);
    if (r == 0 && is_dot(name))
        r = EXT2_E_INVAL;
    if (r == 0)
        r = iget_live(fs, slot->ino, ip);
    if (r < 0)
        return r;
    int is_dir = itype(ip) == EXT2_FT_DIR;
    if (is_dir != dirs)
        return dirs ? EXT2_E_NOTDIR : EXT2_E_ISDIR;
    if (!dirs)
        return 0;
    if (dp->links < 3)   // its own entry, "." and the child's ".."
        return corrupt(fs);
    r = dir_is_empty(fs, ip);
    return r < 0 ? r : r ? 0 : EXT2_E_NOTEMPTY;
}

static int remove_entry(struct ext2_fs *fs, uint32_t dir, const char *name, int dirs)
{
    struct ext2_inode dp, ip;
    struct dir_slot slot;
    int r = victim_entry(fs, dir, name, dirs, &dp, &slot, &ip);
    if (r < 0 || (r = op_begin(fs, 0)) < 0)
        return r;
    r = dir_remove(fs, dir, &dp, slot.pos);
    if (r == 0)
        r = drop_link(fs, slot.ino, &ip);
    if (r == 0 && dirs) {   // the removed directory's ".."
        dp.links--;
        r = iput(fs, dir, &dp);
    }
    return op_done(fs, r);
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name)
{
    return remove_entry(fs, dir, name, 0);
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name)
{
    return remove_entry(fs, dir, name, 1);
}

// Whether directory anc is ino or one of its ancestors (following "..").
static int is_ancestor(struct ext2_fs *fs, uint32_t anc, uint32_t ino)
{
    for (int i = 0; i < ANCESTRY_MAX; i++) {
        if (ino == anc)
            return 1;
        if (ino == EXT2_ROOT_INO)
            return 0;
        struct ext2_inode dp;
        struct dir_slot slot;
        int r = get_dir(fs, ino, &dp);
        if (r == 0)
            r = dir_find(fs, &dp, "..", 2, &slot);
        if (r < 0)
            return r == EXT2_E_NOENT || r == EXT2_E_NOTDIR ? corrupt(fs) : r;
        ino = slot.ino;
    }
    return corrupt(fs);
}

struct rename_ctx {
    uint32_t odir, ndir;
    struct ext2_inode od, nd, src, dst;
    struct ext2_inode *np;   // the new directory: &nd, or &od when both are one
    struct dir_slot os, ns;
    int dst_exists, src_dir;
};

// Everything rename checks before its first change.
static int rename_check(struct ext2_fs *fs, struct rename_ctx *c, const char *oname,
                        const char *nname)
{
    int r = dir_and_entry(fs, c->odir, oname, 1, &c->od, &c->os);
    if (r == 0)
        r = get_dir(fs, c->ndir, &c->nd);
    if (r == 0)
        r = iget_live(fs, c->os.ino, &c->src);
    if (r < 0)
        return r;
    if (is_dot(oname) || is_dot(nname))
        return EXT2_E_INVAL;
    c->np = c->odir == c->ndir ? &c->od : &c->nd;
    c->src_dir = itype(&c->src) == EXT2_FT_DIR;
    if (c->src_dir && c->odir != c->ndir && (r = is_ancestor(fs, c->os.ino, c->ndir)) != 0)
        return r < 0 ? r : EXT2_E_INVAL;
    if (c->src_dir && c->od.links < 3)   // the moved directory's ".." counts in odir
        return corrupt(fs);
    r = dir_and_entry(fs, c->ndir, nname, 1, c->np, &c->ns);
    c->dst_exists = r == 0;
    if (r == EXT2_E_NOENT)
        return c->src_dir && c->np->links >= EXT2_LINK_MAX ? EXT2_E_MLINK : 0;
    if (r < 0 || c->ns.ino == c->os.ino || (r = iget_live(fs, c->ns.ino, &c->dst)) < 0)
        return r;
    if (c->src_dir != (itype(&c->dst) == EXT2_FT_DIR))
        return c->src_dir ? EXT2_E_NOTDIR : EXT2_E_ISDIR;
    if (!c->src_dir)
        return 0;
    r = dir_is_empty(fs, &c->dst);
    return r < 0 ? r : r ? 0 : EXT2_E_NOTEMPTY;
}

// A moved directory's ".." names its new parent; the link counts follow.
static int reparent(struct ext2_fs *fs, struct rename_ctx *c)
{
    struct dir_slot dd;
    int r = dir_find(fs, &c->src, "..", 2, &dd);
    if (r == 0)
        r = dir_set(fs, c->os.ino, &c->src, dd.pos, c->ndir, EXT2_FT_DIR);
    c->od.links--;
    c->nd.links++;
    if (r == 0)
        r = iput(fs, c->odir, &c->od);
    return r < 0 ? r : iput(fs, c->ndir, &c->nd);
}

int ext2_rename(struct ext2_fs *fs, uint32_t odir, const char *oname, uint32_t ndir,
                const char *nname)
{
    struct rename_ctx c = { .odir = odir, .ndir = ndir };
    int r = rename_check(fs, &c, oname, nname);
    if (r < 0)
        return r;
    if (c.dst_exists && c.ns.ino == c.os.ino)
        return 0;   // two names of one inode: POSIX says do nothing
    if ((r = op_begin(fs, CREATE_BLOCKS)) < 0)
        return r;
    int type = itype(&c.src);
    if (c.dst_exists) {
        r = dir_set(fs, ndir, c.np, c.ns.pos, c.os.ino, type);
        if (r == 0 && c.src_dir) {   // the replaced directory's ".." counted in ndir
            c.np->links--;
            r = iput(fs, ndir, c.np);
        }
        if (r == 0)
            r = drop_link(fs, c.ns.ino, &c.dst);
    } else {
        r = dir_add(fs, ndir, c.np, c.ns.pos, nname, c.os.ino, type);
    }
    if (r == 0)
        r = dir_remove(fs, odir, &c.od, c.os.pos);
    c.src.ctime = fs_now(fs);
    if (r == 0)
        r = iput(fs, c.os.ino, &c.src);
    if (r == 0 && c.src_dir && odir != ndir)
        r = reparent(fs, &c);
    return op_done(fs, r);
}

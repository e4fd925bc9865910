// Crash consistency of the ext2/ext3 library over EVERY prefix of a recorded workload.
//
// A workload (mkdir, create and write files of 300 bytes to 2 MiB, rename files and a
// directory, rename over existing files, unlink, truncate, rmdir, fsync and sync; about a
// hundred entries) runs once on a memory disk that records each block write and flush the
// library issues. Then, for every N from 0 to the number of writes, the image the disk held
// after the first N writes is mounted (journal replay), the workload's tree is read back and
// compared with a model, and the file system is unmounted. On top, at every flush, the
// writes issued since the previous flush are lost in part, in any order (a volatile write
// cache): each one alone (at most LOSE_ONE_MAX of them, spread), and random halves.
//
// e2fsck -fn judges every one of those images, but runs only where its verdict could
// change: it reads metadata, never the blocks of regular files, free blocks, or the log of
// a journal that needs no recovery. An image that differs from the last one it passed only
// in such blocks of that one gets the same verdict, so e2fsck runs on the others (and on
// every FSCK_EVERY-th prefix regardless, to keep that reasoning honest).
//
// The model: the state after every operation of the workload. A cut may leave the disk in
// any state from the one after the last fsync/sync that had completed (its writes, or its
// last flush, before the cut) to the one after the operation that issued the last write
// that reached the disk; the tree read back must equal one of those states as a whole (a
// rename is all or nothing, an fsync'ed file exact). Ordered mode makes that state's file
// contents exact too, unless a write or truncate in that range touched the file: its bytes
// may then be any mix of the versions in the range and zeros, no longer than the longest.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/ext2_memdev.h"

#define IMG "build/host/ext2-prefix.img"
#define MAXP 256          // paths the workload names
#define MAXOPS 512
#define MAXV 1024         // file versions (contents)
#define PATH_LEN 32
#define FILE_MAX (4u << 20)
#define FSCK_EVERY 250    // e2fsck runs on every 250th prefix even when not needed
#define LOSE_ONE_MAX 24   // lose-one variants per flush, spread over its writes
#define RANDOM_LOSSES 2   // random-half variants per flush

enum kind { OP_MKDIR, OP_RMDIR, OP_WRITE, OP_TRUNC, OP_RENAME, OP_UNLINK, OP_FSYNC, OP_SYNC,
            OP_UNMOUNT };

struct op {
    enum kind kind;
    int path, to;             // path ids; to: the rename's target
    uint64_t off, len;        // write: bytes [off, off + len) in pieces; truncate: len = size
    uint32_t seed, piece;
    uint64_t writes_end;      // recorded: writes issued when it returned
    int64_t last_flush;       // recorded: the last flush issued by then (-1: none)
};

// A file version: its bytes, which file (identity kept across renames) and which op made it.
struct content {
    uint8_t *data;
    size_t len;
    int file, op;
};

enum { ABSENT = 0, DIR_V = 1 };   // state values; >= 2: a file, contents[value]

static char paths[MAXP][PATH_LEN];
static int npaths;
static struct op ops[MAXOPS];
static int nops, nfiles;
static struct content contents[MAXV];
static int ncontents = 2;
static uint16_t state[MAXOPS + 1][MAXP];   // state[s]: after the first s ops

static struct iolog iolog;
static int64_t *op_of_write;               // the op that issued each write (-1: the mount)
static uint8_t *base, *saved;              // the fresh image; what IMG holds now
static uint8_t *saved_map, *journal_map;   // blocks of `saved` e2fsck never reads; the log
static uint8_t *since_saved;               // blocks written since `saved` was made
static uint64_t base_size;
static int img_fd = -1;

struct counts {
    uint64_t prefixes, variants, fscks, fsck_same, replayed, files_exact, files_mixed;
};
static struct counts counts;

// ---- the workload and its model ----

static int path_id(const char *fmt, ...)
{
    char p[PATH_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p, sizeof(p), fmt, ap);
    va_end(ap);
    for (int i = 0; i < npaths; i++)
        if (strcmp(paths[i], p) == 0)
            return i;
    assert_true(npaths < MAXP);
    strcpy(paths[npaths], p);
    return npaths++;
}

static struct op *add(enum kind kind, int path)
{
    assert_true(nops < MAXOPS);
    ops[nops] = (struct op){ .kind = kind, .path = path, .to = -1 };
    return &ops[nops++];
}

static void add_write(int path, uint64_t off, uint64_t len, uint32_t piece)
{
    struct op *o = add(OP_WRITE, path);
    o->off = off;
    o->len = len;
    o->piece = piece;
    o->seed = (uint32_t)nops * 7919u;
}

static void add_trunc(int path, uint64_t size)
{
    add(OP_TRUNC, path)->len = size;
}

static void add_rename(int from, int to)
{
    add(OP_RENAME, from)->to = to;
}

static const char dirs[3] = { 'a', 'b', 'c' };

static int small(int i)
{
    return path_id("w/%c/f%d", dirs[i % 3], i);
}

static void workload_ops(void)
{
    static const uint32_t sizes[] = { 300, 1024, 4000, 8192, 1500, 24000, 700, 12000, 2048 };
    add(OP_MKDIR, path_id("w"));
    for (int d = 0; d < 3; d++)
        add(OP_MKDIR, path_id("w/%c", dirs[d]));
    for (int i = 0; i < 72; i++)   // unpacking an archive, synced once at the end
        add_write(small(i), 0, sizes[i % 9], 4096);
    for (int k = 0; k < 6; k++)
        add_write(path_id("w/cfg%d", k), 0, 2000 + 300 * (uint64_t)k, 1000);
    add(OP_SYNC, -1);
    add_write(path_id("w/big"), 0, 2u << 20, 65536);
    add(OP_FSYNC, path_id("w/big"));
    for (int k = 0; k < 12; k++) {   // a log: each record appended and fsynced
        add_write(path_id("w/log"), 700 * (uint64_t)k, 700, 700);
        add(OP_FSYNC, path_id("w/log"));
    }
    for (int k = 0; k < 6; k++) {    // replace by rename, every other one fsynced after
        int tmp = path_id("w/cfg%d.tmp", k);
        add_write(tmp, 0, 2500 + 100 * (uint64_t)k, 2500);
        add(OP_FSYNC, tmp);
        add_rename(tmp, path_id("w/cfg%d", k));
        if (k % 2)
            add(OP_FSYNC, path_id("w/cfg%d", k));
    }
    for (int i = 0; i < 72; i += 4)
        add(OP_UNLINK, small(i));
    for (int i = 1; i < 72; i += 8)
        add_rename(small(i), path_id("w/c/m%d", i));
    add(OP_MKDIR, path_id("w/d"));
    add_write(path_id("w/d/x"), 0, 5000, 5000);
    add_rename(path_id("w/d"), path_id("w/e"));
    add(OP_FSYNC, path_id("w/e/x"));
    for (int i = 2; i < 72; i += 8)
        add_trunc(small(i), 100);
    add(OP_FSYNC, small(2));
    add_write(path_id("w/big2"), 0, 1u << 20, 32768);   // written, cut short, then synced
    add_trunc(path_id("w/big2"), 100000);
    add_write(path_id("w/big"), 512 * 1024, 65536, 65536);
    add(OP_FSYNC, path_id("w/big"));
    add(OP_UNLINK, path_id("w/big"));   // its blocks go to the files made next
    add(OP_SYNC, -1);
    for (int k = 0; k < 16; k++)
        add_write(path_id("w/n%d", k), 0, 8192 + 512 * (uint64_t)k, 8192);
    add(OP_FSYNC, path_id("w/n15"));
    add(OP_UNLINK, path_id("w/e/x"));
    add(OP_RMDIR, path_id("w/e"));
    add(OP_UNMOUNT, -1);
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static int new_content(int file, int op, size_t len, const struct content *from)
{
    assert_true(ncontents < MAXV);
    struct content *c = &contents[ncontents];
    *c = (struct content){ calloc(1, len ? len : 1), len, file, op };
    if (from)
        memcpy(c->data, from->data, from->len < len ? from->len : len);
    return ncontents++;
}

// Moves what is at from (and under it, for a directory) to to, in state v.
static void model_rename(uint16_t *v, int from, int to)
{
    size_t n = strlen(paths[from]);
    int count = npaths;   // path_id may add paths: only the ones known now can be moved
    for (int p = 0; p < count; p++) {
        if (v[p] == ABSENT || strncmp(paths[p], paths[from], n) != 0 ||
            (paths[p][n] != '\0' && paths[p][n] != '/'))
            continue;
        int q = path_id("%s%s", paths[to], paths[p] + n);
        v[q] = v[p];
        v[p] = ABSENT;
    }
}

// state[o + 1] from state[o] and op o.
static void model_step(int o)
{
    const struct op *op = &ops[o];
    uint16_t *v = state[o + 1];
    memcpy(v, state[o], sizeof(state[o]));
    const struct content *old = v[op->path < 0 ? 0 : op->path] >= 2 ? &contents[v[op->path]] : NULL;
    switch (op->kind) {
    case OP_MKDIR: v[op->path] = DIR_V; break;
    case OP_RMDIR: case OP_UNLINK: v[op->path] = ABSENT; break;
    case OP_RENAME: model_rename(v, op->path, op->to); break;
    case OP_TRUNC:
        v[op->path] = (uint16_t)new_content(old->file, o, op->len, old);
        break;
    case OP_WRITE: {
        size_t end = op->off + op->len, len = old && old->len > end ? old->len : end;
        int c = new_content(old ? old->file : nfiles++, o, len, old);
        fill(contents[c].data + op->off, op->len, op->seed);
        v[op->path] = (uint16_t)c;
        break;
    }
    default: break;
    }
}

// ---- running it on the library ----

// The inode at path (relative to the root), or of its parent with *leaf set to the last name.
static uint32_t resolve(struct ext2_fs *fs, const char *path, const char **leaf)
{
    char part[PATH_LEN];
    uint32_t ino = EXT2_ROOT_INO;
    for (const char *p = path;;) {
        const char *slash = strchr(p, '/');
        if (!slash && leaf) {
            *leaf = p;
            return ino;
        }
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        memcpy(part, p, n);
        part[n] = '\0';
        assert_int_equal(ext2_lookup(fs, ino, part, &ino), 0);
        if (!slash)
            return ino;
        p = slash + 1;
    }
}

static void run_write(struct ext2_fs *fs, int o)
{
    const struct op *op = &ops[o];
    const char *name;
    uint32_t dir = resolve(fs, paths[op->path], &name), ino;
    if (ext2_lookup(fs, dir, name, &ino) < 0)
        assert_int_equal(ext2_create(fs, dir, name, 0644, 0, 0, &ino), 0);
    const uint8_t *data = contents[state[o + 1][op->path]].data;
    for (uint64_t at = op->off; at < op->off + op->len; at += op->piece) {
        uint64_t n = op->off + op->len - at < op->piece ? op->off + op->len - at : op->piece;
        assert_int_equal(ext2_write(fs, ino, at, data + at, n), (int64_t)n);
    }
}

static void run_op(struct ext2_fs *fs, int o)
{
    const struct op *op = &ops[o];
    const char *name, *to;
    uint32_t dir, tdir;
    switch (op->kind) {
    case OP_MKDIR:
        dir = resolve(fs, paths[op->path], &name);
        assert_int_equal(ext2_mkdir(fs, dir, name, 0755, 0, 0, NULL), 0);
        break;
    case OP_RMDIR:
        dir = resolve(fs, paths[op->path], &name);
        assert_int_equal(ext2_rmdir(fs, dir, name), 0);
        break;
    case OP_UNLINK:
        dir = resolve(fs, paths[op->path], &name);
        assert_int_equal(ext2_unlink(fs, dir, name), 0);
        break;
    case OP_RENAME:
        dir = resolve(fs, paths[op->path], &name);
        tdir = resolve(fs, paths[op->to], &to);
        assert_int_equal(ext2_rename(fs, dir, name, tdir, to), 0);
        break;
    case OP_WRITE: run_write(fs, o); break;
    case OP_TRUNC:
        assert_int_equal(ext2_truncate(fs, resolve(fs, paths[op->path], NULL), op->len), 0);
        break;
    case OP_FSYNC:
        assert_int_equal(ext2_fsync(fs, resolve(fs, paths[op->path], NULL)), 0);
        break;
    case OP_SYNC: assert_int_equal(ext2_sync(fs), 0); break;
    case OP_UNMOUNT: assert_int_equal(ext2_unmount(fs), 0); break;
    }
}

// Runs the workload on a copy of the fresh image, recording its I/O and, per op, where it
// ended in the write and flush sequences.
static void record(void)
{
    uint8_t *data = malloc(base_size);
    memcpy(data, base, base_size);
    struct memdev md;
    memdev_init(&md, data, base_size);
    md.log = &iolog;
    struct ext2_blkdev dev = memdev_blkdev(&md);
    struct ext2_fs *fs;
    assert_int_equal(ext2_mount(&dev, NULL, &fs), 0);
    uint64_t mount_writes = md.writes;
    for (int o = 0; o < nops; o++) {
        run_op(fs, o);
        ops[o].writes_end = md.writes;
        ops[o].last_flush = (int64_t)md.flushes - 1;
    }
    op_of_write = malloc((iolog.nw + 1) * sizeof(*op_of_write));
    for (uint64_t w = 0, o = 0; w < iolog.nw; w++) {
        while (o < (uint64_t)nops && ops[o].writes_end <= w)
            o++;
        op_of_write[w] = w < mount_writes ? -1 : (int64_t)o;
    }
    memdev_free(&md);
    free(data);
}

// ---- reading an image back and judging it ----

struct found {
    int type;             // DIR_V or a file (2)
    uint8_t *data;
    size_t len;
};

// What one judgement reads: the tree under w, its files' bytes (in `arena`), and which
// blocks hold file data (`data_map`: e2fsck never reads them, see e2fsck_due).
struct tree {
    struct found f[MAXP];
    uint8_t *arena;
    size_t used;
    uint8_t *data_map;
    const uint8_t *image;
};

static bool map_test(const uint8_t *map, uint64_t b) { return map[b / 8] >> (b % 8) & 1; }
static void map_set(uint8_t *map, uint64_t b) { map[b / 8] |= (uint8_t)(1u << (b % 8)); }

#define ARENA (8u << 20)
#define BS 1024u

static const uint8_t zero_block[BS];

// A file's bytes straight from the image through the block map (as the fs service reads,
// by DMA into its page cache), its blocks marked as data.
static int read_file(struct ext2_fs *fs, uint32_t ino, struct tree *t, struct found *f)
{
    if (t->used + f->len > ARENA)
        return -1;
    f->data = t->arena + t->used;
    t->used += f->len;
    for (uint64_t b = 0; b * BS < f->len; b++) {
        uint64_t blk, n = f->len - b * BS < BS ? f->len - b * BS : BS;
        if (ext2_bmap(fs, ino, b, false, &blk) < 0 || blk * BS + BS > base_size)
            return -1;
        if (blk)
            map_set(t->data_map, blk);
        memcpy(f->data + b * BS, blk ? t->image + blk * BS : zero_block, n);
    }
    return 0;
}

static void read_tree(struct ext2_fs *fs, uint32_t dir, const char *prefix, struct tree *t,
                      const char *what)
{
    struct ext2_dirent e;
    uint64_t cookie = 0;
    int r;
    while ((r = ext2_readdir(fs, dir, &cookie, &e)) == 1) {
        if (strcmp(e.name, ".") == 0 || strcmp(e.name, "..") == 0)
            continue;
        int before = npaths, p = path_id("%s/%s", prefix, e.name);
        if (p >= before)
            fail_msg("%s: unexpected entry %s", what, paths[p]);
        struct ext2_stat st;
        assert_int_equal(ext2_stat(fs, e.ino, &st), 0);
        if ((st.mode & EXT2_S_IFMT) == EXT2_S_IFDIR) {
            t->f[p].type = DIR_V;
            read_tree(fs, e.ino, paths[p], t, what);
            continue;
        }
        if ((st.mode & EXT2_S_IFMT) != EXT2_S_IFREG || st.size > FILE_MAX)
            fail_msg("%s: %s: mode %o, size %lu", what, paths[p], st.mode,
                     (unsigned long)st.size);
        t->f[p] = (struct found){ 2, NULL, st.size };
        if (read_file(fs, e.ino, t, &t->f[p]) < 0)
            fail_msg("%s: %s: cannot map its blocks", what, paths[p]);
    }
    if (r < 0)
        fail_msg("%s: readdir %s: %s", what, prefix, ext2_strerror(r));
}

// The range of model states a cut may have left.
struct window {
    int lo, hi;                   // states lo..hi
    bool mixed[MAXV];             // by file id: written or truncated within the range
};

static void window_mixed(struct window *w)
{
    memset(w->mixed, 0, sizeof(w->mixed));
    for (int o = w->lo; o < w->hi; o++)
        if (ops[o].kind == OP_WRITE || ops[o].kind == OP_TRUNC)
            w->mixed[contents[state[o + 1][ops[o].path]].file] = true;
}

// A file a write in the window touched: no longer than its longest version there, and each
// byte from one of its versions there (or the one before) or zero.
static bool mixed_ok(const struct window *w, const struct found *f, int file)
{
    static const struct content *v[MAXV];
    int n = 0;
    size_t longest = 0;
    for (int c = 2; c < ncontents && contents[c].op < w->hi; c++) {
        if (contents[c].file != file)
            continue;
        if (contents[c].op < w->lo)
            n = 0;   // only the last version before the window counts
        v[n++] = &contents[c];
    }
    for (int i = 0; i < n; i++)
        longest = v[i]->len > longest ? v[i]->len : longest;
    if (f->len > longest)
        return false;
    for (size_t i = 0; i < f->len; i++) {
        bool ok = f->data[i] == 0;
        for (int k = 0; !ok && k < n; k++)
            ok = i < v[k]->len && v[k]->data[i] == f->data[i];
        if (!ok)
            return false;
    }
    return true;
}

// Does the tree read back equal model state s (contents as the window allows)? why: the
// first difference.
static bool matches(const struct window *w, int s, const struct found *f, char *why, size_t n)
{
    for (int p = 0; p < npaths; p++) {
        int v = state[s][p], type = v >= 2 ? 2 : v;
        if (f[p].type != type) {
            snprintf(why, n, "%s: %s, model %s", paths[p], f[p].type ? "present" : "absent",
                     type ? "present" : "absent");
            return false;
        }
        if (type != 2)
            continue;
        const struct content *c = &contents[v];
        bool ok = w->mixed[c->file] ? mixed_ok(w, &f[p], c->file)
                                   : f[p].len == c->len && memcmp(f[p].data, c->data, c->len) == 0;
        if (!ok) {
            snprintf(why, n, "%s: %zu bytes, model %zu%s", paths[p], f[p].len, c->len,
                     w->mixed[c->file] ? " (mixed allowed)" : " exactly");
            return false;
        }
    }
    return true;
}

static void count_files(const struct window *w, int s)
{
    for (int p = 0; p < npaths; p++)
        if (state[s][p] >= 2)
            *(w->mixed[contents[state[s][p]].file] ? &counts.files_mixed : &counts.files_exact) += 1;
}

// e2fsck found `saved` clean. It reads metadata only: not the blocks of regular files, nor
// free blocks, nor the log of a journal that needs no recovery (`saved_map` marks those
// blocks of `saved`). An image that differs from `saved` in such blocks only would get the
// same verdict.
static bool block_differs(const uint8_t *image, uint64_t b)
{
    return !map_test(saved_map, b) && memcmp(saved + b * BS, image + b * BS, BS) != 0;
}

// Only blocks written since `saved` was made (since_saved) or by this mount can differ.
static bool e2fsck_needed(const struct memdev *md)
{
    for (uint64_t b = 0; b < base_size / BS; b++)
        if (map_test(since_saved, b) && block_differs(md->data, b))
            return true;
    for (size_t i = 0; i < md->nundo; i++)
        for (uint64_t b = md->undo[i].sector * 512 / BS;
             b * BS < (md->undo[i].sector + md->undo[i].count) * 512; b++)
            if (block_differs(md->data, b))
                return true;
    return false;
}

static void mark_written(uint64_t sector, uint32_t count)
{
    for (uint64_t b = sector * 512 / BS; b * BS < (sector + count) * 512; b++)
        map_set(since_saved, b);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

// Marks the blocks image's block bitmaps call free (e2fsck, finding them right, reads none).
static void mark_free_blocks(uint8_t *map, const uint8_t *image)
{
    const uint8_t *sb = image + 1024;
    uint32_t count = le32(sb + 4), first = le32(sb + 20), per_group = le32(sb + 32);
    for (uint32_t g = 0; (uint64_t)g * per_group + first < count; g++) {
        const uint8_t *bitmap = image + (uint64_t)le32(image + (first + 1) * BS + 32 * g) * BS;
        for (uint32_t i = 0; i < per_group && (uint64_t)g * per_group + first + i < count; i++)
            if (!(bitmap[i / 8] >> (i % 8) & 1))
                map_set(map, (uint64_t)g * per_group + first + i);
    }
}

// Makes IMG hold image (rewriting only the blocks that changed) and runs e2fsck on it.
static bool fsck_clean(const struct memdev *md, const uint8_t *data_map)
{
    const uint8_t *image = md->data;
    for (uint64_t b = 0; b < base_size / BS; b++) {
        if (memcmp(saved + b * BS, image + b * BS, BS) == 0)
            continue;
        memcpy(saved + b * BS, image + b * BS, BS);
        if (pwrite(img_fd, image + b * BS, BS, (off_t)(b * BS)) != BS)
            return false;
    }
    for (uint64_t i = 0; i < base_size / BS / 8; i++)
        saved_map[i] = data_map[i] | journal_map[i];
    mark_free_blocks(saved_map, image);
    memset(since_saved, 0, base_size / BS / 8);
    for (size_t i = 0; i < md->nundo; i++)   // reverted after: the next image differs there
        mark_written(md->undo[i].sector, md->undo[i].count);
    counts.fscks++;
    return system("e2fsck -fn " IMG " >build/host/ext2-prefix-fsck.log 2>&1") == 0;
}

// Mounts the image (the scratch device undoes whatever the mount writes), reads the tree,
// unmounts; the tree must match a state of the window, and e2fsck must pass the image (run
// if forced or needed).
static void judge(struct memdev *md, struct window *w, bool force_fsck, const char *what)
{
    static struct tree t;
    if (!t.arena) {
        t.arena = malloc(ARENA);
        t.data_map = malloc(base_size / BS / 8);
    }
    t.used = 0;
    t.image = md->data;
    memset(t.f, 0, sizeof(t.f));
    memset(t.data_map, 0, base_size / BS / 8);
    struct ext2_blkdev dev = memdev_blkdev(md);
    struct ext2_fs *fs;
    uint64_t writes = md->writes;
    int r = ext2_mount(&dev, NULL, &fs);
    if (r < 0)
        fail_msg("%s: mount: %s", what, ext2_strerror(r));
    counts.replayed += md->writes - writes > 1;   // more than the superblock: a replay
    uint32_t wdir;
    if (ext2_lookup(fs, EXT2_ROOT_INO, "w", &wdir) == 0) {
        t.f[path_id("w")].type = DIR_V;
        read_tree(fs, wdir, "w", &t, what);
    }
    struct ext2_statfs sf;
    ext2_statfs(fs, &sf);
    if (sf.read_only)
        fail_msg("%s: the library found the image corrupt: %s", what, ext2_strerror(sf.error));
    if ((r = ext2_unmount(fs)) < 0)
        fail_msg("%s: unmount: %s", what, ext2_strerror(r));
    window_mixed(w);
    char why[2][160] = { "", "" };   // why the newest state and the oldest do not match
    int s = w->hi;
    while (s >= w->lo && !matches(w, s, t.f, why[s != w->hi], sizeof(why[0])))
        s--;
    if (s < w->lo)
        fail_msg("%s: matches no state %d..%d: %s%s%s", what, w->lo, w->hi, why[0],
                 w->lo < w->hi ? "; oldest: " : "", why[1]);
    count_files(w, s);
    if (!force_fsck && !e2fsck_needed(md)) {
        counts.fsck_same++;
        return;
    }
    if (!fsck_clean(md, t.data_map)) {
        system("cat build/host/ext2-prefix-fsck.log");
        fail_msg("%s: e2fsck found errors", what);
    }
}

// The window after a cut: from the state after the last sync op durable by then (durable(o))
// to the one after the op that issued write `last` (or later, if a sync is durable past it).
static struct window *window_at(int64_t last, bool (*durable)(int o, uint64_t arg), uint64_t arg)
{
    static struct window w;
    w.lo = 0;
    for (int o = 0; o < nops; o++)
        if ((ops[o].kind == OP_FSYNC || ops[o].kind == OP_SYNC || ops[o].kind == OP_UNMOUNT) &&
            durable(o, arg))
            w.lo = o + 1;
    w.hi = last < 0 ? 0 : (int)op_of_write[last] + 1;
    if (w.hi < w.lo)
        w.hi = w.lo;
    return &w;
}

static bool written_by(int o, uint64_t nwrites)
{
    return ops[o].writes_end <= nwrites;
}

static bool flushed_before(int o, uint64_t flush)
{
    return ops[o].last_flush < (int64_t)flush;
}

static bool fsck_forced(uint64_t n)
{
    return n % FSCK_EVERY == 0 || n == iolog.nw;
}

static void apply(uint8_t *data, uint64_t w)
{
    const struct logged_write *lw = &iolog.w[w];
    memcpy(data + lw->sector * 512, lw->data, (size_t)lw->count * 512);
    mark_written(lw->sector, lw->count);
}

// ---- the test ----

// journal_map: the journal's blocks but its first (the journal superblock), as debugfs
// lists them (the library does not map reserved inodes for callers).
static int map_journal_log(void)
{
    FILE *p = popen("debugfs -R 'blocks <8>' " IMG " 2>/dev/null", "r");
    unsigned long blk;
    int n = 0;
    while (p && fscanf(p, "%lu", &blk) == 1 && blk < base_size / BS)
        if (n++ > 0)
            map_set(journal_map, blk);
    return p && pclose(p) == 0 && n > 32 ? 0 : -1;
}

static int setup(void **state_)
{
    (void)state_;
    if (system("mke2fs -q -F -t ext3 -b 1024 -N 1024 " IMG " 8M >/dev/null 2>&1") != 0 ||
        image_load(IMG, &base, &base_size) < 0)
        return -1;
    saved = malloc(base_size);
    memcpy(saved, base, base_size);
    saved_map = calloc(1, base_size / BS / 8);
    journal_map = calloc(1, base_size / BS / 8);
    since_saved = calloc(1, base_size / BS / 8);
    img_fd = open(IMG, O_WRONLY);
    workload_ops();
    for (int o = 0; o < nops; o++)
        model_step(o);
    record();
    return img_fd < 0 || map_journal_log() < 0 ? -1 : 0;
}

static int teardown(void **state_)
{
    (void)state_;
    close(img_fd);
    iolog_free(&iolog);
    for (int c = 2; c < ncontents; c++)
        free(contents[c].data);
    free(op_of_write);
    free(base);
    free(saved);
    free(saved_map);
    free(journal_map);
    free(since_saved);
    return 0;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

// Every prefix: writes 0..n-1 reached the disk, none after.
static void test_every_prefix(void **state_)
{
    (void)state_;
    double t0 = seconds();
    uint8_t *data = malloc(base_size);
    memcpy(data, base, base_size);
    char what[64];
    for (uint64_t n = 0; n <= iolog.nw; n++) {
        if (n > 0)
            apply(data, n - 1);
        struct memdev md;
        memdev_init(&md, data, base_size);
        md.revertible = true;
        snprintf(what, sizeof(what), "prefix %lu", (unsigned long)n);
        judge(&md, window_at((int64_t)n - 1, written_by, n), fsck_forced(n), what);
        memdev_revert(&md);
        memdev_free(&md);
        counts.prefixes++;
    }
    free(data);
    printf("every prefix: %lu prefixes of %lu writes (%lu flushes, %d ops), %lu with a journal "
           "replay; e2fsck: %lu runs, %lu images differing from a passed one only in blocks "
           "it does not read; files compared: %lu exactly, %lu as mixes (%.1f s)\n",
           (unsigned long)counts.prefixes, (unsigned long)iolog.nw, (unsigned long)iolog.nf,
           nops, (unsigned long)counts.replayed, (unsigned long)counts.fscks,
           (unsigned long)counts.fsck_same, (unsigned long)counts.files_exact,
           (unsigned long)counts.files_mixed, seconds() - t0);
}

// At flush f the writes since flush f-1 are lost in part: `keep` says which stay.
static void judge_loss(uint8_t *data, uint64_t f, uint64_t from, const bool *keep)
{
    struct memdev md;
    memdev_init(&md, data, base_size);
    md.revertible = true;
    struct ext2_blkdev dev = memdev_blkdev(&md);
    for (uint64_t w = from; w < iolog.flush_at[f]; w++)
        if (keep[w - from])
            dev.write(dev.ctx, iolog.w[w].sector, iolog.w[w].count, iolog.w[w].data);
    char what[64];
    snprintf(what, sizeof(what), "flush %lu, writes %lu..%lu in part", (unsigned long)f,
             (unsigned long)from, (unsigned long)iolog.flush_at[f]);
    judge(&md, window_at((int64_t)iolog.flush_at[f] - 1, flushed_before, f), false, what);
    memdev_revert(&md);
    memdev_free(&md);
    counts.variants++;
}

static void test_unflushed_writes_lost_in_part(void **state_)
{
    (void)state_;
    double t0 = seconds();
    memset(&counts, 0, sizeof(counts));
    uint8_t *data = malloc(base_size);
    memcpy(data, base, base_size);
    uint64_t from = 0;
    uint32_t seed = 1;
    for (uint64_t f = 0; f < iolog.nf; f++) {
        uint64_t n = iolog.flush_at[f] - from;
        bool *keep = malloc(n + 1);
        // Lose one write, every write in turn (spread over at most LOSE_ONE_MAX of them); the
        // last one alone is a prefix, done above.
        uint64_t step = n / LOSE_ONE_MAX + 1;
        for (uint64_t lost = 0; n > 1 && lost + 1 < n; lost += step) {
            memset(keep, 1, n);
            keep[lost] = false;
            judge_loss(data, f, from, keep);
        }
        for (int k = 0; n > 1 && k < RANDOM_LOSSES; k++) {
            for (uint64_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                keep[i] = seed >> 16 & 1;
            }
            judge_loss(data, f, from, keep);
        }
        free(keep);
        for (; from < iolog.flush_at[f]; from++)
            apply(data, from);
    }
    free(data);
    printf("unflushed writes lost in part: %lu variants at %lu flushes, %lu with a journal "
           "replay; e2fsck: %lu runs, %lu the same image as far as it reads; files compared: "
           "%lu exactly, %lu as mixes (%.1f s)\n",
           (unsigned long)counts.variants, (unsigned long)iolog.nf,
           (unsigned long)counts.replayed, (unsigned long)counts.fscks,
           (unsigned long)counts.fsck_same, (unsigned long)counts.files_exact,
           (unsigned long)counts.files_mixed, seconds() - t0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_unflushed_writes_lost_in_part),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

// Host tests for the ext2/ext3 library (user/lib/fs) against real images made by mke2fs:
// every operation sequence ends with `e2fsck -fn` on the image, which must find nothing.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/ext2_memdev.h"

#define IMG "build/host/ext2-test.img"

struct env {
    uint8_t *data;
    uint64_t size;
    struct memdev md;
    struct ext2_blkdev dev;
    struct ext2_fs *fs;
};
static struct env E;

static void sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

// A fresh image: mke2fs with opts, of the given size.
static void mkfs(const char *opts, const char *size)
{
    sh("mke2fs -q -F %s " IMG " %s >/dev/null 2>&1", opts, size);
}

static void load(void)
{
    free(E.data);
    assert_int_equal(image_load(IMG, &E.data, &E.size), 0);
    memdev_init(&E.md, E.data, E.size);
    E.dev = memdev_blkdev(&E.md);
}

static void mount_img(void)
{
    load();
    int r = ext2_mount(&E.dev, NULL, &E.fs);
    if (r < 0)
        fail_msg("mount: %s", ext2_strerror(r));
}

static void assert_fsck_clean(void)
{
    assert_int_equal(image_save(IMG, E.data, E.size), 0);
    if (system("e2fsck -fn " IMG " >build/host/ext2-fsck.log 2>&1") != 0) {
        system("cat build/host/ext2-fsck.log");
        fail_msg("e2fsck found errors");
    }
}

// Unmount, then e2fsck must find a clean file system; mount it again.
static void remount_checked(void)
{
    assert_int_equal(ext2_unmount(E.fs), 0);
    E.fs = NULL;
    assert_fsck_clean();
    int r = ext2_mount(&E.dev, NULL, &E.fs);
    assert_int_equal(r, 0);
}

static int teardown(void **state)
{
    (void)state;
    if (E.fs)
        ext2_unmount(E.fs);
    E.fs = NULL;
    memdev_free(&E.md);
    free(E.data);
    E.data = NULL;
    return 0;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

static uint32_t create(uint32_t dir, const char *name)
{
    uint32_t ino;
    int r = ext2_create(E.fs, dir, name, 0644, 1000, 1000, &ino);
    if (r < 0)
        fail_msg("create %s: %s", name, ext2_strerror(r));
    return ino;
}

static void write_all(uint32_t ino, uint64_t off, const void *p, size_t n)
{
    assert_int_equal(ext2_write(E.fs, ino, off, p, n), (int64_t)n);
}

static void assert_content(uint32_t ino, uint64_t off, const void *p, size_t n)
{
    uint8_t *got = malloc(n ? n : 1);
    assert_int_equal(ext2_read(E.fs, ino, off, got, n), (int64_t)n);
    assert_memory_equal(got, p, n);
    free(got);
}

static uint32_t lookup(uint32_t dir, const char *name)
{
    uint32_t ino = 0;
    assert_int_equal(ext2_lookup(E.fs, dir, name, &ino), 0);
    return ino;
}

static void test_mount_fresh_images(void **state)
{
    (void)state;
    const char *kinds[] = { "-t ext3 -b 1024", "-t ext3 -b 4096", "-t ext2", "-t ext3" };
    for (size_t k = 0; k < 4; k++) {
        mkfs(kinds[k], "16M");
        mount_img();
        struct ext2_dirent e;
        uint64_t cookie = 0;
        int n = 0;
        while (ext2_readdir(E.fs, EXT2_ROOT_INO, &cookie, &e) == 1)
            n++;
        assert_int_equal(n, 3);   // . .. lost+found
        struct ext2_stat st;
        assert_int_equal(ext2_stat(E.fs, lookup(EXT2_ROOT_INO, "lost+found"), &st), 0);
        assert_int_equal(st.mode & EXT2_S_IFMT, EXT2_S_IFDIR);
        remount_checked();
        teardown(NULL);
    }
}

static void test_files_write_read_back(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "16M");
    mount_img();
    static uint8_t buf[300000];
    fill(buf, sizeof(buf), 7);
    size_t sizes[] = { 0, 1, 1023, 1024, 1025, 12 * 1024, 12 * 1024 + 1, 270 * 1024, 300000 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "f%zu", i);
        uint32_t ino = create(EXT2_ROOT_INO, name);
        write_all(ino, 0, buf, sizes[i]);
    }
    // Unaligned overwrite in the middle, and a write past the end leaving a hole.
    uint32_t f = lookup(EXT2_ROOT_INO, "f8");
    write_all(f, 5000, "hello", 5);
    uint32_t h = create(EXT2_ROOT_INO, "holes");
    write_all(h, 100000, "end", 3);
    assert_int_equal(ext2_fsync(E.fs, h), 0);
    remount_checked();
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        char name[32];
        snprintf(name, sizeof(name), "f%zu", i);
        uint32_t ino = lookup(EXT2_ROOT_INO, name);
        struct ext2_stat st;
        assert_int_equal(ext2_stat(E.fs, ino, &st), 0);
        assert_int_equal(st.size, sizes[i]);
        if (ino == f) {
            assert_content(ino, 0, buf, 5000);
            assert_content(ino, 5000, "hello", 5);
            assert_content(ino, 5005, buf + 5005, sizes[i] - 5005);
        } else {
            assert_content(ino, 0, buf, sizes[i]);
        }
        uint8_t x;
        assert_int_equal(ext2_read(E.fs, ino, sizes[i], &x, 1), 0);
    }
    static uint8_t zeros[100000];
    h = lookup(EXT2_ROOT_INO, "holes");
    assert_content(h, 0, zeros, sizeof(zeros));
    assert_content(h, 100000, "end", 3);
    remount_checked();
}

static void test_directories_links_symlinks(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "16M");
    mount_img();
    uint32_t a, b, c;
    assert_int_equal(ext2_mkdir(E.fs, EXT2_ROOT_INO, "a", 0755, 0, 0, &a), 0);
    assert_int_equal(ext2_mkdir(E.fs, a, "b", 0755, 0, 0, &b), 0);
    assert_int_equal(ext2_mkdir(E.fs, EXT2_ROOT_INO, "c", 0700, 0, 0, &c), 0);
    assert_int_equal(ext2_mkdir(E.fs, EXT2_ROOT_INO, "a", 0755, 0, 0, NULL), EXT2_E_EXIST);
    assert_int_equal(lookup(b, ".."), a);
    uint32_t f = create(b, "file");
    write_all(f, 0, "data", 4);
    // Many entries: the directory grows past one block.
    for (int i = 0; i < 200; i++) {
        char name[64];
        snprintf(name, sizeof(name), "entry-with-a-longish-name-%03d", i);
        create(c, name);
    }
    for (int i = 0; i < 200; i += 2) {
        char name[64];
        snprintf(name, sizeof(name), "entry-with-a-longish-name-%03d", i);
        assert_int_equal(ext2_unlink(E.fs, c, name), 0);
    }
    // Hard links.
    assert_int_equal(ext2_link(E.fs, f, EXT2_ROOT_INO, "hard"), 0);
    assert_int_equal(ext2_link(E.fs, a, EXT2_ROOT_INO, "dirlink"), EXT2_E_ISDIR);
    struct ext2_stat st;
    assert_int_equal(ext2_stat(E.fs, f, &st), 0);
    assert_int_equal(st.nlink, 2);
    // Symlinks, fast and slow.
    char longt[600];
    memset(longt, 'x', sizeof(longt) - 1);
    longt[sizeof(longt) - 1] = 0;
    uint32_t s1, s2;
    assert_int_equal(ext2_symlink(E.fs, EXT2_ROOT_INO, "fast", "a/b/file", 0, 0, &s1), 0);
    assert_int_equal(ext2_symlink(E.fs, EXT2_ROOT_INO, "slow", longt, 0, 0, &s2), 0);
    char buf[1024];
    assert_int_equal(ext2_readlink(E.fs, s1, buf, sizeof(buf)), 8);
    assert_memory_equal(buf, "a/b/file", 8);
    assert_int_equal(ext2_readlink(E.fs, s2, buf, sizeof(buf)), 599);
    assert_memory_equal(buf, longt, 599);
    remount_checked();
    // Errors.
    assert_int_equal(ext2_rmdir(E.fs, EXT2_ROOT_INO, "a"), EXT2_E_NOTEMPTY);
    assert_int_equal(ext2_unlink(E.fs, EXT2_ROOT_INO, "a"), EXT2_E_ISDIR);
    assert_int_equal(ext2_rmdir(E.fs, EXT2_ROOT_INO, "hard"), EXT2_E_NOTDIR);
    assert_int_equal(ext2_rename(E.fs, EXT2_ROOT_INO, "a", b, "x"), EXT2_E_INVAL);
    assert_int_equal(ext2_lookup(E.fs, EXT2_ROOT_INO, "nope", &a), EXT2_E_NOENT);
    assert_int_equal(ext2_create(E.fs, EXT2_ROOT_INO, "a/b", 0644, 0, 0, NULL), EXT2_E_INVAL);
    // Renames: a file across directories, over an existing file, a directory across parents,
    // a directory over an empty one.
    assert_int_equal(ext2_rename(E.fs, b, "file", c, "moved"), 0);
    create(EXT2_ROOT_INO, "victim");
    assert_int_equal(ext2_rename(E.fs, EXT2_ROOT_INO, "hard", EXT2_ROOT_INO, "victim"), 0);
    assert_int_equal(ext2_rename(E.fs, a, "b", c, "b2"), 0);
    assert_int_equal(lookup(lookup(c, "b2"), ".."), c);
    assert_int_equal(ext2_mkdir(E.fs, EXT2_ROOT_INO, "empty", 0755, 0, 0, NULL), 0);
    assert_int_equal(ext2_rename(E.fs, c, "b2", EXT2_ROOT_INO, "empty"), 0);
    // Two names of one inode: rename does nothing.
    assert_int_equal(ext2_rename(E.fs, EXT2_ROOT_INO, "victim", c, "moved"), 0);
    remount_checked();
    f = lookup(c, "moved");
    assert_int_equal(lookup(EXT2_ROOT_INO, "victim"), f);
    assert_content(f, 0, "data", 4);
    assert_int_equal(ext2_stat(E.fs, f, &st), 0);
    assert_int_equal(st.nlink, 2);
    // Tear it all down.
    assert_int_equal(ext2_unlink(E.fs, c, "moved"), 0);
    assert_int_equal(ext2_unlink(E.fs, EXT2_ROOT_INO, "victim"), 0);
    assert_int_equal(ext2_rmdir(E.fs, EXT2_ROOT_INO, "empty"), 0);
    assert_int_equal(ext2_rmdir(E.fs, EXT2_ROOT_INO, "a"), 0);
    assert_int_equal(ext2_unlink(E.fs, EXT2_ROOT_INO, "slow"), 0);
    assert_int_equal(ext2_unlink(E.fs, EXT2_ROOT_INO, "fast"), 0);
    remount_checked();
}

static uint32_t new_dir(uint32_t dir, const char *name)
{
    uint32_t ino;
    assert_int_equal(ext2_mkdir(E.fs, dir, name, 0755, 0, 0, &ino), 0);
    return ino;
}

// Block reads (cache hits and misses) since the last call.
static uint64_t breads_since(uint64_t *last)
{
    struct ext2_counters c;
    ext2_get_counters(E.fs, &c);
    uint64_t n = c.cache_hits + c.cache_misses - *last;
    *last += n;
    return n;
}

struct collect { int n, stop_at; char first[EXT2_NAME_MAX + 1]; };

static int collect_entry(void *ctx, const struct ext2_dirent *e)
{
    struct collect *c = ctx;
    if (c->n == c->stop_at) {
        snprintf(c->first, sizeof(c->first), "%s", e->name);
        return EXT2_EACH_BEFORE;
    }
    c->n++;
    return EXT2_EACH_NEXT;
}

// Lookups, creation and iteration read each block of a directory once, not once per entry:
// a lookup costs the directory's blocks and its inode, a create one scan more than in a
// one-block directory, and a stop in the middle of an iteration resumes on that entry.
static void test_directory_blocks_read_once(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "16M");
    mount_img();
    uint32_t big = new_dir(EXT2_ROOT_INO, "big"), small = new_dir(EXT2_ROOT_INO, "small"), ino;
    char name[16];
    for (int i = 0; i < 400; i++) {
        snprintf(name, sizeof(name), "f%03d", i);
        create(big, name);
    }
    struct ext2_stat st;
    assert_int_equal(ext2_stat(E.fs, big, &st), 0);
    uint64_t blocks = st.size / 1024, last = 0;
    assert_true(blocks >= 4);
    breads_since(&last);
    assert_int_equal(ext2_lookup(E.fs, big, "f399", &ino), 0);
    assert_true(breads_since(&last) <= blocks + 2);   // its inode: descriptor, table block
    assert_int_equal(ext2_lookup(E.fs, big, "none", &ino), EXT2_E_NOENT);
    assert_true(breads_since(&last) <= blocks + 2);
    create(small, "x");
    uint64_t one_block = breads_since(&last);
    create(big, "g");
    assert_true(breads_since(&last) <= one_block + blocks);
    struct collect c = { 0, 250, "" };
    uint64_t cookie = 0;
    assert_int_equal(ext2_readdir_each(E.fs, big, &cookie, collect_entry, &c), EXT2_EACH_BEFORE);
    struct ext2_dirent e;
    assert_int_equal(ext2_readdir(E.fs, big, &cookie, &e), 1);
    assert_string_equal(e.name, c.first);
    c.stop_at = -1;
    assert_int_equal(ext2_readdir_each(E.fs, big, &cookie, collect_entry, &c), 0);
    assert_int_equal(c.n, 403 - 1);   // . .. f000..f399 g, but for the one readdir took
    // The block of the stop read three times, the directory's inode by each call.
    assert_true(breads_since(&last) <= blocks + 2 + 3 * 2);
    assert_int_equal(ext2_readdir(E.fs, big, &cookie, &e), 0);
    remount_checked();
}

// Sparse writes into the direct, single, double and triple indirect ranges of 1 KiB blocks,
// then truncation back through each.
static void test_large_sparse_file_and_truncate(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "16M");
    mount_img();
    uint32_t f = create(EXT2_ROOT_INO, "big");
    uint64_t offs[] = { 0, 11 * 1024, 12 * 1024, 200 * 1024, 268 * 1024 + 7, 5000000,
                        (12 + 256 + 65536) * 1024ull, 100000000, 1000000000ull };
    char tag[32];
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        snprintf(tag, sizeof(tag), "block-%zu", i);
        write_all(f, offs[i], tag, strlen(tag) + 1);
    }
    remount_checked();
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        snprintf(tag, sizeof(tag), "block-%zu", i);
        assert_content(f, offs[i], tag, strlen(tag) + 1);
    }
    for (size_t i = sizeof(offs) / sizeof(offs[0]); i-- > 1;) {
        assert_int_equal(ext2_truncate(E.fs, f, offs[i] + 3), 0);
        remount_checked();
        assert_content(f, offs[i], "blo", 3);
    }
    // Growing reads back zeros past the old end, including the cut block's tail.
    assert_int_equal(ext2_truncate(E.fs, f, 20), 0);
    assert_int_equal(ext2_truncate(E.fs, f, 3000), 0);
    static const uint8_t zeros[100];
    assert_content(f, 20, zeros, sizeof(zeros));
    remount_checked();
}

// A dense file of 16 MiB on 4 KiB blocks (through the double indirect range), then removed.
static void test_dense_file_4k(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 4096", "64M");
    mount_img();
    size_t n = 16u << 20;
    uint8_t *p = malloc(n);
    fill(p, n, 99);
    uint32_t f = create(EXT2_ROOT_INO, "dense");
    for (size_t off = 0; off < n; off += 100000)
        write_all(f, off, p + off, off + 100000 < n ? 100000 : n - off);
    remount_checked();
    assert_content(f, 0, p, n);
    struct ext2_statfs before, after;
    ext2_statfs(E.fs, &before);
    assert_int_equal(ext2_unlink(E.fs, EXT2_ROOT_INO, "dense"), 0);
    ext2_statfs(E.fs, &after);
    assert_true(after.free_blocks >= before.free_blocks + n / 4096);
    free(p);
    remount_checked();
}

// The smallest cache and no sync: transactions commit by themselves when they fill up,
// dirty data is written back on eviction; thousands of changes stay consistent.
static void test_small_cache_many_changes(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "16M");
    load();
    struct ext2_mount_opts opts = { .cache_blocks = 1 };
    assert_int_equal(ext2_mount(&E.dev, &opts, &E.fs), 0);
    uint32_t d;
    assert_int_equal(ext2_mkdir(E.fs, EXT2_ROOT_INO, "many", 0755, 0, 0, &d), 0);
    static uint8_t buf[10000];
    fill(buf, sizeof(buf), 3);
    for (int i = 0; i < 1500; i++) {
        char name[32];
        snprintf(name, sizeof(name), "file-%04d", i);
        uint32_t f = create(d, name);
        write_all(f, 0, buf, (size_t)(i * 37) % sizeof(buf));
        if (i % 3 == 0)
            assert_int_equal(ext2_unlink(E.fs, d, name), 0);
    }
    struct ext2_counters c;
    ext2_get_counters(E.fs, &c);
    assert_true(c.commits > 3);
    remount_checked();
    uint32_t f = lookup(d, "file-1499");
    assert_content(f, 0, buf, 1499 * 37 % sizeof(buf));
    remount_checked();
}

// A caller moving data itself (the fs service's DMA): blocks mapped with ext2_bmap and
// written straight to the disk are never overwritten by a stale cached copy, not by the zeros
// of their allocation nor by a later truncate's tail zeroing.
static void test_bmap_direct_data(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "16M");
    mount_img();
    uint32_t f = create(EXT2_ROOT_INO, "dma");
    static uint8_t data[20 * 1024];
    fill(data, sizeof(data), 11);
    assert_int_equal(ext2_truncate(E.fs, f, sizeof(data)), 0);
    for (uint64_t b = 0; b < sizeof(data) / 1024; b++) {
        uint64_t blk;
        assert_int_equal(ext2_bmap(E.fs, f, b, true, &blk), 0);
        assert_true(blk > 0 && blk * 1024 < E.size);
        memcpy(E.data + blk * 1024, data + b * 1024, 1024);   // the "DMA"
    }
    assert_int_equal(ext2_fsync(E.fs, f), 0);
    assert_int_equal(ext2_truncate(E.fs, f, 15000), 0);
    assert_int_equal(ext2_sync(E.fs), 0);
    remount_checked();
    assert_content(f, 0, data, 15000);
    uint64_t blk;
    assert_int_equal(ext2_bmap(E.fs, f, 100, false, &blk), 0);
    assert_int_equal(blk, 0);
    remount_checked();
}

// ext2_bmap_fill: a new block is not written before the caller's "DMA"; a commit that comes
// before the caller reported it written zeroes it, so what a deleted file left in a block
// never shows in a file, and e2fsck agrees either way.
static void test_bmap_fill(void **state)
{
    (void)state;
    enum { BS = 4096, N = 8 };
    mkfs("-t ext3 -b 4096", "16M");
    mount_img();
    uint32_t f = create(EXT2_ROOT_INO, "fill");
    static uint8_t data[N * BS], zero[N / 2 * BS];
    fill(data, sizeof(data), 5);
    assert_int_equal(ext2_truncate(E.fs, f, sizeof(data)), 0);
    uint64_t blk[N];
    for (int b = 0; b < N; b++) {
        assert_int_equal(ext2_bmap_fill(E.fs, f, (uint64_t)b, &blk[b]), 0);
        memset(E.data + blk[b] * BS, 0xaa, BS);   // a deleted file's bytes
    }
    for (int b = 0; b < N / 2; b++) {   // the first half written and reported, not the rest
        memcpy(E.data + blk[b] * BS, data + b * BS, BS);
        ext2_filled(E.fs, blk[b], 1);
    }
    assert_int_equal(ext2_fsync(E.fs, f), 0);
    remount_checked();
    assert_content(f, 0, data, sizeof(data) / 2);
    assert_content(f, sizeof(data) / 2, zero, sizeof(zero));
    remount_checked();
}

// Runs (ext2_bmap_run, the fs service's write-back): a 1,100-block file, direct, single and
// double indirect, maps in one run per 128 blocks and per table of pointers (10 runs, where
// ext2_bmap_fill took 1,100 calls); each run's blocks are the ones
// ext2_bmap finds one by one; looked up after a remount the runs are the same and the bytes
// the "DMA" wrote read back. Holes map as runs up to their table's end, or the next block.
static void test_bmap_runs(void **state)
{
    (void)state;
    enum { BS = 1024, N = 1100, MOST = 128 };
    mkfs("-t ext3 -b 1024", "16M");
    mount_img();
    uint32_t f = create(EXT2_ROOT_INO, "runs");
    static uint8_t data[N * BS];
    fill(data, sizeof(data), 7);
    assert_int_equal(ext2_truncate(E.fs, f, sizeof(data)), 0);
    int len[N], runs = 0;
    uint64_t blk, one;
    for (uint64_t b = 0; b < N; b += (uint64_t)len[runs++]) {
        int n = ext2_bmap_run(E.fs, f, b, N - b < MOST ? N - b : MOST, EXT2_MAP_FILL, &blk);
        assert_true(n >= 1 && n <= MOST && blk > 0 && (blk + n) * BS <= E.size);
        memcpy(E.data + blk * BS, data + b * BS, (size_t)n * BS);   // the "DMA"
        ext2_filled(E.fs, blk, (uint64_t)n);
        for (int i = 0; i < n; i++) {
            assert_int_equal(ext2_bmap(E.fs, f, b + i, false, &one), 0);
            assert_int_equal(one, blk + i);
        }
        len[runs] = n;
    }
    assert_int_equal(runs, 10);   // 12 | 128 128 | 128 128 | 128 128 | 128 128 | 64
    assert_int_equal(ext2_fsync(E.fs, f), 0);
    remount_checked();
    assert_content(f, 0, data, sizeof(data));
    for (int r = 0, b = 0; r < runs; b += len[r++])
        assert_int_equal(ext2_bmap_run(E.fs, f, (uint64_t)b, MOST, EXT2_MAP_LOOKUP, &blk), len[r]);
    uint32_t h = create(EXT2_ROOT_INO, "holes");
    assert_int_equal(ext2_truncate(E.fs, h, 2000 * BS), 0);
    write_all(h, 300 * BS, data, BS);
    static const struct { uint64_t at; int n; bool hole; } want[] = {
        { 0, 12, true }, { 12, 128, true }, { 268, 32, true }, { 300, 1, false },
        { 301, 128, true }, { 524, 128, true }, { 1990, 70, true },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int n = ext2_bmap_run(E.fs, h, want[i].at, MOST, EXT2_MAP_LOOKUP, &blk);
        assert_int_equal(n, want[i].n);
        assert_int_equal(blk == 0, want[i].hole);
    }
    assert_int_equal(ext2_bmap_run(E.fs, h, 0, 0, EXT2_MAP_LOOKUP, &blk), EXT2_E_INVAL);
    assert_int_equal(ext2_bmap_run(E.fs, h, 0, 1, (enum ext2_map)3, &blk), EXT2_E_INVAL);
    assert_int_equal(ext2_bmap_run(E.fs, h, 1ull << 40, 1, EXT2_MAP_FILL, &blk), EXT2_E_FBIG);
    remount_checked();
}

// Runs and stale data: a removed file's blocks, mapped again in runs and never written or
// reported, read as zeros after the commit, the 44 past the list of unfilled blocks' 256
// (zeroed at once) as well as the others; then runs to a full disk: EXT2_E_NOSPC, and the
// file system stays writable.
static void test_bmap_runs_unfilled_and_full(void **state)
{
    (void)state;
    enum { BS = 1024, N = 300 };
    mkfs("-t ext3 -b 1024", "4M");
    mount_img();
    static uint8_t old[N * BS], zero[N * BS];
    memset(old, 0xaa, sizeof(old));
    uint32_t o = create(EXT2_ROOT_INO, "old");
    write_all(o, 0, old, sizeof(old));
    uint64_t was[N], blk;
    for (int b = 0; b < N; b++)
        assert_int_equal(ext2_bmap(E.fs, o, (uint64_t)b, false, &was[b]), 0);
    assert_int_equal(ext2_unlink(E.fs, EXT2_ROOT_INO, "old"), 0);
    assert_int_equal(ext2_sync(E.fs), 0);
    uint32_t f = create(EXT2_ROOT_INO, "new");
    assert_int_equal(ext2_truncate(E.fs, f, 8 << 20), 0);
    int reused = 0, n = 0;
    for (uint64_t b = 0; b < N; b += (uint64_t)n) {
        n = ext2_bmap_run(E.fs, f, b, N - b < 128 ? N - b : 128, EXT2_MAP_FILL, &blk);
        assert_true(n >= 1);
        for (int i = 0; i < N; i++)
            reused += was[i] >= blk && was[i] < blk + (uint64_t)n;
    }
    assert_true(reused > 256);
    assert_int_equal(ext2_fsync(E.fs, f), 0);
    remount_checked();
    assert_content(f, 0, zero, sizeof(zero));
    struct ext2_statfs st;
    for (uint64_t b = N; (n = ext2_bmap_run(E.fs, f, b, 128, EXT2_MAP_FILL, &blk)) > 0;)
        b += (uint64_t)n;
    assert_int_equal(n, EXT2_E_NOSPC);
    ext2_statfs(E.fs, &st);
    assert_int_equal(st.free_blocks, 0);
    assert_false(st.read_only);
    assert_int_equal(ext2_unlink(E.fs, EXT2_ROOT_INO, "new"), 0);
    assert_int_equal(ext2_sync(E.fs), 0);
    remount_checked();
}

// Random operations against a model (seeded): files in three directories written at random
// offsets, truncated, hard-linked, renamed over each other and removed; the contents and the
// link counts must match the model at every remount, and e2fsck must agree each time.
#define M_NAMES 24
#define M_MAX 90000
struct m_file { uint8_t data[M_MAX]; size_t len; int links; uint32_t ino; };
struct m_name { int file; };   // -1: no such name
static struct m_file *m_files;
static struct m_name m_names[3][M_NAMES];
static uint32_t m_dirs[3];
static uint32_t m_seed;

static uint32_t m_rand(uint32_t n)
{
    m_seed = m_seed * 1103515245u + 12345u;
    return (m_seed >> 8) % n;
}

static void m_name(int n, char *buf) { snprintf(buf, 16, "n%02d", n); }

static void m_check(void)
{
    static uint8_t got[M_MAX + 1];
    for (int d = 0; d < 3; d++) {
        for (int n = 0; n < M_NAMES; n++) {
            char name[16];
            uint32_t ino;
            m_name(n, name);
            int r = ext2_lookup(E.fs, m_dirs[d], name, &ino);
            int f = m_names[d][n].file;
            assert_int_equal(r, f < 0 ? EXT2_E_NOENT : 0);
            if (f < 0)
                continue;
            struct ext2_stat st;
            assert_int_equal(ext2_stat(E.fs, ino, &st), 0);
            assert_int_equal(ino, m_files[f].ino);
            assert_int_equal(st.nlink, m_files[f].links);
            assert_int_equal(ext2_read(E.fs, ino, 0, got, sizeof(got)), (int64_t)m_files[f].len);
            assert_memory_equal(got, m_files[f].data, m_files[f].len);
        }
    }
}

// One random operation on both the file system and the model.
static void m_step(void)
{
    int d = (int)m_rand(3), n = (int)m_rand(M_NAMES), f = m_names[d][n].file;
    char name[16];
    m_name(n, name);
    uint32_t op = m_rand(10);
    if (f < 0 && op < 5) {   // create
        for (f = 0; m_files[f].links; f++)
            ;
        m_files[f].ino = create(m_dirs[d], name);
        m_files[f].len = 0;
        m_files[f].links = 1;
        m_names[d][n].file = f;
    } else if (f >= 0 && op < 4) {   // write somewhere
        size_t off = m_rand(M_MAX - 10000), len = m_rand(10000) + 1;
        static uint8_t buf[10000];
        fill(buf, len, m_seed);
        write_all(m_files[f].ino, off, buf, len);
        if (off > m_files[f].len)
            memset(m_files[f].data + m_files[f].len, 0, off - m_files[f].len);
        memcpy(m_files[f].data + off, buf, len);
        if (off + len > m_files[f].len)
            m_files[f].len = off + len;
    } else if (f >= 0 && op < 5) {   // truncate
        size_t len = m_rand(M_MAX);
        assert_int_equal(ext2_truncate(E.fs, m_files[f].ino, len), 0);
        if (len > m_files[f].len)
            memset(m_files[f].data + m_files[f].len, 0, len - m_files[f].len);
        m_files[f].len = len;
    } else if (f >= 0 && op < 7) {   // rename, maybe over another name
        int d2 = (int)m_rand(3), n2 = (int)m_rand(M_NAMES), g = m_names[d2][n2].file;
        char name2[16];
        m_name(n2, name2);
        assert_int_equal(ext2_rename(E.fs, m_dirs[d], name, m_dirs[d2], name2), 0);
        if (g != f) {
            if (g >= 0)
                m_files[g].links--;
            m_names[d2][n2].file = f;
            m_names[d][n].file = -1;
        }
    } else if (f >= 0 && op < 8) {   // hard link to a free name
        int d2 = (int)m_rand(3), n2 = (int)m_rand(M_NAMES);
        char name2[16];
        m_name(n2, name2);
        if (m_names[d2][n2].file >= 0)
            return;
        assert_int_equal(ext2_link(E.fs, m_files[f].ino, m_dirs[d2], name2), 0);
        m_names[d2][n2].file = f;
        m_files[f].links++;
    } else if (f >= 0) {   // unlink
        assert_int_equal(ext2_unlink(E.fs, m_dirs[d], name), 0);
        m_files[f].links--;
        m_names[d][n].file = -1;
    }
}

static void test_random_operations_against_model(void **state)
{
    (void)state;
    m_files = calloc(3 * M_NAMES, sizeof(*m_files));
    for (uint32_t seed = 1; seed <= 3; seed++) {
        mkfs(seed == 2 ? "-t ext3 -b 4096" : "-t ext3 -b 1024", "32M");
        mount_img();
        m_seed = seed;
        memset(m_files, 0, 3 * M_NAMES * sizeof(*m_files));
        memset(m_names, 0xff, sizeof(m_names));
        m_dirs[0] = EXT2_ROOT_INO;
        assert_int_equal(ext2_mkdir(E.fs, EXT2_ROOT_INO, "d1", 0755, 0, 0, &m_dirs[1]), 0);
        assert_int_equal(ext2_mkdir(E.fs, m_dirs[1], "d2", 0755, 0, 0, &m_dirs[2]), 0);
        for (int i = 1; i <= 1500; i++) {
            m_step();
            if (i % 500 == 0) {
                m_check();
                remount_checked();
                m_check();
            }
        }
        teardown(NULL);
    }
    free(m_files);
}

// Files made by mke2fs -d read back as the tree holds them.
static void test_reads_mke2fs_populated_image(void **state)
{
    (void)state;
    sh("rm -rf build/host/ext2-tree && mkdir -p build/host/ext2-tree/sub/deeper && "
       "head -c 300000 /dev/urandom > build/host/ext2-tree/sub/rand && "
       "echo hello > build/host/ext2-tree/hello.txt && "
       "ln -s sub/rand build/host/ext2-tree/link");
    mkfs("-t ext3 -d build/host/ext2-tree", "16M");
    mount_img();
    uint8_t *want;
    uint64_t n;
    assert_int_equal(image_load("build/host/ext2-tree/sub/rand", &want, &n), 0);
    uint32_t r = lookup(lookup(EXT2_ROOT_INO, "sub"), "rand");
    assert_content(r, 0, want, n);
    free(want);
    char buf[64];
    assert_int_equal(ext2_readlink(E.fs, lookup(EXT2_ROOT_INO, "link"), buf, sizeof(buf)), 8);
    assert_true(ext2_walk(E.fs, 8) >= 6);
    // Changes in a populated tree.
    assert_int_equal(ext2_unlink(E.fs, lookup(EXT2_ROOT_INO, "sub"), "rand"), 0);
    assert_int_equal(ext2_rename(E.fs, EXT2_ROOT_INO, "hello.txt", lookup(EXT2_ROOT_INO, "sub"),
                                 "hi"), 0);
    remount_checked();
}

static void test_full_disk_short_write(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "4M");
    mount_img();
    static uint8_t buf[8 << 20];
    uint32_t f = create(EXT2_ROOT_INO, "fill");
    int64_t n = ext2_write(E.fs, f, 0, buf, sizeof(buf));
    assert_true(n > 0 && n < (int64_t)sizeof(buf));
    assert_int_equal(ext2_write(E.fs, f, (uint64_t)n, buf, 4096), EXT2_E_NOSPC);
    struct ext2_statfs st;
    ext2_statfs(E.fs, &st);
    assert_false(st.read_only);
    remount_checked();
    assert_int_equal(ext2_unlink(E.fs, EXT2_ROOT_INO, "fill"), 0);
    remount_checked();
}

// The fs service maps blocks itself (ext2_bmap, then DMA): running out of them is an error
// for that block only, and the file system stays writable (it once went read-only, so that a
// full disk refused even the rm that would free it).
static void test_full_disk_bmap(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "4M");
    mount_img();
    uint32_t f = create(EXT2_ROOT_INO, "fill");
    assert_int_equal(ext2_truncate(E.fs, f, 8 << 20), 0);
    uint64_t blk = 1, b = 0;
    int r = 0;
    for (; b < 8192 && (r = ext2_bmap(E.fs, f, b, true, &blk)) == 0; b++)
        assert_true(blk > 0);
    assert_int_equal(r, EXT2_E_NOSPC);
    assert_true(b > 1000);
    struct ext2_statfs st;
    ext2_statfs(E.fs, &st);
    assert_false(st.read_only);
    assert_int_equal(ext2_bmap(E.fs, f, b, true, &blk), EXT2_E_NOSPC);
    assert_int_equal(ext2_unlink(E.fs, EXT2_ROOT_INO, "fill"), 0);
    create(EXT2_ROOT_INO, "after");
    assert_int_equal(ext2_sync(E.fs), 0);
    remount_checked();
}

// Unsupported features are refused; a corrupt superblock is refused.
static void test_refuses_unsupported_and_corrupt(void **state)
{
    (void)state;
    mkfs("-t ext4", "16M");
    load();
    assert_int_equal(ext2_mount(&E.dev, NULL, &E.fs), EXT2_E_UNSUPPORTED);
    mkfs("-t ext3", "16M");
    load();
    E.data[1024 + 56] ^= 1;   // magic
    assert_int_equal(ext2_mount(&E.dev, NULL, &E.fs), EXT2_E_CORRUPT);
    load();
    E.data[1024 + 24] = 9;    // block size
    assert_int_equal(ext2_mount(&E.dev, NULL, &E.fs), EXT2_E_CORRUPT);
    E.fs = NULL;
}

// A corrupt directory block: the lookup fails, the file system turns read-only and nothing
// more is written.
static void test_corrupt_directory_goes_read_only(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "16M");
    mount_img();
    uint32_t d;
    assert_int_equal(ext2_mkdir(E.fs, EXT2_ROOT_INO, "d", 0755, 0, 0, &d), 0);
    create(d, "f");
    remount_checked();
    uint64_t blk;
    assert_int_equal(ext2_bmap(E.fs, lookup(EXT2_ROOT_INO, "lost+found"), 0, false, &blk),
                     EXT2_E_ISDIR);
    assert_int_equal(ext2_unmount(E.fs), 0);
    E.fs = NULL;
    // Find d's block with debugfs and break the rec_len of its first entry.
    assert_int_equal(image_save(IMG, E.data, E.size), 0);
    sh("debugfs -R 'bmap /d 0' " IMG " 2>/dev/null > build/host/ext2-bmap.txt");
    FILE *fp = fopen("build/host/ext2-bmap.txt", "r");
    assert_non_null(fp);
    assert_int_equal(fscanf(fp, "%lu", &blk), 1);
    fclose(fp);
    load();
    E.data[blk * 1024 + 4] = 3;
    assert_int_equal(ext2_mount(&E.dev, NULL, &E.fs), 0);
    uint32_t ino;
    assert_int_equal(ext2_lookup(E.fs, d, "f", &ino), EXT2_E_CORRUPT);
    uint64_t writes = E.md.writes;
    assert_int_equal(ext2_create(E.fs, EXT2_ROOT_INO, "g", 0644, 0, 0, NULL), EXT2_E_CORRUPT);
    struct ext2_statfs st;
    ext2_statfs(E.fs, &st);
    assert_true(st.read_only);
    assert_int_equal(st.error, EXT2_E_CORRUPT);
    ext2_unmount(E.fs);
    E.fs = NULL;
    assert_int_equal(E.md.writes, writes);
}

// Random byte flips (fixed seed) in the first 64 KiB of an image: mount, walk, change and
// unmount must never crash or read out of bounds; errors are fine.
static void flip_and_exercise(const uint8_t *base, uint64_t size, uint32_t seed, int *mounted)
{
    memcpy(E.data, base, size);
    memdev_init(&E.md, E.data, size);
    for (int k = 0; k < 1 + (int)(seed % 8); k++) {
        seed = seed * 1103515245u + 12345u;
        E.data[(seed >> 8) % (64 * 1024)] ^= (uint8_t)(1u << (seed % 8));
    }
    if (ext2_mount(&E.dev, NULL, &E.fs) < 0)
        return;
    ++*mounted;
    ext2_exercise(E.fs);
    ext2_unmount(E.fs);
    E.fs = NULL;
}

static void test_random_corruption(void **state)
{
    (void)state;
    sh("rm -rf build/host/ext2-tree2 && mkdir -p build/host/ext2-tree2/d/e && "
       "head -c 70000 /dev/zero > build/host/ext2-tree2/d/zero && echo x > build/host/ext2-tree2/x && "
       "ln -s x build/host/ext2-tree2/l");
    mkfs("-t ext3 -b 1024 -N 64 -d build/host/ext2-tree2", "2M");
    load();
    uint8_t *base = malloc(E.size);
    memcpy(base, E.data, E.size);
    int mounted = 0;
    for (uint32_t iter = 0; iter < 400; iter++)
        flip_and_exercise(base, E.size, iter * 2654435761u, &mounted);
    assert_true(mounted > 100);
    free(base);
}

// The same over an image whose journal holds a committed transaction: recovery reads it.
static void test_random_corruption_dirty_journal(void **state)
{
    (void)state;
    uint8_t *base;
    uint64_t size;
    assert_int_equal(ext2_dirty_image(IMG, &base, &size), 0);
    assert_int_equal(image_save(IMG, base, size), 0);
    sh("debugfs -R logdump " IMG " 2>/dev/null | grep -q 'Found expected sequence'");
    load();
    int mounted = 0;
    for (uint32_t iter = 0; iter < 400; iter++)
        flip_and_exercise(base, size, iter * 2654435761u, &mounted);
    assert_true(mounted > 100);
    // Unharmed, it replays to a clean file system.
    memcpy(E.data, base, size);
    memdev_init(&E.md, E.data, size);
    assert_int_equal(ext2_mount(&E.dev, NULL, &E.fs), 0);
    uint32_t d;
    assert_int_equal(ext2_lookup(E.fs, EXT2_ROOT_INO, "g", &d), 0);
    remount_checked();
    free(base);
}

// Our log is jbd2 as e2fsprogs reads it: e2fsck replays a transaction we committed (and
// left un-checkpointed) into a clean file system holding the committed file.
static void test_e2fsck_replays_our_journal(void **state)
{
    (void)state;
    uint8_t *base;
    uint64_t size;
    assert_int_equal(ext2_dirty_image(IMG, &base, &size), 0);
    assert_int_equal(image_save(IMG, base, size), 0);
    free(base);
    sh("e2fsck -fy " IMG " >/dev/null 2>&1; e2fsck -fn " IMG " >/dev/null 2>&1");
    sh("debugfs -R 'stat /g' " IMG " 2>/dev/null | grep -q 'Size: 5000'");
}

// A journal written by e2fsprogs' own jbd2 code (debugfs): transaction 1 logs blocks
// 5000-5002, transaction 2 revokes 5001. Mount replays 5000 and 5002 and leaves 5001 alone.
static void test_replays_e2fsprogs_journal_with_revoke(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "8M");
    sh("head -c 3072 /dev/urandom > build/host/ext2-jblocks.bin");
    sh("printf 'jo\\njw -b 5000,5001,5002 build/host/ext2-jblocks.bin\\njw -r 5001\\njc\\n' | "
       "debugfs -w -f - " IMG " >/dev/null 2>&1");
    sh("debugfs -R logdump " IMG " 2>/dev/null | grep -q 'type 5 (revoke table)'");
    uint8_t *want, old[1024];
    uint64_t n;
    assert_int_equal(image_load("build/host/ext2-jblocks.bin", &want, &n), 0);
    load();
    memcpy(old, E.data + 5001 * 1024, sizeof(old));
    assert_int_equal(ext2_mount(&E.dev, NULL, &E.fs), 0);
    assert_memory_equal(E.data + 5000 * 1024, want, 1024);
    assert_memory_equal(E.data + 5001 * 1024, old, 1024);
    assert_memory_equal(E.data + 5002 * 1024, want + 2048, 1024);
    free(want);
    remount_checked();
}

// ---- the circular log: transactions after one another, checkpointed lazily ----

static void counters(struct ext2_counters *c) { ext2_get_counters(E.fs, c); }

// The power goes: nothing more reaches the disk (the unmount's writes are lost), then the
// image is mounted again: the library replays the log.
static void crash_and_mount_with(const struct ext2_mount_opts *opts)
{
    E.md.cut = E.md.writes;
    ext2_unmount(E.fs);
    E.fs = NULL;
    memdev_free(&E.md);
    memdev_init(&E.md, E.data, E.size);
    E.dev = memdev_blkdev(&E.md);
    int r = ext2_mount(&E.dev, opts, &E.fs);
    if (r < 0)
        fail_msg("mount after the crash: %s", ext2_strerror(r));
}

static void crash_and_mount(void) { crash_and_mount_with(NULL); }

// File i of a series: its name and bytes.
static void series_file(int i, char name[16], uint8_t data[300])
{
    snprintf(name, 16, "s%04d", i);
    fill(data, 300, (uint32_t)i + 1);
}

// Creates file i of the series and fsyncs it: one commit.
static void series_commit(int i)
{
    char name[16];
    uint8_t data[300];
    series_file(i, name, data);
    uint32_t ino = create(EXT2_ROOT_INO, name);
    write_all(ino, 0, data, sizeof(data));
    assert_int_equal(ext2_fsync(E.fs, ino), 0);
}

static void assert_series(int from, int to)
{
    for (int i = from; i < to; i++) {
        char name[16];
        uint8_t data[300];
        series_file(i, name, data);
        assert_content(lookup(EXT2_ROOT_INO, name), 0, data, sizeof(data));
    }
}

// A commit is two device requests (the data and the log gathered, the commit block) and two
// flushes, and writes nothing home; an fsync with nothing new does no I/O at all. Ten
// commits without a checkpoint, then a crash: the mount replays all ten from the log.
static void test_commits_stay_in_the_log_until_a_crash(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "8M");
    mount_img();
    struct ext2_counters a, b;
    for (int i = 0; i < 10; i++) {
        uint32_t d;
        char name[16];
        snprintf(name, sizeof(name), "d%d", i);
        counters(&a);
        assert_int_equal(ext2_mkdir(E.fs, EXT2_ROOT_INO, name, 0755, 0, 0, &d), 0);
        assert_int_equal(ext2_fsync(E.fs, d), 0);
        counters(&b);
        assert_int_equal(b.commits - a.commits, 1);
        assert_int_equal(b.dev_writes - a.dev_writes, 2);
        assert_int_equal(b.dev_flushes - a.dev_flushes, 2);
        assert_int_equal(ext2_fsync(E.fs, d), 0);   // nothing new
        counters(&a);
        assert_int_equal(a.dev_writes + a.dev_flushes, b.dev_writes + b.dev_flushes);
        series_commit(i);
    }
    counters(&a);
    assert_int_equal(a.commits, 20);
    assert_int_equal(a.checkpoints, 0);
    crash_and_mount();
    assert_series(0, 10);
    for (int i = 0; i < 10; i++) {
        char name[16];
        snprintf(name, sizeof(name), "d%d", i);
        lookup(EXT2_ROOT_INO, name);
    }
    remount_checked();
}

// With no metadata change, fsync flushes only if something was written since the last
// flush: the caller's own writes of a file's blocks (an overwrite, reported with
// ext2_filled) get their flush, nothing else any I/O.
static void test_fsync_flushes_only_after_writes(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "8M");
    mount_img();
    uint32_t f = create(EXT2_ROOT_INO, "f");
    static uint8_t data[1024];
    fill(data, sizeof(data), 9);
    write_all(f, 0, data, sizeof(data));
    assert_int_equal(ext2_fsync(E.fs, f), 0);
    uint64_t blk;
    assert_int_equal(ext2_bmap(E.fs, f, 0, false, &blk), 0);
    struct ext2_counters a, b;
    counters(&a);
    data[0] ^= 0xff;
    memcpy(E.data + blk * 1024, data, sizeof(data));   // the caller's "DMA"
    ext2_filled(E.fs, blk, 1);
    assert_int_equal(ext2_fsync(E.fs, f), 0);
    counters(&b);
    assert_int_equal(b.dev_flushes - a.dev_flushes, 1);
    assert_int_equal(b.dev_writes - a.dev_writes, 0);
    assert_int_equal(ext2_fsync(E.fs, f), 0);
    counters(&a);
    assert_int_equal(a.dev_flushes + a.dev_writes, b.dev_flushes + b.dev_writes);
    remount_checked();
    assert_content(f, 0, data, sizeof(data));
}

// A 1 MiB journal: commits until the log has no room for the next one, which checkpoints
// first and then wraps around the journal's end; more commits; a crash. The mount replays
// the wrapped log; so does e2fsck, on a copy of the crashed image.
static void test_full_log_checkpoints_and_wraps(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024 -J size=1", "8M");
    mount_img();
    struct ext2_counters c;
    int n = 0;
    do {
        series_commit(n++);
        counters(&c);
    } while (c.checkpoints == 0 && n < 2000);
    assert_int_equal(c.checkpoints, 1);
    for (int k = 0; k < 5; k++)
        series_commit(n++);
    E.md.cut = E.md.writes;
    assert_int_equal(image_save(IMG, E.data, E.size), 0);
    // The log now starts near the journal's end and goes on from its start.
    sh("debugfs -R logdump " IMG " 2>/dev/null > build/host/ext2-logdump.txt");
    sh("awk '/Journal starts at block/ { s = $5 + 0 } /descriptor block\\) at block/ "
       "{ b = $NF + 0; if (b < s) w = 1; t++ } END { exit !(w && t >= 6) }' "
       "build/host/ext2-logdump.txt");
    sh("cp " IMG " build/host/ext2-crashed.img && e2fsck -fy build/host/ext2-crashed.img "
       ">/dev/null 2>&1; e2fsck -fn build/host/ext2-crashed.img >/dev/null 2>&1");
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "debugfs -R 'stat /s%04d' build/host/ext2-crashed.img "
             "2>/dev/null | grep -q 'Size: 300'", n - 1);
    sh("%s", cmd);
    crash_and_mount();
    assert_series(0, n);
    remount_checked();
}

// A crash after the log blocks and their flush but before the commit block: the mount
// replays the transactions before it and not that one.
static void test_crash_before_commit_block(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "8M");
    mount_img();
    for (int i = 0; i < 4; i++)
        series_commit(i);
    E.md.cut_flush = E.md.flushes;   // the next flush, the one before the commit block
    series_commit(4);
    crash_and_mount();
    assert_series(0, 4);
    uint32_t ino;
    assert_int_equal(ext2_lookup(E.fs, EXT2_ROOT_INO, "s0004", &ino), EXT2_E_NOENT);
    remount_checked();
}

// A metadata block committed (an indirect block, still in the log) and then freed is
// revoked: when a later file's data lands in it, a replay after a crash leaves that data
// alone. The file "fill" has its first block before "ind"'s blocks, so its next ones take
// the blocks "ind" freed, its 13th (data) the one that was "ind"'s indirect block; then it
// fills the disk.
static void test_freed_logged_block_is_revoked(void **state)
{
    (void)state;
    mkfs("-t ext3 -b 1024", "8M");
    mount_img();
    static uint8_t data[64 * 1024];
    fill(data, sizeof(data), 3);
    uint32_t g = create(EXT2_ROOT_INO, "fill");
    write_all(g, 0, data, 1024);
    uint32_t f = create(EXT2_ROOT_INO, "ind");
    write_all(f, 0, data, 20 * 1024);
    assert_int_equal(ext2_fsync(E.fs, f), 0);
    uint64_t ind;   // allocated just before file block 12
    assert_int_equal(ext2_bmap(E.fs, f, 12, false, &ind), 0);
    ind--;
    assert_int_equal(ext2_truncate(E.fs, f, 0), 0);
    assert_int_equal(ext2_fsync(E.fs, f), 0);
    uint64_t off = 1024, blk;
    for (int64_t n; (n = ext2_write(E.fs, g, off, data, sizeof(data) - 1024)) > 0;)
        off += (uint64_t)n;
    assert_int_equal(ext2_bmap(E.fs, g, 12, false, &blk), 0);
    assert_int_equal(blk, ind);
    assert_int_equal(ext2_fsync(E.fs, g), 0);
    struct ext2_counters c;
    counters(&c);
    assert_int_equal(c.checkpoints, 0);
    crash_and_mount();
    for (uint64_t at = 1024; at < off; at += sizeof(data) - 1024) {
        uint64_t n = off - at < sizeof(data) - 1024 ? off - at : sizeof(data) - 1024;
        assert_content(g, at, data, n);
    }
    remount_checked();
}

static uint16_t mode_of(const char *name)
{
    struct ext2_stat st;
    assert_int_equal(ext2_stat(E.fs, lookup(EXT2_ROOT_INO, name), &st), 0);
    return st.mode & EXT2_S_PERM;
}

// The expected permissions of series file i after chmods ops[0, n) (0644 before any).
struct chmod_op { int file; uint16_t mode; };
static uint16_t mode_after(const struct chmod_op *ops, int n, int file)
{
    uint16_t mode = 0644;
    for (int i = 0; i < n; i++)
        mode = ops[i].file == file ? ops[i].mode : mode;
    return mode;
}

// With the smallest cache, committed blocks (inode tables of 1,600 new files) fill it long
// before the 16 MiB log is full: the cache checkpoints them to make room. Then chmods, of a
// file in each inode block in turn and of one hot file each time, uncommitted (a
// transaction grown large commits by itself), until the cache checkpoints while the running
// transaction holds the hot file's committed inode block, changed again: the checkpoint must
// write its committed state. A crash then: the fsynced files are all there, exactly the
// committed chmods are, and e2fsck finds the file system clean.
static void test_cache_full_of_committed_blocks_checkpoints(void **state)
{
    (void)state;
    enum { FILES = 1600, HOT = 1 };
    const struct ext2_mount_opts small = { .cache_blocks = 64 };
    mkfs("-t ext3 -b 1024 -I 128 -N 4096 -J size=16", "64M");
    load();
    assert_int_equal(ext2_mount(&E.dev, &small, &E.fs), 0);
    for (int i = 0; i < FILES; i++)
        series_commit(i);
    struct ext2_counters a, b;
    counters(&a);
    assert_true(a.checkpoints > 0);
    assert_true(a.journal_blocks < 16 * 1024);   // the log never filled
    static struct chmod_op ops[2 * FILES];
    int n = 0, first = 0;        // ops[first, n) are in the running transaction
    int checkpoints = 0;         // since the running transaction began
    bool done = false;
    for (int k = 0; !done; k++) {
        assert_true(k < FILES);
        for (int j = 0; j < 2 && !done; j++) {
            char name[16];
            uint8_t data[300];
            struct chmod_op op = { j ? HOT : k * 8 % FILES, j ? (uint16_t)(0400 + k % 64) : 0600 };
            series_file(op.file, name, data);
            assert_int_equal(ext2_setattr(E.fs, lookup(EXT2_ROOT_INO, name), EXT2_SET_MODE,
                                          &(struct ext2_attr){ .mode = op.mode }), 0);
            ops[n++] = op;
            counters(&b);
            if (b.commits != a.commits) {
                first = n - 1;
                checkpoints = 0;
            }
            // Done if the hot file's chmod (odd) came first in this transaction, after a
            // commit in the loop (that one left its block pinned, no checkpoint since).
            if (b.checkpoints != a.checkpoints && checkpoints++ == 0)
                done = first > 0 && (n - 2 > first || (n - 2 == first && first % 2));
            a = b;
        }
    }
    crash_and_mount_with(&small);
    assert_series(0, FILES);
    for (int i = 0; i < n; i++) {
        char name[16];
        uint8_t data[300];
        series_file(ops[i].file, name, data);
        assert_int_equal(mode_of(name), mode_after(ops, first, ops[i].file));
    }
    remount_checked();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_mount_fresh_images, teardown),
        cmocka_unit_test_teardown(test_files_write_read_back, teardown),
        cmocka_unit_test_teardown(test_directories_links_symlinks, teardown),
        cmocka_unit_test_teardown(test_directory_blocks_read_once, teardown),
        cmocka_unit_test_teardown(test_large_sparse_file_and_truncate, teardown),
        cmocka_unit_test_teardown(test_dense_file_4k, teardown),
        cmocka_unit_test_teardown(test_small_cache_many_changes, teardown),
        cmocka_unit_test_teardown(test_bmap_direct_data, teardown),
        cmocka_unit_test_teardown(test_bmap_fill, teardown),
        cmocka_unit_test_teardown(test_bmap_runs, teardown),
        cmocka_unit_test_teardown(test_bmap_runs_unfilled_and_full, teardown),
        cmocka_unit_test_teardown(test_full_disk_bmap, teardown),
        cmocka_unit_test_teardown(test_random_operations_against_model, teardown),
        cmocka_unit_test_teardown(test_reads_mke2fs_populated_image, teardown),
        cmocka_unit_test_teardown(test_full_disk_short_write, teardown),
        cmocka_unit_test_teardown(test_refuses_unsupported_and_corrupt, teardown),
        cmocka_unit_test_teardown(test_corrupt_directory_goes_read_only, teardown),
        cmocka_unit_test_teardown(test_random_corruption, teardown),
        cmocka_unit_test_teardown(test_random_corruption_dirty_journal, teardown),
        cmocka_unit_test_teardown(test_e2fsck_replays_our_journal, teardown),
        cmocka_unit_test_teardown(test_replays_e2fsprogs_journal_with_revoke, teardown),
        cmocka_unit_test_teardown(test_commits_stay_in_the_log_until_a_crash, teardown),
        cmocka_unit_test_teardown(test_fsync_flushes_only_after_writes, teardown),
        cmocka_unit_test_teardown(test_full_log_checkpoints_and_wraps, teardown),
        cmocka_unit_test_teardown(test_crash_before_commit_block, teardown),
        cmocka_unit_test_teardown(test_freed_logged_block_is_revoked, teardown),
        cmocka_unit_test_teardown(test_cache_full_of_committed_blocks_checkpoints, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

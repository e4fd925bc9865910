// Power-cut test of the ext2/ext3 library on the host: a workload writes, fsyncs, renames
// and removes files on a disk that loses power after N block writes; mounting again replays
// the journal, after which `e2fsck -fn` must find a clean file system and every file whose
// fsync had returned before the cut must hold exactly what was written. Run over many cut
// points, in two models: writes after the cut are dropped; and, on top, every write since
// the last completed flush is lost or kept at random (a volatile write cache).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/ext2_memdev.h"

#define IMG "build/host/ext2-crash.img"
#define NFILES 14
#define CUTS_PER_MODEL 150

struct synced {
    char name[16];
    uint8_t *data;
    size_t len;
};

struct run {
    struct synced files[NFILES];
    int nsynced;
};

static uint8_t *base;
static uint64_t base_size;

static size_t file_len(int i)
{
    static const size_t lens[] = { 100, 3000, 20000, 70000, 1, 1024, 13000, 280000 };
    return lens[i % 8];
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        p[i] = (uint8_t)(seed >> 16);
    }
}

// Writes p in uneven pieces, as an application would.
static void write_pieces(struct ext2_fs *fs, uint32_t ino, const uint8_t *p, size_t n)
{
    for (size_t off = 0, piece = 777; off < n; off += piece, piece = piece * 3 % 50000 + 1)
        ext2_write(fs, ino, off, p + off, off + piece < n ? piece : n - off);
}

// Churn that is never synced: a temporary file written and removed, a directory made and
// removed, an unsynced file renamed and cut short.
static void churn(struct ext2_fs *fs, uint32_t dir, int i, const uint8_t *junk)
{
    uint32_t t;
    if (ext2_create(fs, dir, "tmp", 0600, 0, 0, &t) == 0) {
        ext2_write(fs, t, 0, junk, 5000 + 3000 * (size_t)i);
        ext2_unlink(fs, dir, "tmp");
    }
    ext2_mkdir(fs, dir, "sub", 0755, 0, 0, NULL);
    if (i % 2)
        ext2_rmdir(fs, dir, "sub");
    char from[16], to[16];
    snprintf(from, sizeof(from), "f%d", i - 1);
    snprintf(to, sizeof(to), "r%d", i - 1);
    if (i % 3 == 0 && ext2_rename(fs, dir, from, dir, to) == 0) {
        uint32_t ino;
        if (ext2_lookup(fs, dir, to, &ino) == 0)
            ext2_truncate(fs, ino, 10);
    }
}

// The workload on dev (which may lose power at any write); records the files whose fsync
// returned while the power was on.
static void workload(struct memdev *md, struct run *run)
{
    struct ext2_blkdev dev = memdev_blkdev(md);
    struct ext2_fs *fs;
    static uint8_t data[300000], junk[60000];
    fill(junk, sizeof(junk), 5);
    run->nsynced = 0;
    if (ext2_mount(&dev, NULL, &fs) < 0)
        return;
    uint32_t dir;
    if (ext2_mkdir(fs, EXT2_ROOT_INO, "w", 0755, 0, 0, &dir) < 0) {
        ext2_unmount(fs);
        return;
    }
    for (int i = 0; i < NFILES; i++) {
        char name[16];
        uint32_t ino = 0;
        snprintf(name, sizeof(name), "f%d", i);
        size_t n = file_len(i);
        fill(data, n, (uint32_t)i + 100);
        if (ext2_create(fs, dir, name, 0644, 0, 0, &ino) == 0)
            write_pieces(fs, ino, data, n);
        // Files 0, 1, 3, 4, 6, ... are synced (and never touched again); the others churn.
        if (i % 3 != 2 && ext2_fsync(fs, ino) == 0 && !md->cut_done) {
            struct synced *s = &run->files[run->nsynced++];
            memcpy(s->name, name, sizeof(name));
            s->data = malloc(n);
            memcpy(s->data, data, n);
            s->len = n;
        }
        if (i % 3 == 2)
            churn(fs, dir, i, junk);
    }
    ext2_unmount(fs);
}

static void run_free(struct run *run)
{
    for (int i = 0; i < run->nsynced; i++)
        free(run->files[i].data);
}

static int fsck_clean(const uint8_t *data, uint64_t size)
{
    if (image_save(IMG, data, size) < 0)
        return 0;
    return system("e2fsck -fn " IMG " >build/host/ext2-crash-fsck.log 2>&1") == 0;
}

// After the cut: mount (recovery), walk everything, unmount; e2fsck; mount again and compare
// the synced files.
static void verify(uint8_t *data, const struct run *run, uint64_t cut, int *replayed)
{
    struct memdev md;
    memdev_init(&md, data, base_size);
    struct ext2_blkdev dev = memdev_blkdev(&md);
    struct ext2_fs *fs;
    int r = ext2_mount(&dev, NULL, &fs);
    if (r < 0)
        fail_msg("cut %lu: mount after the cut: %s", (unsigned long)cut, ext2_strerror(r));
    struct ext2_counters c;
    ext2_get_counters(fs, &c);
    *replayed += md.writes > 1;   // more than mount's superblock write: the log was replayed
    if (ext2_walk(fs, 8) < 0)
        fail_msg("cut %lu: walk failed", (unsigned long)cut);
    assert_int_equal(ext2_unmount(fs), 0);
    if (!fsck_clean(data, base_size)) {
        system("cat build/host/ext2-crash-fsck.log");
        fail_msg("cut %lu: e2fsck found errors", (unsigned long)cut);
    }
    assert_int_equal(ext2_mount(&dev, NULL, &fs), 0);
    uint32_t dir, ino;
    assert_int_equal(ext2_lookup(fs, EXT2_ROOT_INO, "w", &dir) < 0 && run->nsynced, 0);
    static uint8_t got[300001];
    for (int i = 0; i < run->nsynced; i++) {
        const struct synced *s = &run->files[i];
        if (ext2_lookup(fs, dir, s->name, &ino) < 0)
            fail_msg("cut %lu: synced %s is gone", (unsigned long)cut, s->name);
        int64_t n = ext2_read(fs, ino, 0, got, sizeof(got));
        if (n != (int64_t)s->len || memcmp(got, s->data, s->len) != 0)
            fail_msg("cut %lu: synced %s differs", (unsigned long)cut, s->name);
    }
    ext2_unmount(fs);
    memdev_free(&md);
}

static int setup(void **state)
{
    (void)state;
    if (system("mke2fs -q -F -t ext3 -b 1024 " IMG " 8M >/dev/null 2>&1") != 0 ||
        image_load(IMG, &base, &base_size) < 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(base);
    return 0;
}

static uint64_t total_writes, total_flushes;   // of the workload without a cut

// Runs the workload once per cut made by set_cut(md, i) for i = 0 .. n-1, verifying each.
static void crash_runs(const char *model, uint64_t n, void (*set_cut)(struct memdev *, uint64_t))
{
    uint8_t *data = malloc(base_size);
    struct memdev md;
    struct run run;
    int replayed = 0, checked = 0;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(data, base, base_size);
        memdev_init(&md, data, base_size);
        set_cut(&md, i);
        workload(&md, &run);
        memdev_power_cut(&md);
        memdev_free(&md);
        verify(data, &run, i, &replayed);
        checked += run.nsynced;
        run_free(&run);
    }
    printf("crash (%s): %lu cut points verified (workload: %lu writes, %lu flushes), "
           "%d with journal replay, %d synced files compared\n", model, (unsigned long)n,
           (unsigned long)total_writes, (unsigned long)total_flushes, replayed, checked);
    assert_true(replayed > 0);
    free(data);
}

// A run without a cut: how many writes and flushes the workload makes.
static void count_io(uint64_t *writes, uint64_t *flushes)
{
    uint8_t *data = malloc(base_size);
    struct memdev md;
    struct run run;
    memcpy(data, base, base_size);
    memdev_init(&md, data, base_size);
    workload(&md, &run);
    *writes = md.writes;
    *flushes = md.flushes;
    assert_int_equal(run.nsynced, NFILES - NFILES / 3);
    verify(data, &run, UINT64_MAX, &(int){0});
    run_free(&run);
    memdev_free(&md);
    free(data);
}

static void cut_at_write(struct memdev *md, uint64_t i)
{
    uint64_t step = total_writes / CUTS_PER_MODEL ? total_writes / CUTS_PER_MODEL : 1;
    md->cut = i * step + i * 7919 % step;   // spread within the step, repeatably
}

// Every flush, three times with different losses among the writes it would have flushed.
static void cut_at_flush(struct memdev *md, uint64_t i)
{
    md->cut_flush = i / 3;
    md->lose_unflushed = true;
    md->seed = (uint32_t)i;
}

static void test_power_cut_writes_stop(void **state)
{
    (void)state;
    count_io(&total_writes, &total_flushes);
    crash_runs("writes stop", CUTS_PER_MODEL, cut_at_write);
}

static void test_power_cut_unflushed_writes_lost(void **state)
{
    (void)state;
    count_io(&total_writes, &total_flushes);
    crash_runs("unflushed writes lost at a flush", 3 * total_flushes, cut_at_flush);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_cut_writes_stop),
        cmocka_unit_test(test_power_cut_unflushed_writes_lost),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

// Host unit tests for the filebuffer tables (user/services/fs/fbuf.c): opens and their ids,
// revocation on close, unlink and a client's death, eviction, rename.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>

#include "../../user/services/fs/fbuf.h"

static struct fb_table t;
static uint32_t revoked[FB_MAX_OPENS * 2], released[FB_MAX_FILES * 2];
static int nrevoked, nreleased;

static void revoke(void *ctx, uint32_t h)
{
    (void)ctx;
    revoked[nrevoked++] = h;
}

static void release(void *ctx, struct fb_file *f)
{
    (void)ctx;
    released[nreleased++] = f->vmo;
}

static int setup(void **state)
{
    (void)state;
    memset(&t, 0, sizeof(t));
    t.ops = (struct fb_ops){ revoke, release, NULL, NULL };
    nrevoked = nreleased = 0;
    return 0;
}

static void test_open_close_revokes(void **state)
{
    (void)state;
    long f = fb_add(&t, "/a", 100, 10, 4096, false);
    assert_true(f >= 0);
    assert_int_equal(fb_find(&t, "/a"), f);
    assert_int_equal(fb_find(&t, "/b"), -1);
    long id = fb_open(&t, (int)f, 7, true, 200);
    assert_true(id > 0);
    assert_null(fb_get(&t, (uint64_t)id, 8));         // another client's id is no id
    struct fb_open *o = fb_get(&t, (uint64_t)id, 7);
    assert_non_null(o);
    assert_int_equal(t.files[f].opens, 1);
    fb_close(&t, o);
    assert_int_equal(nrevoked, 1);
    assert_int_equal(revoked[0], 200);
    assert_int_equal(t.files[f].opens, 0);
    assert_null(fb_get(&t, (uint64_t)id, 7));          // closed: the id is dead
    long id2 = fb_open(&t, (int)f, 7, false, 201);     // same slot, new generation
    assert_true(id2 != id);
    assert_null(fb_get(&t, (uint64_t)id, 7));
    assert_null(fb_get(&t, 0, 7));
    assert_null(fb_get(&t, FB_MAX_OPENS + 1, 7));
}

static void test_unlink_revokes_every_open(void **state)
{
    (void)state;
    long f = fb_add(&t, "/a", 100, 10, 4096, false);
    long other = fb_add(&t, "/b", 101, 10, 4096, false);
    fb_open(&t, (int)f, 1, false, 200);
    fb_open(&t, (int)f, 2, true, 201);
    fb_open(&t, (int)other, 2, true, 202);
    assert_int_equal(fb_forget(&t, "/a"), 2);
    assert_int_equal(nrevoked, 2);
    assert_int_equal(nreleased, 1);
    assert_int_equal(released[0], 100);
    assert_int_equal(fb_find(&t, "/a"), -1);
    assert_int_equal(fb_forget(&t, "/a"), 0);
    assert_int_equal(t.files[other].opens, 1);
}

static void test_client_death_closes_its_opens(void **state)
{
    (void)state;
    long f = fb_add(&t, "/a", 100, 10, 4096, false);
    fb_open(&t, (int)f, 1, false, 200);
    fb_open(&t, (int)f, 2, false, 201);
    fb_open(&t, (int)f, 1, false, 202);
    int from = 0, n = 0;
    for (struct fb_open *o; (o = fb_next_of(&t, 1, &from)); n++)
        fb_close(&t, o);
    assert_int_equal(n, 2);
    assert_int_equal(t.files[f].opens, 1);
    from = 0;
    assert_null(fb_next_of(&t, 1, &from));
    assert_int_equal(from, FB_MAX_OPENS);
}

static void test_eviction_spares_open_and_dirty_files(void **state)
{
    (void)state;
    char path[16];
    for (int i = 0; i < FB_MAX_FILES; i++) {
        snprintf(path, sizeof(path), "/f%d", i);
        long f = fb_add(&t, path, (uint32_t)i, 1, 4096, false);
        assert_int_equal(f, i);
        if (i == 0)
            fb_open(&t, 0, 1, false, 300);
        if (i == 1)
            t.files[1].dirty = true;
    }
    long f = fb_add(&t, "/new", 99, 1, 4096, false);
    assert_int_equal(f, 2);                 // the first idle, clean file went
    assert_int_equal(released[0], 2);
    for (int i = 0; i < FB_MAX_FILES; i++)
        if (i > 1)
            fb_open(&t, i, 1, false, 400);
    assert_int_equal(fb_add(&t, "/none", 98, 1, 4096, false), NX_ERR_NO_SPACE);
}

static void test_drop_idle_spares_open_dirty_and_kept_files(void **state)
{
    (void)state;
    long open = fb_add(&t, "/open", 10, 1, 4096, false);
    long dirty = fb_add(&t, "/dirty", 11, 1, 4096, false);
    long kept = fb_add(&t, "/kept", 12, 1, 4096, false);
    long idle = fb_add(&t, "/idle", 13, 1, 4096, false);
    fb_open(&t, (int)open, 1, false, 300);
    t.files[dirty].dirty = true;
    assert_true(fb_drop_idle(&t, &t.files[kept]));
    assert_int_equal(released[0], 13);     // /idle's VMO
    assert_false(t.files[idle].used);
    assert_false(fb_drop_idle(&t, &t.files[kept]));
    assert_true(t.files[open].used && t.files[dirty].used && t.files[kept].used);
    assert_true(fb_drop_idle(&t, NULL));
    assert_false(t.files[kept].used);
}

static uint32_t orphan;   // the parent handle whose client copy is gone (0: none)

static bool orphaned(void *ctx, uint32_t parent)
{
    (void)ctx;
    return parent == orphan;
}

static void test_opens_run_out(void **state)
{
    (void)state;
    long f = fb_add(&t, "/a", 100, 10, 4096, false);
    for (int i = 0; i < FB_MAX_OPENS; i++)
        assert_true(fb_open(&t, (int)f, 1, false, 1000 + (uint32_t)i) > 0);
    assert_int_equal(fb_open(&t, (int)f, 1, false, 1), NX_ERR_NO_SPACE);
    // An open whose client is gone (killed before it closed) makes room; a live one never.
    t.ops.orphaned = orphaned;
    orphan = 0;
    assert_int_equal(fb_open(&t, (int)f, 1, false, 1), NX_ERR_NO_SPACE);
    orphan = 1005;
    long id = fb_open(&t, (int)f, 1, false, 2000);
    assert_true(id > 0);
    assert_int_equal(nrevoked, 1);
    assert_int_equal(revoked[0], 1005);
    assert_int_equal(t.files[f].opens, FB_MAX_OPENS);
    assert_non_null(fb_get(&t, (uint64_t)id, 1));
}

static void test_rename_moves_keys(void **state)
{
    (void)state;
    fb_add(&t, "/d/x", 1, 1, 4096, false);
    fb_add(&t, "/d/sub/y", 2, 1, 4096, false);
    fb_add(&t, "/dd", 3, 1, 4096, false);
    assert_int_equal(fb_rename(&t, "/d", "/e/f"), NX_OK);
    assert_int_equal(fb_find(&t, "/e/f/x"), 0);
    assert_int_equal(fb_find(&t, "/e/f/sub/y"), 1);
    assert_int_equal(fb_find(&t, "/dd"), 2);
    assert_int_equal(fb_rename(&t, "/dd", "/z"), NX_OK);
    assert_int_equal(fb_find(&t, "/z"), 2);
    char longdir[NX_FS_PATH_MAX];
    memset(longdir, 'l', sizeof(longdir) - 4);
    longdir[0] = '/';
    longdir[sizeof(longdir) - 4] = '\0';
    assert_int_equal(fb_rename(&t, "/e", longdir), NX_ERR_TOO_BIG);
    assert_int_equal(fb_find(&t, "/e/f/x"), 0);       // nothing changed
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_open_close_revokes, setup),
        cmocka_unit_test_setup(test_unlink_revokes_every_open, setup),
        cmocka_unit_test_setup(test_client_death_closes_its_opens, setup),
        cmocka_unit_test_setup(test_eviction_spares_open_and_dirty_files, setup),
        cmocka_unit_test_setup(test_drop_idle_spares_open_dirty_and_kept_files, setup),
        cmocka_unit_test_setup(test_opens_run_out, setup),
        cmocka_unit_test_setup(test_rename_moves_keys, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

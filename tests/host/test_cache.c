// Host unit tests for the page cache's policy (user/services/fs/cache.c): the order ranges
// are evicted in, second chance, the fair share per client, the table's bound, read-ahead;
// and random operations checked against a page-by-page model.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/services/fs/cache.h"

static struct fb_table t;
static struct cache c;

static void revoke(void *ctx, uint32_t h) { (void)ctx, (void)h; }
static void release(void *ctx, struct fb_file *f) { (void)ctx, (void)f; }

static int setup(void **state)
{
    (void)state;
    memset(&t, 0, sizeof(t));
    memset(&c, 0, sizeof(c));
    t.ops = (struct fb_ops){ revoke, release, NULL, NULL };
    c.files = &t;
    return 0;
}

// A cached file named key (its path "/<key>"), opened by each badge of the 0-ended list.
static struct fb_file *file(uint64_t key, const uint32_t *badges)
{
    char path[16];
    snprintf(path, sizeof(path), "/%u", (unsigned)key);
    long f = fb_add(&t, path, (uint32_t)key, 1 << 30, 1 << 30, false);
    assert_true(f >= 0);
    t.files[f].key = key;
    for (; badges && *badges; badges++)
        assert_true(fb_open(&t, (int)f, *badges, false, 0) > 0);
    return &t.files[f];
}

static void add(uint64_t key, uint64_t first, uint64_t n)
{
    assert_true(cache_add(&c, key, first, n));
}

static void assert_range(uint32_t i, uint64_t key, uint32_t first, uint32_t count)
{
    assert_true(i < c.n);
    assert_int_equal(c.ranges[i].key, key);
    assert_int_equal(c.ranges[i].first, first);
    assert_int_equal(c.ranges[i].count, count);
}

static void test_ranges_merge_up_to_the_unit_and_keep_order(void **state)
{
    (void)state;
    static const uint32_t a[] = { 1, 0 };
    struct fb_file *f = file(1, a), *g = file(2, a);
    add(1, 0, 60);
    add(1, 60, 4);      // grows the newest range to 64
    add(1, 64, 1);      // a new one: 64 is the unit
    add(2, 65, 1);      // another file's page never merges
    add(1, 66, 1);      // not following the newest
    add(1, 200, 150);   // more than the unit: cut in pieces
    assert_int_equal(c.n, 7);
    assert_range(0, 1, 0, 64);
    assert_range(1, 1, 64, 1);
    assert_range(2, 2, 65, 1);
    assert_range(4, 1, 200, 64);
    assert_range(6, 1, 328, 22);
    assert_int_equal(f->held, 64 + 1 + 1 + 150);
    assert_int_equal(g->held, 1);
    assert_int_equal(c.pages, 217);
    cache_requeue(&c, 0);
    assert_range(6, 1, 0, 64);
    cache_remove(&c, 6);
    assert_int_equal(f->held, 152);
    assert_int_equal(c.pages, 153);
}

static void test_table_is_bounded(void **state)
{
    (void)state;
    file(1, NULL);
    for (uint32_t i = 0; i < CACHE_HELD_MAX; i++)
        add(1, 2 * i, 1);   // never adjacent: a range each
    assert_int_equal(c.n, CACHE_HELD_MAX);
    assert_false(cache_add(&c, 1, 2 * CACHE_HELD_MAX + 1, 1));
    assert_int_equal(c.pages, CACHE_HELD_MAX);
    add(1, 2 * (CACHE_HELD_MAX - 1) + 1, 1);   // follows the newest: grows it, no slot
    cache_remove(&c, 0);
    assert_false(cache_add(&c, 1, 1 << 20, CACHE_MERGE_MAX + 1));   // two slots, one free
    add(1, 1 << 20, CACHE_MERGE_MAX);
    assert_int_equal(c.n, CACHE_HELD_MAX);
}

// Files nobody has open go first, oldest first, whatever their age.
static void test_unopened_files_go_first(void **state)
{
    (void)state;
    static const uint32_t a[] = { 1, 0 };
    file(1, a);
    file(2, NULL);
    file(3, NULL);
    add(1, 0, 8);
    add(2, 0, 8);
    add(3, 0, 8);
    add(2, 8, 1);
    add(2, 100, 1);
    assert_int_equal(cache_victim(&c, 1000), 1);
    cache_remove(&c, 1);
    assert_int_equal(cache_victim(&c, 1000), 1);
    assert_range(1, 3, 0, 8);
    cache_remove(&c, 1);
    assert_int_equal(cache_victim(&c, 1000), 1);
    assert_range(1, 2, 8, 1);
    cache_remove(&c, 1);
    assert_int_equal(cache_victim(&c, 1000), 1);
    assert_range(1, 2, 100, 1);
    cache_remove(&c, 1);
    assert_int_equal(cache_victim(&c, 1000), 0);   // only open files left: the oldest
    cache_remove(&c, 0);
    assert_int_equal(cache_victim(&c, 1000), -1);
}

// A client over its share loses its own oldest pages, even when another's are older.
static void test_client_over_its_share_pays(void **state)
{
    (void)state;
    static const uint32_t a[] = { 1, 0 }, b[] = { 2, 0 };
    file(10, b);
    file(20, a);
    file(21, a);
    add(10, 0, 10);   // B's, the oldest
    add(20, 0, 40);
    add(21, 0, 40);
    // A holds 80 of a cache of 100: its share is 50.
    assert_int_equal(cache_victim(&c, 100), 1);
    // Of a cache of 200 (share 100) nobody is over: the oldest of all.
    assert_int_equal(cache_victim(&c, 200), 0);
}

// A file two clients have open is charged half to each.
static void test_shared_file_is_charged_evenly(void **state)
{
    (void)state;
    static const uint32_t ab[] = { 1, 2, 1, 0 }, b[] = { 2, 0 }, cc[] = { 3, 0 };
    file(1, cc);
    file(2, ab);   // A opens it twice: still one client
    file(3, b);
    add(1, 0, 10);
    add(2, 0, 60);   // 30 to A, 30 to B
    add(3, 0, 20);   // B: 50
    // Three clients, a cache of 120: share 40. B (50) is over, A (30) and C (10) are not.
    assert_int_equal(cache_victim(&c, 120), 1);
    // A cache of 150 (share 50): nobody over.
    assert_int_equal(cache_victim(&c, 150), 0);
}

// A client alone may keep half the cache; past it its own pages go (all there are, then).
static void test_client_alone_keeps_half(void **state)
{
    (void)state;
    static const uint32_t a[] = { 1, 0 };
    file(1, a);
    file(2, a);
    add(1, 0, 30);
    add(2, 0, 30);
    assert_int_equal(cache_victim(&c, 100), 0);
    assert_int_equal(cache_victim(&c, 200), 0);
}

static void test_second_chance_keeps_touched_pages(void **state)
{
    (void)state;
    file(1, NULL);
    add(1, 0, 16);
    add(1, 100, 4);
    // Pages 2-3 and 8 touched: 0-1, 4-7, 9-15 stay in front to go, 2-3 and 8 go to the back.
    uint8_t touched[CACHE_MERGE_MAX / 8] = { 0x0c, 0x01 };
    assert_int_equal(cache_second_chance(&c, 0, touched), 3);
    assert_int_equal(c.n, 6);
    assert_range(0, 1, 0, 2);
    assert_range(1, 1, 4, 4);
    assert_range(2, 1, 9, 7);
    assert_range(3, 1, 100, 4);
    assert_range(4, 1, 2, 2);
    assert_range(5, 1, 8, 1);
    assert_int_equal(c.pages, 20);
    // None touched: the range goes whole. All touched: it goes to the back whole.
    uint8_t none[CACHE_MERGE_MAX / 8] = { 0 }, all[CACHE_MERGE_MAX / 8];
    memset(all, 0xff, sizeof(all));
    assert_int_equal(cache_second_chance(&c, 3, none), 1);
    assert_int_equal(cache_second_chance(&c, 3, NULL), 1);
    assert_int_equal(cache_second_chance(&c, 3, all), 0);
    assert_range(5, 1, 100, 4);
    assert_range(3, 1, 2, 2);
}

// With no room to split, a range touched anywhere goes to the back whole.
static void test_second_chance_without_room_moves_whole(void **state)
{
    (void)state;
    file(1, NULL);
    for (uint32_t i = 0; i < CACHE_HELD_MAX; i++)
        add(1, 100 * (uint64_t)i, 8);
    uint8_t touched[CACHE_MERGE_MAX / 8] = { 0x02 };   // page 1: 3 pieces, 2 more slots
    assert_int_equal(cache_second_chance(&c, 0, touched), 0);
    assert_range(CACHE_HELD_MAX - 1, 1, 0, 8);
    assert_int_equal(c.n, CACHE_HELD_MAX);
    cache_remove(&c, 0);
    cache_remove(&c, 0);
    // Room for exactly 3 pieces now.
    assert_int_equal(cache_second_chance(&c, 0, touched), 2);
    assert_int_equal(c.n, CACHE_HELD_MAX);
}

static void test_gap_skips_held_pages(void **state)
{
    (void)state;
    file(1, NULL);
    file(2, NULL);
    add(1, 4, 4);
    add(1, 8, 2);    // merges: 4-9 held
    add(1, 20, 1);
    add(2, 0, 50);
    uint64_t at = 0;
    assert_int_equal(cache_gap(&c, 1, &at, 64), 4);
    assert_int_equal(at, 0);
    at = 5;
    assert_int_equal(cache_gap(&c, 1, &at, 64), 10);
    assert_int_equal(at, 10);
    at = 20;
    assert_int_equal(cache_gap(&c, 1, &at, 64), 43);
    assert_int_equal(at, 21);
    at = 6;
    assert_int_equal(cache_gap(&c, 1, &at, 9), 0);   // all held up to the end
    at = 11;
    assert_int_equal(cache_gap(&c, 1, &at, 15), 4);  // bounded by the end
}

static void test_trim_drops_pages_from(void **state)
{
    (void)state;
    struct fb_file *f = file(1, NULL);
    file(2, NULL);
    add(1, 0, 10);
    add(2, 0, 10);
    add(1, 10, 10);
    add(1, 30, 5);
    cache_trim(&c, 1, 15);
    assert_int_equal(c.n, 3);
    assert_range(2, 1, 10, 5);
    assert_int_equal(f->held, 15);
    assert_int_equal(c.pages, 25);
    cache_trim(&c, 1, 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(f->held, 0);
    assert_int_equal(c.pages, 10);
}

static void test_read_ahead_grows_while_sequential(void **state)
{
    (void)state;
    struct fb_file *f = file(1, NULL);
    uint64_t end = 1000;
    assert_int_equal(cache_window(f, 0, 1, end), CACHE_AHEAD_MIN);   // from the start
    uint64_t at = CACHE_AHEAD_MIN, w = CACHE_AHEAD_MIN;
    for (int i = 0; i < 6; i++) {
        w = w * 2 > CACHE_AHEAD_MAX ? CACHE_AHEAD_MAX : w * 2;
        assert_int_equal(cache_window(f, at, 1, end), w);
        at += w;
    }
    assert_int_equal(w, CACHE_AHEAD_MAX);
    assert_int_equal(cache_window(f, 500, 2, end), 2);            // a jump: just the request
    assert_int_equal(cache_window(f, 502, 1, end), CACHE_AHEAD_MIN);
    assert_int_equal(cache_window(f, 510, 100, end), 100);        // a request over the window
    assert_int_equal(cache_window(f, 610, 1, 620), 10);           // never past the end
    assert_int_equal(cache_window(f, 620, 1, 620), 0);
    assert_int_equal(cache_window(f, 3, 2, 4), 1);
}

// Random adds, trims, removals and second chances against a page-by-page model: the held
// pages stay exactly the model's, no page is held twice, and the counts add up.
#define MODEL_FILES 3
#define MODEL_PAGES 512
static bool model[MODEL_FILES + 1][MODEL_PAGES];

static void check_model(void)
{
    static uint8_t seen[MODEL_FILES + 1][MODEL_PAGES];
    memset(seen, 0, sizeof(seen));
    uint64_t total = 0, per[MODEL_FILES + 1] = { 0 };
    for (uint32_t i = 0; i < c.n; i++) {
        const struct cache_range *r = &c.ranges[i];
        assert_true(r->count > 0 && r->count <= CACHE_MERGE_MAX);
        for (uint32_t p = r->first; p < r->first + r->count; p++)
            assert_int_equal(seen[r->key][p]++, 0);
        total += r->count;
        per[r->key] += r->count;
    }
    for (int k = 1; k <= MODEL_FILES; k++) {
        for (int p = 0; p < MODEL_PAGES; p++)
            assert_int_equal(seen[k][p], model[k][p]);
        assert_int_equal(t.files[k - 1].held, per[k]);
    }
    assert_int_equal(c.pages, total);
}

static void random_step(void)
{
    uint64_t key = 1 + (uint64_t)(rand() % MODEL_FILES);
    uint64_t at = (uint64_t)(rand() % MODEL_PAGES);
    switch (rand() % 4) {
    case 0: {   // a request: fill the gaps as pages.c does
        uint64_t end = at + 1 + (uint64_t)(rand() % 80);
        end = end > MODEL_PAGES ? MODEL_PAGES : end;
        for (uint64_t n; (n = cache_gap(&c, key, &at, end)); at += n) {
            n = n > CACHE_MERGE_MAX ? CACHE_MERGE_MAX : n;
            if (!cache_add(&c, key, at, n))
                return;
            for (uint64_t p = at; p < at + n; p++)
                model[key][p] = true;
        }
        break;
    }
    case 1:
        if (rand() % 8 == 0) {
            cache_trim(&c, key, at);
            for (uint64_t p = at; p < MODEL_PAGES; p++)
                model[key][p] = false;
        }
        break;
    default: {
        long i = cache_victim(&c, (uint64_t)(rand() % 1024));
        if (i < 0)
            return;
        uint8_t touched[CACHE_MERGE_MAX / 8];
        for (size_t b = 0; b < sizeof(touched); b++)
            touched[b] = (uint8_t)(rand() & rand());
        struct cache_range was = c.ranges[i];
        for (uint32_t k = cache_second_chance(&c, (uint32_t)i, touched); k; k--) {
            const struct cache_range *r = &c.ranges[i];
            for (uint32_t p = r->first; p < r->first + r->count; p++) {
                uint32_t j = p - was.first;   // only untouched pages of the range go
                assert_true(r->key == was.key && j < was.count && !(touched[j / 8] & (1u << (j % 8))));
                model[r->key][p] = false;
            }
            cache_remove(&c, (uint32_t)i);
        }
    }
    }
}

static void test_random_against_model(void **state)
{
    (void)state;
    static const uint32_t a[] = { 1, 0 }, b[] = { 2, 0 };
    file(1, a);
    file(2, b);
    file(3, NULL);
    memset(model, 0, sizeof(model));
    srand(10);
    for (int i = 0; i < 20000; i++) {
        random_step();
        if (i % 97 == 0)
            check_model();
    }
    check_model();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ranges_merge_up_to_the_unit_and_keep_order, setup),
        cmocka_unit_test_setup(test_table_is_bounded, setup),
        cmocka_unit_test_setup(test_unopened_files_go_first, setup),
        cmocka_unit_test_setup(test_client_over_its_share_pays, setup),
        cmocka_unit_test_setup(test_shared_file_is_charged_evenly, setup),
        cmocka_unit_test_setup(test_client_alone_keeps_half, setup),
        cmocka_unit_test_setup(test_second_chance_keeps_touched_pages, setup),
        cmocka_unit_test_setup(test_second_chance_without_room_moves_whole, setup),
        cmocka_unit_test_setup(test_gap_skips_held_pages, setup),
        cmocka_unit_test_setup(test_trim_drops_pages_from, setup),
        cmocka_unit_test_setup(test_read_ahead_grows_while_sequential, setup),
        cmocka_unit_test_setup(test_random_against_model, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

// Sparse arrays against a flat shadow: random range updates (whole runs and their ends),
// single slots, takes and visits, over two node levels; after every step the array reads as
// the shadow where it was changed (also read a run at a time), every node is charged (pmm pages in use = budget), a
// change reserved exactly what it used, and the cached leaf is live. Setting everything back to 0 frees every node.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include "budget.h"
#include "pmm.h"
#include "radix.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define NPAGES 2048
#define SIZE 300000  // over 2^18: a top of 2 entries over two node levels (max 4)

static char *ram;
static uint64_t bitmap[(NPAGES + 63) / 64];
static size_t start_free;
static uint64_t shadow[SIZE], top[4];
static struct radix r;
static struct page_budget b;
static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static size_t used_pages(void) { return start_free - pmm_stats().free_pages; }

static int setup(void **state)
{
    ram = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
    pmm_init((paddr_t)ram, NPAGES, bitmap);
    pmm_release_range((paddr_t)ram, (paddr_t)ram + NPAGES * PAGE_SIZE);
    start_free = pmm_stats().free_pages;
    memset(shadow, 0, sizeof(shadow));
    memset(top, 0, sizeof(top));
    uint32_t levels;
    assert_int_equal(radix_shape(SIZE, 4, &levels), 2);
    assert_int_equal(levels, 2);
    radix_init(&r, top, 2, levels, 0x80);  // values with bit 7 never merge
    b = (struct page_budget){ .limit = NPAGES };
    return ram ? 0 : -1;
}

static int teardown(void **state)
{
    radix_clear(&r, NULL, NULL, &b);
    assert_int_equal(b.used, 0);
    assert_int_equal(used_pages(), 0);
    free(ram);
    return 0;
}

static uint64_t set_to(uint64_t v, const void *arg) { return *(const uint64_t *)arg; }
static uint64_t or_bits(uint64_t v, const void *arg) { return v | *(const uint64_t *)arg; }

// Update [first, first + n) with fn, reserving exactly what radix_nodes_needed says.
static void update(size_t first, size_t n, radix_fn *fn, uint64_t arg)
{
    struct radix_pool pool;
    size_t need = radix_nodes_needed(&r, first, n, fn, &arg);
    assert_true(need <= RADIX_POOL_MAX);
    assert_int_equal(radix_pool_fill(&pool, need, &b), NX_OK);
    radix_update(&r, first, n, fn, &arg, &pool, &b);
    assert_int_equal(pool.count, 0);  // every node reserved was used
    for (size_t i = first; i < first + n; i++)
        shadow[i] = fn(shadow[i], &arg);
}

static bool take_odd(uint64_t value, size_t index, void *arg)
{
    assert_int_equal(value, shadow[index]);
    if (!(value & 1))
        return false;
    shadow[index] = 0;
    ++*(size_t *)arg;
    return true;
}

struct visiting {
    size_t next;  // the runs come in order, without gaps
};

static bool check_run(uint64_t value, size_t first, size_t n, void *arg)
{
    struct visiting *v = arg;
    assert_int_equal(first, v->next);
    for (size_t i = first; i < first + n; i++)
        assert_int_equal(shadow[i], value);
    v->next = first + n;
    return true;
}

static void same_as_shadow(size_t first, size_t n)
{
    struct visiting v = { first };
    assert_true(radix_visit(&r, first, n, check_run, &v));
    assert_int_equal(v.next, first + n);
    for (size_t i = first; i < first + n; i++)
        assert_int_equal(radix_get(&r, i), shadow[i]);
    for (size_t i = first, run; i < first + n; i += run) {
        assert_int_equal(radix_get_run(&r, i, first + n - i, &run), shadow[i]);
        assert_true(run >= 1 && run <= first + n - i);
        for (size_t k = i; k < i + run; k++)
            assert_int_equal(shadow[k], shadow[i]);
    }
}

// The cached leaf is the one a walk finds (never a node freed meanwhile).
static void cache_is_live(void)
{
    uint64_t *cached = r.leaf;
    if (!cached)
        return;
    size_t index = (size_t)r.leaf_key << RADIX_SHIFT;
    r.leaf = NULL;
    assert_ptr_equal(radix_find(&r, index), cached);
}

static void random_changes_match_a_flat_array(void **state)
{
    for (int step = 0; step < 3000; step++) {
        size_t first = next() % SIZE, room = SIZE - first;
        size_t n = 1 + next() % (next() % 4 ? (room < 2000 ? room : 2000) : room);
        uint64_t value = (next() % 3) * 2 + (next() % 2);  // small: runs form and merge
        switch (next() % 5) {
        case 0:
        case 1:
            update(first, n, set_to, value);
            break;
        case 2:
            update(first, n, or_bits, next() % 8 == 0 ? 0x80 : 0x10);
            break;
        case 3: {
            struct radix_pool pool;
            n = n > RADIX_FANOUT ? RADIX_FANOUT : n;
            size_t need = radix_nodes_needed(&r, first, n, NULL, NULL);
            assert_int_equal(radix_pool_fill(&pool, need, &b), NX_OK);
            for (size_t i = first; i < first + n; i++)
                *radix_slot(&r, i, &pool) = shadow[i] = 2 * i + 1;  // distinct values
            assert_int_equal(pool.count, 0);
            break;
        }
        case 4: {
            size_t taken = 0;
            radix_take(&r, first, n, take_odd, &taken, &b);
            break;
        }
        }
        assert_int_equal(used_pages(), b.used);
        cache_is_live();
        same_as_shadow(first > 600 ? first - 600 : 0, n + 1200 < SIZE - first ? n + 1200 : 0);
    }
    same_as_shadow(0, SIZE);
    assert_true(b.used > 0);
    update(0, SIZE, set_to, 0);  // one run again: every node goes
    assert_int_equal(b.used, 0);
    same_as_shadow(0, SIZE);
}

// A small change inside one node takes no walk (radix_change's usual case), and still frees
// the nodes it makes uniform, up to the top.
static void a_change_inside_one_node_merges_what_it_makes_uniform(void **state)
{
    assert_int_equal(radix_change(&r, 1000, 3, set_to, &(uint64_t){ 5 }, &b), NX_OK);
    assert_int_equal(b.used, 2);
    assert_int_equal(radix_change(&r, 1001, 1, set_to, &(uint64_t){ 0 }, &b), NX_OK);
    assert_int_equal(b.used, 2);
    assert_int_equal(radix_get(&r, 1000), 5);
    assert_int_equal(radix_get(&r, 1001), 0);
    assert_int_equal(radix_change(&r, 1000, 3, set_to, &(uint64_t){ 0 }, &b), NX_OK);
    assert_int_equal(b.used, 0);  // the leaf, then the node above it
    // Pinned-like values (a keep bit) stay in their node even when all alike.
    assert_int_equal(radix_change(&r, 0, 256, set_to, &(uint64_t){ 0x81 }, &b), NX_OK);
    assert_int_equal(radix_change(&r, 256, 256, set_to, &(uint64_t){ 0x81 }, &b), NX_OK);
    assert_int_equal(b.used, 2);
    assert_int_equal(radix_nodes_needed(&r, 7, 1, set_to, &(uint64_t){ 1 }), 0);
    assert_int_equal(radix_change(&r, 0, 512, set_to, &(uint64_t){ 0 }, &b), NX_OK);
    assert_int_equal(b.used, 0);
}

static void a_node_the_budget_refuses_changes_nothing(void **state)
{
    update(1000, 1, set_to, 5);  // a leaf and the node above it
    assert_int_equal(b.used, 2);
    b.limit = 2;
    struct radix_pool pool;
    uint64_t seven = 7;
    assert_int_equal(radix_nodes_needed(&r, 290000, 1, set_to, &seven), 2);
    assert_int_equal(radix_pool_fill(&pool, 2, &b), NX_ERR_NO_MEMORY);
    assert_int_equal(b.used, 2);
    assert_int_equal(used_pages(), 2);
    // A change of a whole run (up to the capacity, past the size), or to what a run holds
    // already, needs none; one stopping at the size splits the last run.
    uint64_t zero = 0;
    assert_int_equal(radix_capacity(&r), 2 * 262144);
    assert_int_equal(radix_nodes_needed(&r, 262144, 262144, set_to, &seven), 0);
    assert_int_equal(radix_nodes_needed(&r, 262144, SIZE - 262144, set_to, &seven), 2);
    assert_int_equal(radix_nodes_needed(&r, 290000, 5, set_to, &zero), 0);
    same_as_shadow(0, SIZE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(random_changes_match_a_flat_array, setup, teardown),
        cmocka_unit_test_setup_teardown(a_change_inside_one_node_merges_what_it_makes_uniform,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_node_the_budget_refuses_changes_nothing, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

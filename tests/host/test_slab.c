// The kernel object allocator over real budgets and the real pmm managing a host buffer
// (pa_to_kva is the identity). Under ASan, a freed slot is poisoned.
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sanitizer/asan_interface.h>
#include "budget.h"
#include "pmm.h"
#include "slab.h"
#include "support/panic_stub.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define NPAGES 512

static char *ram;
static uint64_t bitmap[(NPAGES + 63) / 64];

static int setup(void **state)
{
    ram = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
    memset(ram, 0xa5, NPAGES * PAGE_SIZE);  // garbage: objects must come back zeroed
    pmm_init((paddr_t)ram, NPAGES, bitmap);
    pmm_release_range((paddr_t)ram, (paddr_t)ram + NPAGES * PAGE_SIZE);
    return ram ? 0 : -1;
}

static int teardown(void **state)
{
    free(ram);
    return 0;
}

static size_t pmm_used(void) { return NPAGES - pmm_stats().free_pages; }

static uintptr_t page_of(const void *p) { return (uintptr_t)p & ~(PAGE_SIZE - 1); }

static bool all_zero(const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (((const unsigned char *)p)[i])
            return false;
    return true;
}

// The classes as documented in slab.h: (largest size, slots per page).
static const struct { size_t size, slots; } classes[] = {
    { 64, 63 }, { 128, 31 }, { 256, 15 }, { 512, 7 }, { 1008, 4 }, { 2016, 2 },
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

// The class index for size, or NCLASSES for whole pages.
static size_t class_for(size_t size)
{
    size_t c = 0;
    while (c < NCLASSES && classes[c].size < size)
        c++;
    return c;
}

static void small_objects_share_a_page_until_it_is_full(void **state)
{
    struct page_budget b = { .limit = 10 };
    void *obj[64];
    for (int i = 0; i < 63; i++) {
        obj[i] = slab_alloc(&b, 64);
        assert_non_null(obj[i]);
        assert_true(all_zero(obj[i], 64));
        assert_int_equal((uintptr_t)obj[i] % 16, 0);
        assert_int_equal(page_of(obj[i]), page_of(obj[0]));
        memset(obj[i], i + 1, 64);  // overlapping slots would show below
    }
    assert_int_equal(b.used, 1);
    assert_int_equal(pmm_used(), 1);
    obj[63] = slab_alloc(&b, 64);
    assert_int_not_equal(page_of(obj[63]), page_of(obj[0]));
    assert_int_equal(b.used, 2);
    for (int i = 0; i < 63; i++) {
        for (int k = 0; k < 64; k++)
            assert_int_equal(((unsigned char *)obj[i])[k], i + 1);
        slab_free(&b, obj[i], 64);
    }
    assert_int_equal(b.used, 1);  // the first page went back with its last object
    assert_int_equal(pmm_used(), 1);
    slab_free(&b, obj[63], 64);
    assert_int_equal(b.used, 0);
    assert_int_equal(pmm_used(), 0);
}

// Each size lands in its class: a page holds exactly that class's slots.
static void every_size_packs_the_slots_of_its_class(void **state)
{
    static const size_t sizes[] = { 1, 64, 65, 128, 129, 256, 257, 512, 513, 1008, 1009, 2016 };
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        struct page_budget b = { .limit = 2 };
        size_t slots = classes[class_for(sizes[k])].slots;
        void *obj[64];
        size_t n = 0;
        while (b.used < 2) {
            obj[n] = slab_alloc(&b, sizes[k]);
            assert_non_null(obj[n]);
            memset(obj[n], 0xff, sizes[k]);
            n++;
        }
        assert_int_equal(n, slots + 1);
        while (n--)
            slab_free(&b, obj[n], sizes[k]);
        assert_int_equal(b.used, 0);
    }
    assert_int_equal(pmm_used(), 0);
}

static void larger_objects_take_whole_contiguous_pages(void **state)
{
    static const struct { size_t size, pages; } cases[] = {
        { 2017, 1 }, { PAGE_SIZE, 1 }, { PAGE_SIZE + 1, 2 }, { 16400, 5 },
    };
    struct page_budget b = { .limit = 100 };
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        char *p = slab_alloc(&b, cases[k].size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % PAGE_SIZE, 0);
        assert_int_equal(b.used, cases[k].pages);
        assert_true(all_zero(p, cases[k].size));
        memset(p, 1, cases[k].size);
        slab_free(&b, p, cases[k].size);
        assert_int_equal(b.used, 0);
    }
    assert_int_equal(pmm_used(), 0);
}

static void the_budget_limit_is_hit_exactly_at_the_page_boundary(void **state)
{
    struct page_budget b = { .limit = 1 };
    void *obj[63];
    for (int i = 0; i < 63; i++)
        assert_non_null(obj[i] = slab_alloc(&b, 50));
    // The page is full: the next object needs a second page, which the budget cannot pay.
    assert_null(slab_alloc(&b, 50));
    assert_null(slab_alloc(&b, 300));  // another class needs its own page too
    assert_null(slab_alloc(&b, 3000));
    assert_int_equal(b.used, 1);
    assert_int_equal(pmm_used(), 1);
    // A freed slot is taken again without a charge.
    slab_free(&b, obj[17], 50);
    void *again = slab_alloc(&b, 64);
    assert_ptr_equal(again, obj[17]);
    assert_int_equal(b.used, 1);
    for (int i = 0; i < 63; i++)
        slab_free(&b, obj[i], 50);
    assert_int_equal(b.used, 0);

    // Whole pages: all or nothing.
    b.limit = 2;
    assert_null(slab_alloc(&b, 2 * PAGE_SIZE + 1));
    assert_int_equal(b.used, 0);
    void *two = slab_alloc(&b, 2 * PAGE_SIZE);
    assert_non_null(two);
    assert_int_equal(b.used, 2);
    slab_free(&b, two, 2 * PAGE_SIZE);
    assert_int_equal(pmm_used(), 0);
}

static void an_empty_pmm_fails_with_nothing_charged(void **state)
{
    struct page_budget b = { .limit = 1000 };
    paddr_t taken[NPAGES + 1];
    size_t n = 0;
    while ((taken[n] = pmm_alloc()) != 0)
        n++;
    assert_null(slab_alloc(&b, 64));
    assert_null(slab_alloc(&b, PAGE_SIZE));
    assert_null(slab_alloc(NULL, 64));
    assert_int_equal(b.used, 0);
    assert_null(b.slabs.partial[0]);
    while (n--)
        pmm_free(taken[n]);
    assert_non_null(slab_alloc(&b, 64));  // and works once pages are back
    assert_int_equal(b.used, 1);
}

static void budgets_never_share_a_page(void **state)
{
    struct page_budget a = { .limit = 4 }, b = { .limit = 4 };
    void *x[10], *y[10];
    for (int i = 0; i < 10; i++) {
        x[i] = slab_alloc(&a, 100);
        y[i] = slab_alloc(&b, 100);
        assert_int_not_equal(page_of(x[i]), page_of(y[0]));
        assert_int_not_equal(page_of(y[i]), page_of(x[0]));
    }
    assert_int_equal(a.used, 1);
    assert_int_equal(b.used, 1);
    for (int i = 0; i < 10; i++)
        slab_free(&a, x[i], 100);
    assert_int_equal(a.used, 0);
    assert_int_equal(b.used, 1);
    assert_int_equal(pmm_used(), 1);
    for (int i = 0; i < 10; i++)
        slab_free(&b, y[i], 100);
    assert_int_equal(pmm_used(), 0);
}

static void kernel_objects_are_charged_to_no_one(void **state)
{
    void *k = slab_alloc(NULL, 200);
    assert_non_null(k);
    assert_int_equal(pmm_used(), 1);
    struct page_budget b = { .limit = 1 };
    void *o = slab_alloc(&b, 200);  // not in the kernel's page
    assert_int_not_equal(page_of(o), page_of(k));
    slab_free(&b, o, 200);
    slab_free(NULL, k, 200);
    assert_int_equal(pmm_used(), 0);
}

static void a_freed_slot_is_poisoned_and_a_new_object_is_zeroed(void **state)
{
    struct page_budget b = { .limit = 1 };
    char *keep = slab_alloc(&b, 128);
    char *p = slab_alloc(&b, 128);
    memset(p, 0x77, 128);
    assert_false(__asan_region_is_poisoned(p, 128));
    slab_free(&b, p, 128);
    assert_true(__asan_address_is_poisoned(p));
    assert_true(__asan_address_is_poisoned(p + 127));
    char *q = slab_alloc(&b, 100);
    assert_ptr_equal(q, p);
    assert_true(all_zero(q, 100));
    assert_true(__asan_address_is_poisoned(q + 100));  // past what was asked for
    slab_free(&b, q, 100);
    slab_free(&b, keep, 128);
    assert_int_equal(pmm_used(), 0);
}

static void bad_frees_panic_and_change_nothing(void **state)
{
    struct page_budget b = { .limit = 4 }, other = { .limit = 4 };
    char *p = slab_alloc(&b, 64), *q = slab_alloc(&b, 64);
    char *big = slab_alloc(&b, 3000);
    slab_free(&b, q, 64);
    assert_true(PANICS(slab_free(&b, q, 64)));           // double free
    assert_true(PANICS(slab_free(&other, p, 64)));       // someone else's budget
    assert_true(PANICS(slab_free(&b, p, 128)));          // wrong size class
    assert_true(PANICS(slab_free(&b, p + 16, 64)));      // inside a slot
    assert_true(PANICS(slab_free(&b, big + 64, 64)));    // no slab page at all
    assert_int_equal(b.used, 2);
    assert_int_equal(other.used, 0);
    slab_free(&b, p, 64);
    slab_free(&b, big, 3000);
    assert_int_equal(b.used, 0);
    assert_int_equal(pmm_used(), 0);
}

// ---- random operations against a model ----

#define BUDGETS 3
#define MAX_LIVE 400
#define STEPS 20000

struct live {
    unsigned char *p;
    size_t size;
    int budget;
    unsigned char fill;
};

static struct live live[MAX_LIVE];
static size_t nlive;
static size_t refused;  // allocations the model and the allocator both refused
static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next(void)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return rng;
}

// Distinct pages holding live objects of budget b and class c (c == NCLASSES: whole-page
// objects, counted by their size), and how many of them there are.
static size_t model_pages(int b, size_t c, size_t *objects)
{
    uintptr_t seen[MAX_LIVE];
    size_t pages = 0, n = 0;
    for (size_t i = 0; i < nlive; i++) {
        if (live[i].budget != b || class_for(live[i].size) != c)
            continue;
        n++;
        if (c == NCLASSES) {
            pages += (live[i].size + PAGE_SIZE - 1) / PAGE_SIZE;
            continue;
        }
        size_t k = 0;
        while (k < pages && seen[k] != page_of(live[i].p))
            k++;
        if (k == pages)
            seen[pages++] = page_of(live[i].p);
    }
    *objects = n;
    return pages;
}

static size_t model_used(int b)
{
    size_t used = 0, n;
    for (size_t c = 0; c <= NCLASSES; c++)
        used += model_pages(b, c, &n);
    return used;
}

// Pages a new object of size for budget b must take: 0 if a page of its class has room.
static size_t model_need(int b, size_t size)
{
    size_t c = class_for(size), n;
    if (c == NCLASSES)
        return (size + PAGE_SIZE - 1) / PAGE_SIZE;
    return model_pages(b, c, &n) * classes[c].slots == n;
}

static void check_model(struct page_budget *bs)
{
    size_t total = 0;
    for (int b = 0; b < BUDGETS; b++) {
        assert_int_equal(bs[b].used, model_used(b));
        total += bs[b].used;
    }
    assert_int_equal(pmm_used(), total);
}

static void check_fill(const struct live *l)
{
    for (size_t k = 0; k < l->size; k++)
        assert_int_equal(l->p[k], l->fill);
}

static void random_alloc(struct page_budget *bs)
{
    static const size_t sizes[] = { 8, 56, 64, 72, 100, 160, 168, 256, 300, 512, 700,
                                    1008, 1500, 2016, 2017, 4096, 5000, 9000 };
    int b = (int)(next() % BUDGETS);
    size_t size = sizes[next() % (sizeof(sizes) / sizeof(sizes[0]))];
    size_t before = bs[b].used, free_before = pmm_stats().free_pages;
    bool fits = before + model_need(b, size) <= bs[b].limit;
    unsigned char *p = slab_alloc(&bs[b], size);
    assert_int_equal(p != NULL, fits);
    if (!p) {
        refused++;
        assert_int_equal(bs[b].used, before);
        assert_int_equal(pmm_stats().free_pages, free_before);
        return;
    }
    assert_true(all_zero(p, size));
    live[nlive] = (struct live){ p, size, b, (unsigned char)(next() | 1) };
    memset(p, live[nlive].fill, size);
    nlive++;
}

static void random_free(struct page_budget *bs)
{
    size_t i = next() % nlive;
    check_fill(&live[i]);
    slab_free(&bs[live[i].budget], live[i].p, live[i].size);
    live[i] = live[--nlive];
}

static void random_operations_match_the_model(void **state)
{
    struct page_budget bs[BUDGETS] = { { .limit = 12 }, { .limit = 40 }, { .limit = 100 } };
    for (int step = 0; step < STEPS; step++) {
        // Drift between filling up and draining, so both full budgets and empty pages occur.
        bool grow = (step / 2000) % 2 == 0 ? next() % 4 != 0 : next() % 4 == 0;
        if (nlive < MAX_LIVE && (nlive == 0 || grow))
            random_alloc(bs);
        else
            random_free(bs);
        check_model(bs);
    }
    while (nlive)
        random_free(bs);
    check_model(bs);
    assert_int_equal(pmm_used(), 0);
    assert_true(refused > STEPS / 100);  // the budgets' limits were reached often
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(small_objects_share_a_page_until_it_is_full, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(every_size_packs_the_slots_of_its_class, setup, teardown),
        cmocka_unit_test_setup_teardown(larger_objects_take_whole_contiguous_pages, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_budget_limit_is_hit_exactly_at_the_page_boundary,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(an_empty_pmm_fails_with_nothing_charged, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(budgets_never_share_a_page, setup, teardown),
        cmocka_unit_test_setup_teardown(kernel_objects_are_charged_to_no_one, setup, teardown),
        cmocka_unit_test_setup_teardown(a_freed_slot_is_poisoned_and_a_new_object_is_zeroed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(bad_frees_panic_and_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(random_operations_match_the_model, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

// Physical page allocator over a block of host memory standing in for RAM.
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pmm.h"
#include "support/panic_stub.h"

#define NPAGES 200

static char *ram;
static uint64_t bitmap[(NPAGES + 63) / 64];

static int setup(void **state)
{
    (void)state;
    ram = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
    memset(ram, 0xa5, NPAGES * PAGE_SIZE);  // garbage: allocations must come back zeroed
    pmm_init((paddr_t)ram, NPAGES, bitmap);
    pmm_release_range((paddr_t)ram, (paddr_t)ram + NPAGES * PAGE_SIZE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(ram);
    return 0;
}

static void all_pages_start_reserved_until_released(void **state)
{
    (void)state;
    pmm_init((paddr_t)ram, NPAGES, bitmap);
    assert_int_equal(pmm_stats().free_pages, 0);
    assert_int_equal(pmm_alloc(), 0);
    pmm_release_range((paddr_t)ram + 100, (paddr_t)ram + 3 * PAGE_SIZE);  // partial first page
    assert_int_equal(pmm_stats().free_pages, 2);
}

static void alloc_returns_distinct_zeroed_pages_until_exhausted(void **state)
{
    (void)state;
    paddr_t seen[NPAGES];
    for (int i = 0; i < NPAGES; i++) {
        seen[i] = pmm_alloc();
        assert_true(seen[i] >= (paddr_t)ram && seen[i] < (paddr_t)ram + NPAGES * PAGE_SIZE);
        assert_int_equal(seen[i] % PAGE_SIZE, 0);
        for (size_t b = 0; b < PAGE_SIZE; b++)
            assert_int_equal(((char *)seen[i])[b], 0);
        for (int j = 0; j < i; j++)
            assert_true(seen[i] != seen[j]);
    }
    assert_int_equal(pmm_stats().free_pages, 0);
    assert_int_equal(pmm_alloc(), 0);
    pmm_free(seen[57]);
    assert_int_equal(pmm_stats().free_pages, 1);
    assert_int_equal(pmm_alloc(), seen[57]);
}

static void reserve_range_covers_partial_pages(void **state)
{
    (void)state;
    pmm_reserve_range((paddr_t)ram + PAGE_SIZE - 1, (paddr_t)ram + PAGE_SIZE + 1);
    assert_int_equal(pmm_stats().free_pages, NPAGES - 2);
    pmm_reserve_range(0, 4096);  // outside the range: ignored
    assert_int_equal(pmm_stats().free_pages, NPAGES - 2);
}

static void contiguous_allocation_respects_alignment_and_gaps(void **state)
{
    (void)state;
    paddr_t a = pmm_alloc_contig(8, 8);
    assert_true(a != 0);
    assert_int_equal((a / PAGE_SIZE) % 8, 0);
    assert_int_equal(pmm_stats().free_pages, NPAGES - 8);
    // Punch a hole pattern: every other page used, so no run of 2 exists.
    pmm_free_contig(a, 8);
    pmm_init((paddr_t)ram, NPAGES, bitmap);
    for (int i = 0; i < NPAGES; i += 2)
        pmm_release_range((paddr_t)ram + i * PAGE_SIZE, (paddr_t)ram + (i + 1) * PAGE_SIZE);
    assert_int_equal(pmm_alloc_contig(2, 1), 0);
    assert_true(pmm_alloc_contig(1, 1) != 0);
    assert_int_equal(pmm_alloc_contig(0, 1), 0);
    assert_int_equal(pmm_alloc_contig(NPAGES + 1, 1), 0);
}

// Random single and contiguous allocations and frees against a flat model: pmm_alloc gives the
// lowest free page, pmm_alloc_contig (zeroed or not) the lowest free run whose address is
// aligned, or 0.
static void allocations_match_a_lowest_fit_model(void **state)
{
    (void)state;
    bool used[NPAGES] = { false };
    size_t base = (paddr_t)ram / PAGE_SIZE;
    srand(15);
    for (int step = 0; step < 4000; step++) {
        int op = rand() % 3;
        if (op == 0) {
            size_t want = NPAGES;
            for (size_t i = 0; i < NPAGES && want == NPAGES; i++)
                want = used[i] ? want : i;
            paddr_t pa = pmm_alloc();
            assert_int_equal(pa, want == NPAGES ? 0 : (paddr_t)ram + want * PAGE_SIZE);
            if (pa)
                used[want] = true;
        } else if (op == 1) {
            size_t i = (size_t)rand() % NPAGES;
            if (used[i]) {
                pmm_free((paddr_t)ram + i * PAGE_SIZE);
                used[i] = false;
            }
        } else {
            size_t n = 1 + (size_t)rand() % 12, align = (size_t)1 << (rand() % 4), want = 0;
            bool found = false;
            for (size_t i = 0; i + n <= NPAGES && !found; i++) {
                found = (base + i) % align == 0;
                for (size_t k = i; k < i + n && found; k++)
                    found = !used[k];
                want = i;
            }
            paddr_t pa = rand() % 2 ? pmm_alloc_contig(n, align) : pmm_alloc_contig_unzeroed(n, align);
            assert_int_equal(pa, found ? (paddr_t)ram + want * PAGE_SIZE : 0);
            for (size_t k = want; found && k < want + n; k++)
                used[k] = true;
        }
    }
}

static void double_free_and_foreign_free_panic(void **state)
{
    (void)state;
    paddr_t p = pmm_alloc();
    pmm_free(p);
    assert_true(PANICS(pmm_free(p)));
    assert_true(PANICS(pmm_free((paddr_t)ram + 5)));
    assert_true(PANICS(pmm_free((paddr_t)ram + NPAGES * PAGE_SIZE)));
    assert_int_equal(pmm_stats().free_pages, NPAGES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(all_pages_start_reserved_until_released, setup, teardown),
        cmocka_unit_test_setup_teardown(alloc_returns_distinct_zeroed_pages_until_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(reserve_range_covers_partial_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(contiguous_allocation_respects_alignment_and_gaps, setup, teardown),
        cmocka_unit_test_setup_teardown(allocations_match_a_lowest_fit_model, setup, teardown),
        cmocka_unit_test_setup_teardown(double_free_and_foreign_free_panic, setup, teardown),
    };
    return cmocka_run_group_tests_name("pmm", tests, NULL, NULL);
}

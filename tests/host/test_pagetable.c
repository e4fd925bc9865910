// Sv39 page-table code against host memory: tables and pages come from a pmm over a buffer.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "arch/riscv/pagetable.h"
#include "pmm.h"

#define NPAGES 2048  // 8 MiB: room for 2 MiB superpages

static char *ram;
static uint64_t bitmap[(NPAGES + 63) / 64];
static paddr_t root;

static int setup(void **state)
{
    (void)state;
    ram = aligned_alloc(2 << 20, NPAGES * PAGE_SIZE);
    pmm_init((paddr_t)ram, NPAGES, bitmap);
    pmm_release_range((paddr_t)ram, (paddr_t)ram + NPAGES * PAGE_SIZE);
    root = pt_create();
    return root ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(ram);
    return 0;
}

static void pte_encoding_round_trips(void **state)
{
    (void)state;
    pte_t e = pte_make(0x80201000, PTE_R | PTE_X);
    assert_int_equal(pte_pa(e), 0x80201000);
    assert_true(e & PTE_V);
    assert_true(pte_is_leaf(e));
    assert_false(pte_is_leaf(pte_make(0x1000, 0)));
    assert_int_equal(pt_index(0xffffffff80200000UL, 2), 0x1fe);
    assert_int_equal(pt_index(0xffffffff80200000UL, 1), 1);
    assert_int_equal(pt_level_size(1), 2 << 20);
}

// Every protection, mapped through pte_user_flags and read back from the table, allows
// exactly what it names, always for user mode. No access at all is no leaf (a page table
// pointer): such a mapping never enters the table (every fault on it is refused).
static void user_protection_round_trips_through_the_table(void **state)
{
    (void)state;
    paddr_t page = pmm_alloc();
    assert_int_equal(pte_user_flags(0) & PTE_RWX, 0);
    uint32_t all = NX_PROT_READ | NX_PROT_WRITE | NX_PROT_EXEC;
    for (uint32_t prot = NX_PROT_READ; prot <= all; prot++) {
        assert_int_equal(pt_map(root, 0x10000, page, PAGE_SIZE, pte_user_flags(prot), 0), 0);
        pte_t e = pt_lookup(root, 0x10000);
        uint32_t back = (e & PTE_R ? NX_PROT_READ : 0) | (e & PTE_W ? NX_PROT_WRITE : 0) |
                        (e & PTE_X ? NX_PROT_EXEC : 0);
        assert_int_equal(back, prot);
        assert_true(e & PTE_U);
        assert_false(e & PTE_G);
        assert_int_equal(pte_pa(e), page);
        assert_int_equal(pt_unmap(root, 0x10000, PAGE_SIZE, false), 1);
    }
    pmm_free(page);
}

// pt_entry makes the tables of a region once; leaves written through it come and go without
// freeing them (the kernel stack region is shared by every root this way).
static void entries_keep_their_tables(void **state)
{
    (void)state;
    uint64_t va = 0xffffffe000000000UL;
    assert_null(pt_entry(root, va, 0, false));
    size_t before = pmm_stats().free_pages;
    pte_t *e = pt_entry(root, va, 0, true);
    assert_non_null(e);
    assert_int_equal(pmm_stats().free_pages, before - 2);  // one table per level below the root
    paddr_t page = pmm_alloc();
    *e = pte_make(page, PTE_R | PTE_W | PTE_A | PTE_D);
    assert_int_equal(pt_translate(root, va + 8, PTE_W), page + 8);
    *e = 0;
    assert_int_equal(pt_translate(root, va, 0), 0);
    assert_ptr_equal(pt_entry(root, va + PAGE_SIZE, 0, false), e + 1);  // the tables stay
    pmm_free(page);
}

static void map_translate_and_unmap_4k(void **state)
{
    (void)state;
    paddr_t page = pmm_alloc();
    assert_int_equal(pt_map(root, 0x10000, page, PAGE_SIZE, PTE_U | PTE_R, 0), 0);
    assert_int_equal(pt_translate(root, 0x10123, PTE_U | PTE_R), page + 0x123);
    assert_int_equal(pt_translate(root, 0x10123, PTE_U | PTE_W), 0);  // not writable
    assert_int_equal(pt_translate(root, 0x11000, PTE_R), 0);          // not mapped
    assert_true(pt_lookup(root, 0x10000) & PTE_A);
    assert_int_equal(pt_unmap(root, 0x10000, 2 * PAGE_SIZE, true), 1);
    assert_int_equal(pt_translate(root, 0x10000, 0), 0);
}

static void mapping_over_a_mapping_fails_and_rolls_back(void **state)
{
    (void)state;
    paddr_t a = pmm_alloc(), b = pmm_alloc();
    assert_int_equal(pt_map(root, 0x22000, a, PAGE_SIZE, PTE_R, 0), 0);
    size_t before = pmm_stats().free_pages;
    // Three pages starting one page below the existing one: the second collides.
    assert_int_equal(pt_map(root, 0x21000, b, 3 * PAGE_SIZE, PTE_R, 0), -1);
    assert_int_equal(pt_translate(root, 0x21000, 0), 0);
    assert_int_equal(pt_translate(root, 0x22000, 0), a);
    assert_int_equal(pmm_stats().free_pages, before);
}

static void superpages_translate_offsets(void **state)
{
    (void)state;
    paddr_t big = pmm_alloc_contig(512, 512);
    assert_true(big);
    uint64_t va = 0x40000000;
    assert_int_equal(pt_map(root, va, big, 2 << 20, PTE_R | PTE_W, 1), 0);
    assert_int_equal(pt_translate(root, va + 0x12345, PTE_W), big + 0x12345);
    assert_int_equal(pt_translate(root, va + (2 << 20), PTE_R), 0);
    // A 4 KiB mapping inside the superpage cannot be made.
    assert_int_equal(pt_map(root, va + 0x1000, pmm_alloc(), PAGE_SIZE, PTE_R, 0), -1);
}

static void destroy_frees_tables_and_pages(void **state)
{
    (void)state;
    size_t before = pmm_stats().free_pages;
    paddr_t r = pt_create();
    for (uint64_t va = 0x10000; va < 0x20000; va += PAGE_SIZE)
        assert_int_equal(pt_map(r, va, pmm_alloc(), PAGE_SIZE, PTE_U | PTE_R, 0), 0);
    assert_int_equal(pt_map(r, 0x3fffff0000UL, pmm_alloc(), PAGE_SIZE, PTE_U | PTE_W, 0), 0);
    assert_true(pmm_stats().free_pages < before - 17);
    pt_destroy(r, PT_ENTRIES / 2);
    assert_int_equal(pmm_stats().free_pages, before);
}

static void unmap_skips_holes_and_frees_emptied_tables(void **state)
{
    (void)state;
    size_t before = pmm_stats().free_pages;
    uint64_t va = 0x2000000000UL;  // its own root entry: three levels of fresh tables
    assert_true(pt_range_empty(root, va, 1UL << 30));
    assert_int_equal(pt_map(root, va + 0x5000, pmm_alloc(), PAGE_SIZE, PTE_U | PTE_R, 0), 0);
    assert_int_equal(pt_map(root, va + 0x7000, pmm_alloc(), PAGE_SIZE, PTE_U | PTE_R, 0), 0);
    assert_false(pt_range_empty(root, va, 1UL << 30));
    assert_false(pt_range_empty(root, va + 0x7000, PAGE_SIZE));
    assert_true(pt_range_empty(root, va + 0x6000, PAGE_SIZE));
    assert_int_equal(pt_unmap(root, va, 0x6000, true), 1);  // the table still holds a page
    assert_int_equal(pmm_stats().free_pages, before - 3);
    // A 1 GiB range costs what is mapped in it, and the emptied tables go back.
    assert_int_equal(pt_unmap(root, va, 1UL << 30, true), 1);
    assert_int_equal(pmm_stats().free_pages, before);
    assert_true(pt_range_empty(root, va, 1UL << 30));
}

static void out_of_memory_is_reported(void **state)
{
    (void)state;
    while (pmm_alloc())
        ;
    assert_int_equal(pt_map(root, 0x3000000000UL, 0x1000, PAGE_SIZE, PTE_R, 0), -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(pte_encoding_round_trips),
        T(user_protection_round_trips_through_the_table),
        T(entries_keep_their_tables),
        T(map_translate_and_unmap_4k),
        T(mapping_over_a_mapping_fails_and_rolls_back),
        T(superpages_translate_offsets),
        T(destroy_frees_tables_and_pages),
        T(unmap_skips_holes_and_frees_emptied_tables),
        T(out_of_memory_is_reported),
    };
    return cmocka_run_group_tests_name("pagetable", tests, NULL, NULL);
}

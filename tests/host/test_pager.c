// The pager state machine: a touch queues one request and waits; a page already requested is
// not asked for again and adjacent pages share a request; the queue stops at PAGER_QUEUE_MAX;
// supply wakes every waiter; the deadline and the pager's death end waits; decommit frees
// clean pages (not dirty or pinned ones) and unmaps them, also while a fault waits; dirty
// bits are set by writes, reported once and write-protect the page again; accessed bits are
// set by any touch and reported once; failing ready pages frees them; the state of a 64 GiB
// VMO costs nodes only where it differs, and a node the budget refuses changes nothing. Over
// the real VMOs, address spaces and page tables; the scheduler is the fake one (nothing
// blocks).
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "aspace.h"
#include "pager.h"
#include "pmm.h"
#include "handle.h"
#include "support/fake_kernel.h"
#include "vmo.h"
#include "arch/riscv/pagetable.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define NPAGES 2048
#define VA 0x20000000UL
#define RW (NX_PROT_READ | NX_PROT_WRITE)

static char *ram;
static uint64_t bitmap[(NPAGES + 63) / 64];
static size_t start_free;
static struct notification notif;
static struct pager *pg;
static struct page_budget budget;
static struct thread other;  // a second thread of fake_process
static struct thread *main_thread;

// The shootdown a changed page table asks for (on one hart: a local fence).
void process_flush_tlb(struct process *p) { (void)p; }
void vm_flush_space(uint64_t satp, uint64_t harts) { (void)satp; (void)harts; }

static int setup(void **state)
{
    ram = aligned_alloc(PAGE_SIZE, NPAGES * PAGE_SIZE);
    pmm_init((paddr_t)ram, NPAGES, bitmap);
    pmm_release_range((paddr_t)ram, (paddr_t)ram + NPAGES * PAGE_SIZE);
    start_free = pmm_stats().free_pages;
    fake_reset(64);
    fake_process.root = pt_create();
    fake_notification(&notif, NX_RIGHTS_ALL);
    budget = (struct page_budget){ .limit = 1000 };
    memset(&other, 0, sizeof(other));
    other.proc = &fake_process;
    other.state = THREAD_RUNNING;
    main_thread = current_thread;
    assert_int_equal(pager_create(&fake_process, &notif, 4, &pg), NX_OK);
    return ram ? 0 : -1;
}

// Everything goes back: mappings, page tables, VMO pages, the pager.
static int teardown(void **state)
{
    aspace_destroy(&fake_process);
    pt_destroy(fake_process.root, PT_ENTRIES / 2);
    kobject_unref(&pg->obj);
    fake_close_all();
    assert_int_equal(budget.used, 0);
    assert_int_equal(pmm_stats().free_pages, start_free);
    assert_int_equal(fake.object_pages, 0);
    free(ram);
    return 0;
}

static struct vmo *paged(size_t pages, uint64_t key)
{
    struct vmo *v;
    assert_int_equal(pager_vmo_create(pg, pages * PAGE_SIZE, key, &budget, &v), NX_OK);
    return v;
}

static void expect_request(uint64_t key, uint64_t first, uint64_t count)
{
    uint64_t k, off, len;
    assert_int_equal(pager_next(pg, &k, &off, &len), NX_OK);
    assert_int_equal(k, key);
    assert_int_equal(off, first * PAGE_SIZE);
    assert_int_equal(len, count * PAGE_SIZE);
}

static void no_request(void)
{
    uint64_t k, off, len;
    assert_int_equal(pager_next(pg, &k, &off, &len), NX_ERR_NOT_FOUND);
}

// A touch as the kernel makes it, by thread t: the fake scheduler returns FAKE_BLOCKED when
// it blocks.
static int touch_as(struct thread *t, struct vmo *v, size_t index, bool write)
{
    current_thread = t;
    bool dirty;
    return pager_await(v, index, write, &dirty);
}

static void a_touch_requests_once_and_coalesces(void **state)
{
    struct vmo *v = paged(8, 7);
    struct thread *me = main_thread;
    assert_int_equal(touch_as(me, v, 2, false), FAKE_BLOCKED);
    assert_int_equal(fake.signals, 1);
    assert_int_equal(notif.bits, 4);
    assert_int_equal(touch_as(&other, v, 2, false), FAKE_BLOCKED);  // same page: no request
    assert_int_equal(fake.signals, 1);
    assert_int_equal(pager_touch(v, 3, false), PAGER_WAIT);  // next page: the same request
    assert_int_equal(pager_touch(v, 5, false), PAGER_WAIT);  // not adjacent: a new one
    expect_request(7, 2, 2);
    expect_request(7, 5, 1);
    no_request();
    assert_int_equal(pager_touch(v, 2, false), PAGER_WAIT);  // with the pager now: no new one
    no_request();
    // Supply wakes every waiter with NX_OK (they retry, and find the page ready).
    pager_supply(v, 2, 1);
    assert_false(fake_blocked(me));
    assert_false(fake_blocked(&other));
    assert_int_equal(me->wait_result, NX_OK);
    assert_int_equal(other.wait_result, NX_OK);
    assert_int_equal(pager_touch(v, 2, false), NX_OK);
    assert_int_equal(pager_touch(v, 3, false), PAGER_WAIT);
    current_thread = me;
    kobject_unref(&v->obj);
}

static void the_queue_stops_at_its_limit(void **state)
{
    struct vmo *v = paged(2 * PAGER_QUEUE_MAX + 2, 1);
    for (size_t i = 0; i < PAGER_QUEUE_MAX; i++)  // every other page: no coalescing
        assert_int_equal(pager_touch(v, 2 * i, false), PAGER_WAIT);
    assert_int_equal(pager_touch(v, 2 * PAGER_QUEUE_MAX, false), NX_ERR_NO_SPACE);
    assert_int_equal(pager_touch(v, 2 * PAGER_QUEUE_MAX - 1, false), PAGER_WAIT);  // extends the last
    expect_request(1, 0, 1);
    assert_int_equal(pager_touch(v, 2 * PAGER_QUEUE_MAX, false), PAGER_WAIT);  // room again
    kobject_unref(&v->obj);  // its requests go with it
    no_request();
}

static void the_deadline_ends_a_wait(void **state)
{
    struct vmo *v = paged(1, 1);
    assert_int_equal(touch_as(main_thread, v, 0, false), FAKE_BLOCKED);
    fake_timeout(main_thread);  // leave_wait: off the queue, the wait's reference dropped
    assert_int_equal(main_thread->wait_result, NX_ERR_TIMED_OUT);
    pager_supply(v, 0, 1);      // nobody left to wake
    assert_int_equal(fake.wakes, 0);
    expect_request(1, 0, 1);    // still the pager's to answer
    kobject_unref(&v->obj);     // the last reference: everything goes (teardown checks)
}

static void the_pager_dying_fails_every_wait(void **state)
{
    nx_handle_t h;
    assert_int_equal(handle_install(&fake_handles, &pg->obj, PAGER_RIGHTS, &h), NX_OK);
    struct vmo *v = paged(2, 1);
    assert_int_equal(touch_as(main_thread, v, 0, false), FAKE_BLOCKED);
    assert_int_equal(touch_as(&other, v, 1, true), FAKE_BLOCKED);
    kobject_unref(&v->obj);  // only the waits hold it now
    current_thread = main_thread;
    assert_int_equal(handle_close(&fake_handles, h), NX_OK);
    assert_int_equal(main_thread->wait_result, NX_ERR_PEER_CLOSED);
    assert_int_equal(other.wait_result, NX_ERR_PEER_CLOSED);
    assert_int_equal(budget.used, 0);  // the last wait's reference freed the VMO
    no_request();
    // Later touches fail at once, and no VMO is made for a dead pager.
    struct vmo *late;
    assert_int_equal(pager_vmo_create(pg, PAGE_SIZE, 1, &budget, &late), NX_ERR_BAD_STATE);
}

// Map v (pages) at VA read-write in fake_process.
static void map(struct vmo *v, size_t pages)
{
    uint64_t va;
    assert_int_equal(aspace_map(&fake_process, v, VA, 0, pages * PAGE_SIZE, RW, RW, &va), NX_OK);
}

static paddr_t mapped(size_t page, uint64_t need)
{
    return pt_translate(fake_process.root, VA + page * PAGE_SIZE, PTE_U | need);
}

static void decommit_frees_and_unmaps_also_while_a_fault_waits(void **state)
{
    struct vmo *v = paged(4, 3);
    map(v, 4);
    assert_int_equal(aspace_fault(&fake_process, VA, NX_PROT_READ), FAKE_BLOCKED);
    pager_supply(v, 0, 1);
    assert_int_equal(aspace_fault(&fake_process, VA, NX_PROT_READ), NX_OK);  // the retry
    assert_true(mapped(0, PTE_R));
    assert_int_equal(vmo_committed_pages(v), 1);
    // A fault on page 1 waits while the pager decommits pages 0 and 1.
    assert_int_equal(aspace_fault(&fake_process, VA + PAGE_SIZE, NX_PROT_READ), FAKE_BLOCKED);
    assert_int_equal(pager_decommit(v, 0, 2), NX_OK);
    assert_int_equal(vmo_committed_pages(v), 0);  // back to the pmm (teardown counts them)
    assert_false(mapped(0, PTE_R));
    assert_true(fake_blocked(main_thread));  // its request is still the pager's
    expect_request(3, 0, 2);  // page 0's request was still queued: page 1 extended it
    pager_supply(v, 1, 1);
    assert_int_equal(aspace_fault(&fake_process, VA + PAGE_SIZE, NX_PROT_READ), NX_OK);
    // Page 0 is gone: touching it asks again.
    assert_int_equal(aspace_fault(&fake_process, VA, NX_PROT_READ), FAKE_BLOCKED);
    expect_request(3, 0, 1);
    pager_supply(v, 0, 1);
    // Pinned pages stay until every range holding them is released; dirty pages stay.
    paddr_t pa;
    assert_int_equal(pager_unpin(v, 2, 1), NX_ERR_BAD_STATE);  // nothing to release
    assert_int_equal(pager_pin(v, 2, 1), NX_OK);
    assert_int_equal(vmo_dma(v, 2, 1, false, &pa), NX_OK);
    assert_int_equal(pager_pin(v, 2, 1), NX_OK);  // a second range on the same page
    assert_int_equal(pager_decommit(v, 2, 1), NX_ERR_BAD_STATE);
    assert_int_equal(pager_unpin(v, 2, 1), NX_OK);
    assert_int_equal(pager_decommit(v, 2, 1), NX_ERR_BAD_STATE);  // one pin left
    assert_int_equal(pager_unpin(v, 1, 2), NX_ERR_BAD_STATE);  // page 1 is not pinned:
    assert_int_equal(pager_decommit(v, 2, 1), NX_ERR_BAD_STATE);  // nothing released
    assert_int_equal(pager_unpin(v, 2, 1), NX_OK);
    assert_int_equal(pager_decommit(v, 2, 1), NX_OK);  // released: it may go
    assert_int_equal(aspace_fault(&fake_process, VA, NX_PROT_WRITE), NX_OK);
    assert_int_equal(pager_decommit(v, 0, 1), NX_ERR_BAD_STATE);
    kobject_unref(&v->obj);  // the mapping keeps it until teardown
}

static void dirty_bits_are_set_by_writes_and_reported_once(void **state)
{
    struct vmo *v = paged(4, 3);
    map(v, 4);
    pager_supply(v, 0, 4);
    assert_int_equal(aspace_fault(&fake_process, VA, NX_PROT_READ), NX_OK);
    assert_true(mapped(0, PTE_R));
    assert_false(mapped(0, PTE_W));  // clean: read-only, whatever the mapping allows
    uint8_t bits[1] = { 0 };
    assert_int_equal(pager_dirty(v, 0, 4, bits), 0);
    assert_int_equal(aspace_fault(&fake_process, VA + 3 * PAGE_SIZE, NX_PROT_WRITE), NX_OK);
    assert_true(mapped(3, PTE_W));
    assert_int_equal(pager_dirty(v, 0, 4, bits), 1);
    assert_int_equal(bits[0], 1 << 3);
    assert_false(mapped(3, PTE_R));  // write-protected again (the entry is gone)
    bits[0] = 0;
    assert_int_equal(pager_dirty(v, 0, 4, bits), 0);
    assert_int_equal(aspace_fault(&fake_process, VA + 3 * PAGE_SIZE, NX_PROT_READ), NX_OK);
    assert_false(mapped(3, PTE_W));
    assert_int_equal(aspace_fault(&fake_process, VA + 3 * PAGE_SIZE, NX_PROT_WRITE), NX_OK);
    assert_int_equal(pager_dirty(v, 2, 2, bits), 1);
    assert_int_equal(bits[0], 1 << 1);  // bit i is page first + i
    kobject_unref(&v->obj);
}

static void accessed_bits_are_set_by_any_touch_and_reported_once(void **state)
{
    struct vmo *v = paged(4, 3);
    map(v, 4);
    pager_supply(v, 0, 4);
    uint8_t bits[1] = { 0 };
    assert_int_equal(pager_accessed(v, 0, 4, bits), 0);  // supplied is not touched
    assert_int_equal(aspace_fault(&fake_process, VA, NX_PROT_READ), NX_OK);
    bool dirty;
    assert_int_equal(pager_await(v, 2, false, &dirty), NX_OK);  // a client's vmo_read
    assert_false(dirty);
    assert_int_equal(pager_accessed(v, 0, 4, bits), 2);
    assert_int_equal(bits[0], 1 << 0 | 1 << 2);
    assert_false(mapped(0, PTE_R));  // the next touch through the mapping is seen
    bits[0] = 0;
    assert_int_equal(pager_accessed(v, 0, 4, bits), 0);
    assert_int_equal(aspace_fault(&fake_process, VA + 3 * PAGE_SIZE, NX_PROT_WRITE), NX_OK);
    assert_int_equal(pager_accessed(v, 2, 2, bits), 1);
    assert_int_equal(bits[0], 1 << 1);  // bit i is page first + i
    // Asking about accesses leaves the dirty bit alone, and the other way round.
    bits[0] = 0;
    assert_int_equal(pager_dirty(v, 0, 4, bits), 1);
    assert_int_equal(bits[0], 1 << 3);
    kobject_unref(&v->obj);
}

// A fault maps ahead only the pages touched since the pager last asked (pager_accessed), a
// clean one read-only: mapping ahead changes nothing pager_accessed and pager_dirty report.
static void a_fault_maps_ahead_only_touched_pages(void **state)
{
    struct vmo *v = paged(8, 9);
    map(v, 8);
    paddr_t pa;
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(vmo_get_page(v, i, true, &pa), NX_OK);  // the pager fills them
    pager_supply(v, 0, 8);
    bool dirty;
    assert_int_equal(pager_await(v, 2, false, &dirty), NX_OK);  // a client's vmo_read
    assert_int_equal(pager_await(v, 3, true, &dirty), NX_OK);   // a client's vmo_write
    assert_int_equal(aspace_fault(&fake_process, VA + PAGE_SIZE, NX_PROT_READ), NX_OK);
    assert_false(mapped(0, PTE_R));
    assert_true(mapped(1, PTE_R));
    assert_false(mapped(1, PTE_W));
    assert_true(mapped(2, PTE_R));
    assert_false(mapped(2, PTE_W));  // clean: its first write is still seen
    assert_true(mapped(3, PTE_W));   // dirty already
    assert_false(mapped(4, PTE_R));  // supplied, never touched: its first touch faults
    uint8_t bits[1] = { 0 };
    assert_int_equal(pager_dirty(v, 0, 8, bits), 1);
    assert_int_equal(bits[0], 1 << 3);
    bits[0] = 0;
    assert_int_equal(pager_accessed(v, 0, 8, bits), 3);
    assert_int_equal(bits[0], 1 << 1 | 1 << 2 | 1 << 3);
    kobject_unref(&v->obj);
}

static void failing_ready_pages_frees_them_except_pinned_ones(void **state)
{
    struct vmo *v = paged(3, 5);
    map(v, 3);
    pager_supply(v, 0, 3);
    assert_int_equal(aspace_fault(&fake_process, VA, NX_PROT_WRITE), NX_OK);  // dirty
    assert_int_equal(aspace_fault(&fake_process, VA + PAGE_SIZE, NX_PROT_READ), NX_OK);
    paddr_t pa;
    assert_int_equal(pager_pin(v, 2, 1), NX_OK);
    assert_int_equal(vmo_dma(v, 2, 1, true, &pa), NX_OK);
    assert_int_equal(vmo_committed_pages(v), 3);
    pager_fail(v, 0, 3, NX_ERR_PEER_CLOSED);  // the pager gives the VMO up
    assert_int_equal(vmo_committed_pages(v), 1);  // the pinned page stays for the device
    assert_false(mapped(0, PTE_R));
    assert_false(mapped(1, PTE_R));
    assert_int_equal(aspace_fault(&fake_process, VA, NX_PROT_READ), NX_ERR_PEER_CLOSED);
    assert_int_equal(pager_touch(v, 2, false), NX_ERR_PEER_CLOSED);
    uint8_t bits[1] = { 0 };
    assert_int_equal(pager_dirty(v, 0, 3, bits), 0);  // the dirty data went with the page
    assert_int_equal(pager_decommit(v, 2, 1), NX_ERR_BAD_STATE);  // still pinned
    assert_int_equal(pager_unpin(v, 2, 1), NX_OK);
    assert_int_equal(pager_decommit(v, 2, 1), NX_OK);
    assert_int_equal(vmo_committed_pages(v), 0);
    kobject_unref(&v->obj);
}

static void a_failed_page_fails_its_touches_until_supplied(void **state)
{
    struct vmo *v = paged(2, 5);
    assert_int_equal(touch_as(main_thread, v, 0, false), FAKE_BLOCKED);
    pager_fail(v, 0, 1, NX_ERR_IO);
    assert_int_equal(main_thread->wait_result, NX_OK);  // it retries and meets the error
    assert_int_equal(pager_touch(v, 0, false), NX_ERR_IO);
    pager_supply(v, 0, 1);
    assert_int_equal(pager_touch(v, 0, false), NX_OK);
    kobject_unref(&v->obj);
}

// A 64 GiB paged VMO: its state costs nodes only where a page's differs from its neighbours',
// and they go again when the states are one run again.
static void a_64_gib_paged_vmo_pays_for_state_only_where_it_differs(void **state)
{
    struct vmo *v = paged(VMO_MAX_PAGES, 8);
    size_t base = budget.used, last = VMO_MAX_PAGES - 1;
    assert_int_equal(pager_supply(v, 0, VMO_MAX_PAGES), NX_OK);  // one run
    assert_int_equal(budget.used, base);
    assert_int_equal(pager_touch(v, 0, false), NX_OK);  // accessed: its own state
    assert_int_equal(budget.used, base + 2);            // a leaf and the node above it
    assert_int_equal(pager_touch(v, last, true), NX_OK);
    assert_int_equal(budget.used, base + 4);
    assert_int_equal(vmo_write(v, last * PAGE_SIZE, "z", 1), NX_OK);  // a page and two nodes
    assert_int_equal(budget.used, base + 4 + 3);
    uint8_t bits[1] = { 0 };
    assert_int_equal(pager_dirty(v, last, 1, bits), 1);
    bits[0] = 0;
    assert_int_equal(pager_accessed(v, 0, 8, bits), 1);
    assert_int_equal(bits[0], 1);
    assert_int_equal(budget.used, base + 2 + 3);  // page 0 is like its neighbours again
    // Giving the VMO up: one run, the pages freed (dirty or not), touches fail at once.
    assert_int_equal(pager_fail(v, 0, VMO_MAX_PAGES, NX_ERR_PEER_CLOSED), NX_OK);
    assert_int_equal(budget.used, base);
    assert_int_equal(vmo_committed_pages(v), 0);
    assert_int_equal(pager_touch(v, 123456, false), NX_ERR_PEER_CLOSED);
    assert_int_equal(pager_touch(v, last, false), NX_ERR_PEER_CLOSED);
    // A size that is no whole number of runs: failing it all is still one run.
    struct vmo *w = paged(1000, 9);
    size_t before = budget.used;
    assert_int_equal(pager_fail(w, 0, 1000, NX_ERR_NOT_FOUND), NX_OK);
    assert_int_equal(budget.used, before);
    assert_int_equal(pager_touch(w, 999, false), NX_ERR_NOT_FOUND);
    kobject_unref(&w->obj);
    // Decommitting everything is one run again.
    assert_int_equal(pager_decommit(v, 0, VMO_MAX_PAGES), NX_OK);
    assert_int_equal(pager_touch(v, last, false), PAGER_WAIT);
    expect_request(8, last, 1);
    assert_int_equal(budget.used, base + 2);
    kobject_unref(&v->obj);
}

// A state change whose node the budget refuses changes nothing (nothing requested either).
static void a_state_node_the_budget_refuses_changes_nothing(void **state)
{
    struct vmo *v = paged(VMO_MAX_PAGES, 8);
    size_t base = budget.used;
    budget.limit = base + 1;  // one of the two nodes a touch needs
    assert_int_equal(pager_touch(v, 7, false), NX_ERR_NO_MEMORY);
    no_request();
    assert_int_equal(pager_supply(v, 5, 3), NX_ERR_NO_MEMORY);
    assert_int_equal(pager_fail(v, 5, 3, NX_ERR_IO), NX_ERR_NO_MEMORY);
    assert_int_equal(budget.used, base);
    assert_int_equal(pager_supply(v, 0, VMO_MAX_PAGES), NX_OK);  // whole: no node
    assert_int_equal(pager_touch(v, 7, false), NX_ERR_NO_MEMORY);  // would mark it accessed
    assert_int_equal(budget.used, base);
    budget.limit = 1000;
    assert_int_equal(pager_touch(v, 7, false), NX_OK);
    assert_int_equal(budget.used, base + 2);
    kobject_unref(&v->obj);
}

static void mappers_are_bounded(void **state)
{
    struct vmo *v = paged(1, 1);
    static struct process procs[PAGER_MAX_MAPPERS];
    for (int i = 0; i < PAGER_MAX_MAPPERS; i++)
        assert_int_equal(pager_mapper_add(v, &procs[i]), NX_OK);
    assert_int_equal(pager_mapper_add(v, &procs[0]), NX_OK);  // already there
    assert_int_equal(pager_mapper_add(v, &fake_process), NX_ERR_NO_SPACE);
    pager_mapper_remove(v, &procs[3]);
    assert_int_equal(pager_mapper_add(v, &fake_process), NX_OK);
    for (int i = 0; i < PAGER_MAX_MAPPERS; i++)
        pager_mapper_remove(v, &procs[i]);
    pager_mapper_remove(v, &fake_process);
    kobject_unref(&v->obj);
}

int main(void)
{
    pager_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_touch_requests_once_and_coalesces, setup, teardown),
        cmocka_unit_test_setup_teardown(the_queue_stops_at_its_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(the_deadline_ends_a_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(the_pager_dying_fails_every_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(decommit_frees_and_unmaps_also_while_a_fault_waits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(dirty_bits_are_set_by_writes_and_reported_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(accessed_bits_are_set_by_any_touch_and_reported_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_fault_maps_ahead_only_touched_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(failing_ready_pages_frees_them_except_pinned_ones, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_failed_page_fails_its_touches_until_supplied, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_64_gib_paged_vmo_pays_for_state_only_where_it_differs,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_state_node_the_budget_refuses_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(mappers_are_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

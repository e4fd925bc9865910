// IRQ objects: argument checks, one owner per line, the claim/ack cycle, masking of lines
// nobody owns, and what destroying the object gives back. The PLIC is a model that follows
// the spec's rule that a completion for a disabled source is ignored.
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include "irq.h"
#include "resource.h"
#include "support/fake_kernel.h"
#include "syscall.h"
#include "arch/riscv/plic.h"

#define NDEV 96         // QEMU virt's PLIC sources
#define PLIC_LINES 1024  // the most a PLIC can have (source 0 does not exist)

static struct {
    bool enabled[PLIC_LINES];
    bool claimed[PLIC_LINES];
    int ignored_completions;
    int enables;  // plic_enable calls
} plic;

void plic_enable(uint32_t line)
{
    plic.enabled[line] = true;
    plic.enables++;
}
void plic_disable(uint32_t line) { plic.enabled[line] = false; }
uint32_t plic_claim(void) { return 0; }

void plic_complete(uint32_t line)
{
    if (plic.enabled[line])
        plic.claimed[line] = false;
    else
        plic.ignored_completions++;
}

// The device raises `line`: the PLIC forwards it only if enabled and not claimed.
static bool raise_line(uint32_t line)
{
    if (!plic.enabled[line] || plic.claimed[line])
        return false;
    plic.claimed[line] = true;
    irq_interrupt(line);
    return true;
}

bool resource_allows_irq(struct kobject *res, uint32_t line)
{
    return res->type == NX_OBJ_RESOURCE && line >= 1 && line <= NDEV;
}

static char console[256];

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(console, sizeof(console), fmt, ap);
    va_end(ap);
}

static struct kobject resource;
static struct notification notif;
static nx_handle_t res_h, notif_h;

static int setup(void **state)
{
    (void)state;
    memset(&plic, 0, sizeof(plic));
    console[0] = '\0';
    fake_reset(4);
    kobject_init(&resource, NX_OBJ_RESOURCE, NULL);
    assert_int_equal(handle_install(&fake_handles, &resource, NX_RIGHTS_ALL, &res_h), NX_OK);
    notif_h = fake_notification(&notif, NX_RIGHTS_ALL);
    return 0;
}

// Every IRQ object is gone and nothing leaked.
static int teardown(void **state)
{
    (void)state;
    fake_close_all();
    assert_int_equal(fake.object_pages, 0);
    assert_int_equal(fake_process.obj.refcount, 1);
    assert_int_equal(notif.obj.refcount, 1);  // the test's own
    assert_int_equal(plic.ignored_completions, 0);
    return 0;
}

static long create(long line, uint64_t bits)
{
    return sys_irq_create(res_h, line, notif_h, (long)bits);
}

static struct irq *irq_from(long h)
{
    struct kobject *o;
    assert_int_equal(handle_get(&fake_handles, (nx_handle_t)h, NX_OBJ_IRQ, 0, &o, NULL), NX_OK);
    return (struct irq *)o;
}

static void interrupt_signals_and_waits_for_ack(void **state)
{
    (void)state;
    long h = create(10, 0x4);
    assert_true(h > 0);
    uint32_t type, rights;
    assert_int_equal(handle_info(&fake_handles, (nx_handle_t)h, &type, &rights), NX_OK);
    assert_int_equal(type, NX_OBJ_IRQ);
    assert_int_equal(rights, IRQ_RIGHTS);
    assert_true(plic.enabled[10]);
    assert_int_equal(notif.obj.refcount, 3);  // the test, its handle, the IRQ object
    assert_int_equal(fake_process.obj.refcount, 2);

    assert_int_equal(sys_irq_ack(h), NX_ERR_BAD_STATE);  // nothing to acknowledge yet
    assert_true(raise_line(10));
    assert_int_equal(notif.bits, 0x4);
    assert_true(irq_from(h)->awaiting_ack);
    assert_false(raise_line(10));  // held by the claim until the driver acks
    assert_int_equal(fake.signals, 1);

    assert_int_equal(sys_irq_ack(h), NX_OK);
    assert_false(plic.claimed[10]);
    assert_true(plic.enabled[10]);
    assert_int_equal(sys_irq_ack(h), NX_ERR_BAD_STATE);
    assert_true(raise_line(10));
    assert_int_equal(fake.signals, 2);
}

// Each check in argument order, and a failed call changes nothing.
static void create_checks_every_argument(void **state)
{
    (void)state;
    nx_handle_t weak_res, weak_notif;
    assert_int_equal(handle_duplicate(&fake_handles, res_h, NX_RIGHTS_ALL & ~NX_RIGHT_MANAGE,
                                      &weak_res), NX_OK);
    assert_int_equal(handle_duplicate(&fake_handles, notif_h, NX_RIGHTS_ALL & ~NX_RIGHT_SIGNAL,
                                      &weak_notif), NX_OK);
    uint32_t live = handle_table_live(&fake_handles);

    assert_int_equal(sys_irq_create(0, 10, notif_h, 1), NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_irq_create(nx_handle_encode(200, 0), 10, notif_h, 1),
                     NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_irq_create(res_h | 1UL << 32, 10, notif_h, 1), NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_irq_create(notif_h, 10, notif_h, 1), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_irq_create(weak_res, 10, notif_h, 1), NX_ERR_ACCESS);
    assert_int_equal(sys_irq_create(res_h, 10, res_h, 1), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_irq_create(res_h, 10, weak_notif, 1), NX_ERR_ACCESS);
    assert_int_equal(sys_irq_create(res_h, 10, 0x7fffff, 1), NX_ERR_BAD_HANDLE);
    assert_int_equal(create(10, 0), NX_ERR_INVALID);
    static const long bad_lines[] = { 0, -1, NDEV + 1, IRQ_LINE_MAX + 1, 1L << 32, -(1L << 32) + 10 };
    for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++)
        assert_int_equal(create(bad_lines[i], 1), NX_ERR_ACCESS);  // not the resource's

    assert_int_equal(handle_table_live(&fake_handles), live);
    assert_int_equal(fake.object_pages, 0);
    for (int line = 0; line <= NDEV; line++)
        assert_false(plic.enabled[line]);
    assert_true(create(1, 1) > 0);        // both ends of the range are fine
    assert_true(create(NDEV, 1) > 0);
}

static void one_owner_per_line(void **state)
{
    (void)state;
    long a = create(10, 1);
    assert_true(a > 0);
    assert_int_equal(create(10, 2), NX_ERR_BAD_STATE);
    // A duplicate handle names the same object: still one owner.
    nx_handle_t dup;
    assert_int_equal(handle_duplicate(&fake_handles, (nx_handle_t)a, IRQ_RIGHTS, &dup), NX_OK);
    assert_int_equal(handle_close(&fake_handles, (nx_handle_t)a), NX_OK);
    assert_int_equal(create(10, 2), NX_ERR_BAD_STATE);
    assert_true(raise_line(10));
    assert_int_equal(notif.bits, 1);
    assert_true(create(11, 2) > 0);
}

static void last_close_masks_and_frees_the_line(void **state)
{
    (void)state;
    long h = create(10, 1);
    assert_int_equal(handle_close(&fake_handles, (nx_handle_t)h), NX_OK);
    assert_false(plic.enabled[10]);
    assert_int_equal(fake.object_pages, 0);
    assert_int_equal(notif.obj.refcount, 2);
    assert_int_equal(fake_process.obj.refcount, 1);
    h = create(10, 8);  // the line has a new owner
    assert_true(h > 0);
    assert_true(raise_line(10));
    assert_int_equal(notif.bits, 8);
}

// Destroyed between the interrupt and the ack: the claim is completed, so the PLIC gateway
// is free for the next owner, and only then is the line masked.
static void close_while_claimed_completes_the_claim(void **state)
{
    (void)state;
    long h = create(10, 1);
    assert_true(raise_line(10));
    assert_int_equal(handle_close(&fake_handles, (nx_handle_t)h), NX_OK);
    assert_false(plic.claimed[10]);
    assert_false(plic.enabled[10]);
    assert_true(create(10, 1) > 0);
    assert_true(raise_line(10));
}

static void unowned_line_is_masked(void **state)
{
    (void)state;
    plic_enable(7);
    assert_true(raise_line(7));
    assert_false(plic.enabled[7]);
    assert_false(plic.claimed[7]);
    assert_string_equal(console, "NEURON: unclaimed interrupt 7 masked\n");
    assert_int_equal(fake.signals, 0);
    plic_enable(IRQ_LINE_MAX + 1);  // beyond the ownership table: same treatment
    assert_true(raise_line(IRQ_LINE_MAX + 1));
    assert_false(plic.enabled[IRQ_LINE_MAX + 1]);
}

static void ack_checks_its_handle(void **state)
{
    (void)state;
    long h = create(10, 1);
    nx_handle_t no_write;
    assert_int_equal(handle_duplicate(&fake_handles, (nx_handle_t)h,
                                      IRQ_RIGHTS & ~NX_RIGHT_WRITE, &no_write), NX_OK);
    assert_true(raise_line(10));
    assert_int_equal(sys_irq_ack(0), NX_ERR_BAD_HANDLE);
    assert_int_equal(sys_irq_ack(notif_h), NX_ERR_WRONG_TYPE);
    assert_int_equal(sys_irq_ack(no_write), NX_ERR_ACCESS);
    assert_true(plic.claimed[10]);
    assert_int_equal(sys_irq_ack(h), NX_OK);
}

// The notification lives as long as the IRQ object that signals it.
static void holds_its_notification(void **state)
{
    (void)state;
    long h = create(10, 1);
    assert_int_equal(handle_close(&fake_handles, notif_h), NX_OK);
    assert_int_equal(notif.obj.refcount, 2);  // the test's and the IRQ object's
    assert_true(raise_line(10));
    assert_int_equal(notif.bits, 1);
    assert_int_equal(handle_close(&fake_handles, (nx_handle_t)h), NX_OK);
}

// Check, then act: a create that fails never made the object nor touched the line.
static void out_of_budget_or_handles_changes_nothing(void **state)
{
    (void)state;
    fake_process.budget.limit = 0;
    struct fake_state before = fake_state(&fake_process), after;
    assert_int_equal(create(10, 1), NX_ERR_NO_MEMORY);
    after = fake_state(&fake_process);
    assert_memory_equal(&after, &before, sizeof(before));
    fake_process.budget.limit = 4;
    nx_handle_t h;
    while (handle_duplicate(&fake_handles, res_h, NX_RIGHTS_SAME, &h) == NX_OK)
        ;
    before = fake_state(&fake_process);
    assert_int_equal(create(10, 1), NX_ERR_NO_SPACE);
    after = fake_state(&fake_process);
    assert_memory_equal(&after, &before, sizeof(before));
    assert_int_equal(plic.enables, 0);
    assert_false(plic.enabled[10]);
    assert_int_equal(fake.object_pages, 0);
    assert_int_equal(fake_process.budget.used, 0);
    assert_int_equal(notif.obj.refcount, 2);
    assert_int_equal(handle_close(&fake_handles, h), NX_OK);
    assert_true(create(10, 1) > 0);  // the failed attempt did not keep the line
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(interrupt_signals_and_waits_for_ack, setup, teardown),
        cmocka_unit_test_setup_teardown(create_checks_every_argument, setup, teardown),
        cmocka_unit_test_setup_teardown(one_owner_per_line, setup, teardown),
        cmocka_unit_test_setup_teardown(last_close_masks_and_frees_the_line, setup, teardown),
        cmocka_unit_test_setup_teardown(close_while_claimed_completes_the_claim, setup, teardown),
        cmocka_unit_test_setup_teardown(unowned_line_is_masked, setup, teardown),
        cmocka_unit_test_setup_teardown(ack_checks_its_handle, setup, teardown),
        cmocka_unit_test_setup_teardown(holds_its_notification, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_budget_or_handles_changes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

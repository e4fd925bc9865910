// IRQ objects through real syscalls, with the real UART (16550 at 0x10000000, PLIC line 10).
// Must be the first boot program: it needs the device resource handle. Checks the argument
// errors, one owner per line and the ack rule, then makes the UART raise its line by enabling
// the "transmitter empty" interrupt, and sees it arrive on the notification. Prints
// "irq: <check> ok" or "... WRONG (got X, want Y)".
#define TEST_NAME "irq"
#include "expect.h"

#define MS 1000000ull
#define UART_BASE 0x10000000ul
#define UART_LINE 10
#define UART_IER 1          // interrupt enable register
#define UART_IIR 2          // interrupt identification (reading it clears a THR-empty cause)
#define IER_THR_EMPTY 0x02
#define BIT 0x4             // the notification bit the UART's line signals

static long res, notif;

// Wait until the notification's bit or `ms` from now; the bits, or the error.
static long wait_ms(uint64_t ms)
{
    uint64_t bits;
    long r = nx_notify_wait_bits(notif, (uint64_t)nx_clock_get() + ms * MS, &bits);
    return r == NX_OK ? (long)bits : r;
}

static void bad_arguments(void)
{
    long no_manage = nx_handle_duplicate(res, NX_RIGHTS_ALL & ~NX_RIGHT_MANAGE);
    long no_signal = nx_handle_duplicate(notif, NX_RIGHTS_ALL & ~NX_RIGHT_SIGNAL);
    // A line the resource does not grant is refused like an address outside its windows.
    expect("line 0", nx_irq_create(res, 0, notif, BIT), NX_ERR_ACCESS);
    expect("line past the PLIC's sources", nx_irq_create(res, 97, notif, BIT), NX_ERR_ACCESS);
    expect("line -1", nx_irq_create(res, -1, notif, BIT), NX_ERR_ACCESS);
    expect("bits 0", nx_irq_create(res, UART_LINE, notif, 0), NX_ERR_INVALID);
    expect("resource without MANAGE", nx_irq_create(no_manage, UART_LINE, notif, BIT),
           NX_ERR_ACCESS);
    expect("notification without SIGNAL", nx_irq_create(res, UART_LINE, no_signal, BIT),
           NX_ERR_ACCESS);
    expect("notification as resource", nx_irq_create(notif, UART_LINE, notif, BIT),
           NX_ERR_WRONG_TYPE);
    expect("resource as notification", nx_irq_create(res, UART_LINE, res, BIT),
           NX_ERR_WRONG_TYPE);
    expect("invalid handle", nx_irq_create(NX_HANDLE_INVALID, UART_LINE, notif, BIT),
           NX_ERR_BAD_HANDLE);
    nx_handle_close(no_manage);
    nx_handle_close(no_signal);
}

// The UART's registers, mapped through a physical VMO; NULL if that is not possible yet.
static volatile uint8_t *map_uart(void)
{
    long vmo = nx_vmo_physical(res, (long)UART_BASE, 4096);
    if (vmo < 0) {
        nx_printf("irq: cannot map the UART (vmo_physical -> %ld), device part skipped\n", vmo);
        return NULL;
    }
    long va = nx_vm_map(nx_self, vmo, 0, 0, 4096, NX_PROT_READ | NX_PROT_WRITE);
    nx_handle_close(vmo);
    if (va < 0) {
        nx_printf("irq: cannot map the UART (vm_map -> %ld), device part skipped\n", va);
        return NULL;
    }
    volatile uint8_t *uart = (volatile uint8_t *)va;
    (void)uart[UART_IER];  // fault the page in now: the page counts below are for IRQ objects
    return uart;
}

// The UART keeps its line raised while the THR is empty and the interrupt is enabled.
static void uart_interrupts(long irq, volatile uint8_t *uart)
{
    uart[UART_IER] = IER_THR_EMPTY;
    expect("the UART's interrupt arrives on the bit", wait_ms(1000), BIT);
    expect("no second one before the ack", wait_ms(20), NX_ERR_TIMED_OUT);
    expect("ack", nx_irq_ack(irq), NX_OK);
    expect("the line, still raised, interrupts again", wait_ms(1000), BIT);
    uart[UART_IER] = 0;
    (void)uart[UART_IIR];
    expect("ack after silencing the device", nx_irq_ack(irq), NX_OK);
    // The PLIC may have latched one more request while the claim was open (each console write
    // re-raises "THR empty"): a driver takes an interrupt as "look at the device", no more.
    if (wait_ms(20) == BIT)
        nx_irq_ack(irq);
    expect("then quiet", wait_ms(20), NX_ERR_TIMED_OUT);
    nx_printf("irq: UART interrupt routed to user space\n");
}

// An IRQ handle moved into a process that dies: the end of the process closes the handle,
// and with the last handle gone the line is free again.
static void owner_death_frees_the_line(void)
{
    uint64_t bits;
    long irq = nx_irq_create(res, UART_LINE, notif, BIT);
    long child = nx_process_create("irqholder", 9, 64);
    nx_process_watch(child, notif, 0x100);
    // Nothing is mapped in the child: its first instruction faults, and it dies with the IRQ.
    expect("move the IRQ handle into a child", nx_process_start(child, 0x10000, 0x3ffffff000, irq, 16),
           NX_OK);
    long r = nx_notify_wait_bits(notif, (uint64_t)nx_clock_get() + 1000 * MS, &bits);
    expect("the child dies", r == NX_OK ? (long)bits : r, 0x100);
    irq = nx_irq_create(res, UART_LINE, notif, BIT);
    expect("its end freed the line", irq > 0, 1);
    nx_handle_close(irq);
    nx_handle_close(child);
}

int main(void)
{
    res = nx_start_handle;
    notif = nx_notification_create();
    expect("got the device resource", nx_handle_info_type(nx_handle_info(res)), NX_OBJ_RESOURCE);
    bad_arguments();
    volatile uint8_t *uart = map_uart();

    long pages = nx_system_info(NX_INFO_FREE_PAGES);
    long irq = nx_irq_create(res, UART_LINE, notif, BIT);
    expect("create on the UART's line", irq > 0, 1);
    expect("rights: WRITE, DUPLICATE, TRANSFER", nx_handle_info_rights(nx_handle_info(irq)),
           NX_RIGHT_WRITE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
    expect("a second owner for the line", nx_irq_create(res, UART_LINE, notif, 1),
           NX_ERR_BAD_STATE);
    expect("ack with no interrupt taken", nx_irq_ack(irq), NX_ERR_BAD_STATE);
    long no_write = nx_handle_duplicate(irq, NX_RIGHT_DUPLICATE);
    expect("ack without WRITE", nx_irq_ack(no_write), NX_ERR_ACCESS);
    expect("ack on a notification", nx_irq_ack(notif), NX_ERR_WRONG_TYPE);
    nx_handle_close(no_write);

    if (uart)
        uart_interrupts(irq, uart);

    expect("close", nx_handle_close(irq), NX_OK);
    expect("its page is back", nx_system_info(NX_INFO_FREE_PAGES), pages);
    irq = nx_irq_create(res, UART_LINE, notif, BIT);
    expect("closing freed the line for a new owner", irq > 0, 1);
    nx_handle_close(irq);
    owner_death_frees_the_line();
    expect("no page leaked", nx_system_info(NX_INFO_FREE_PAGES), pages);
    nx_printf("irq: %d failures\n", failures);
    return failures;
}

// The user-space UART driver: owns QEMU virt's 16550 (its registers through a physical VMO,
// its interrupt line through an IRQ object, both granted by the parent) and serves the
// console service (nx/console.h) on the endpoint granted as "serve".
//
// Three threads. The interrupt thread drains the receive FIFO into the input buffer at every
// interrupt, acks, and wakes a waiting reader; it never blocks on anything but the device, so
// input is never lost while the buffer has room. Two server threads answer requests, so a
// READ waiting for its deadline never holds up a WRITE.
//
// Output goes through the kernel's console (nx_debug_write), the serial port's one writer:
// the kernel and other processes write there too, and only one writer can keep every line
// whole (docs/userspace.md, "Console").
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <nx/console.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/startup.h>
#include <nx/thread.h>
#include "inbuf.h"
#include "ns16550.h"

// The names the parent grants the driver's handles under (docs/userspace.md, "Console").
#define GRANT_MMIO "mmio:uart"           // physical VMO over the registers (READ, WRITE, MAP)
#define GRANT_IRQ "irq:10"               // IRQ object of line 10 (WRITE: ack)
#define GRANT_IRQ_NOTIFY "irq:10:notif"  // the notification that IRQ signals (WAIT)
#define GRANT_SERVE "serve"              // the endpoint to serve (WAIT)

#define INPUT_BIT 1  // on input_ready: bytes arrived

static volatile uint8_t *regs;
static nx_handle_t irq, irq_notify, input_ready;
static struct inbuf input;
static atomic_flag reading = ATOMIC_FLAG_INIT;       // one READ takes input at a time
static _Atomic uint32_t read_turn;                   // the newest READ's number
static _Atomic uint64_t written;

// ---- the device ----

// Move every byte the FIFO holds into the input buffer; true if there was one.
static bool drain(void)
{
    bool any = false;
    while (regs[UART_LSR] & LSR_DATA_READY) {
        inbuf_put(&input, regs[UART_RBR]);
        any = true;
    }
    return any;
}

static void interrupt_thread(void *unused)
{
    (void)unused;
    uint64_t bits;
    while (nx_notify_wait_bits(irq_notify, NX_DEADLINE_NEVER, &bits) == NX_OK) {
        bool any = drain();
        nx_irq_ack(irq);  // after draining: the line is low again, or it interrupts at once
        if (any)
            nx_notify_signal(input_ready, INPUT_BIT);
    }
}

// ---- the console service ----

static long op_write(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    long n = nx_debug_write((const char *)req->data, req->len);
    if (n > 0)
        atomic_fetch_add(&written, (uint64_t)n);
    return n;
}

// Bytes from the input buffer into buf, waiting until the deadline for the first one, unless
// a newer READ (turn) comes first.
static long wait_for_input(uint8_t *buf, size_t max, uint64_t deadline, uint32_t turn)
{
    while (atomic_load(&read_turn) == turn) {
        size_t n = inbuf_take(&input, buf, max);
        if (n)
            return (long)n;
        // A byte that arrives after the take has already set the bit: no wake-up is lost.
        uint64_t bits;
        long r = nx_notify_wait_bits(input_ready, deadline, &bits);
        if (r != NX_OK)
            return r;
    }
    return NX_ERR_BAD_STATE;
}

// A READ supersedes one still waiting: that one's caller may be gone for good (a killed
// shell), and IPC gives a server no word of it, so an old waiter must never lock the input.
static long op_read(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_console_read_req r;
    memcpy(&r, req->data, sizeof r);
    if (r.max == 0 || r.max > NX_MSG_BYTES_MAX || r.reserved)
        return NX_ERR_INVALID;
    uint32_t turn = atomic_fetch_add(&read_turn, 1) + 1;
    nx_notify_signal(input_ready, INPUT_BIT);  // wake the waiter, which then steps aside
    while (atomic_flag_test_and_set(&reading))
        nx_yield();
    long n = wait_for_input(req->reply, r.max, r.deadline, turn);
    atomic_flag_clear(&reading);
    if (n > 0)
        req->reply_len = (size_t)n;
    return n;
}

static long op_stats(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_console_stats s = {
        .received = atomic_load(&input.received),
        .dropped = atomic_load(&input.dropped),
        .written = atomic_load(&written),
    };
    memcpy(req->reply, &s, sizeof s);
    req->reply_len = sizeof s;
    return NX_OK;
}

static const struct nx_rpc_op console_ops[] = {
    { NX_CONSOLE_WRITE, 0, NX_MSG_BYTES_MAX, op_write },
    { NX_CONSOLE_READ, sizeof(struct nx_console_read_req), sizeof(struct nx_console_read_req),
      op_read },
    { NX_CONSOLE_STATS, 0, 0, op_stats },
};
static const struct nx_rpc_server console_server = {
    .ops = console_ops, .nops = sizeof console_ops / sizeof console_ops[0],
};
static nx_handle_t console;

static void server_thread(void *unused)
{
    (void)unused;
    nx_rpc_serve(console, &console_server);
}

// ---- start ----

static long map_registers(nx_handle_t mmio)
{
    long va = nx_vm_map(nx_self, mmio, 0, 0, 4096, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0)
        return va;
    regs = (volatile uint8_t *)va;
    regs[UART_FCR] = FCR_FIFO_ON_CLEARED;
    regs[UART_IER] = IER_RX_AVAILABLE;
    return NX_OK;
}

// Everything the driver needs, or a message saying what is missing.
static const char *start(void)
{
    nx_handle_t mmio = nx_startup_handle(GRANT_MMIO);
    irq = nx_startup_handle(GRANT_IRQ);
    irq_notify = nx_startup_handle(GRANT_IRQ_NOTIFY);
    console = nx_startup_handle(GRANT_SERVE);
    if (!mmio || !irq || !irq_notify || !console)
        return "not granted " GRANT_MMIO ", " GRANT_IRQ ", " GRANT_IRQ_NOTIFY " and " GRANT_SERVE;
    if (map_registers(mmio) != NX_OK)
        return "cannot map the registers";
    long n = nx_notification_create();
    if (n < 0)
        return "no notification";
    input_ready = (nx_handle_t)n;
    struct nx_process_info self;
    nx_process_info(nx_self, &self);
    drain();  // what came before the interrupt was enabled
    // A previous instance killed between an interrupt and its ack left the claim open (the
    // line masked); completing it now lets interrupts through. NX_ERR_BAD_STATE if none was.
    nx_irq_ack(irq);
    if (nx_thread_start(interrupt_thread, NULL, self.priority, NX_THREAD_STACK_SIZE) < 0 ||
        nx_thread_start(server_thread, NULL, self.priority, NX_THREAD_STACK_SIZE) < 0)
        return "cannot start threads";
    return NULL;
}

int main(void)
{
    const char *why = start();
    if (why) {
        fprintf(stderr, "uart: %s\n", why);
        return 1;
    }
    server_thread(NULL);
    return 0;
}

// ns16550a transmit: wait for room (LSR's THRE), then write THR. The receive side and the
// interrupts are the UART driver's (user/drivers/uart); the kernel only ever writes THR, and
// it is the port's one writer (console.h). Registers are reg-io-width wide (1 or 4 bytes),
// 1 << reg-shift apart; all of them sit in the low 4 GiB the direct map covers.
#include "arch/riscv/uart.h"
#include "arch/riscv/memlayout.h"

#define REG_THR 0
#define REG_LSR 5
#define LSR_THRE 0x20  // the transmit holding register is empty

static uintptr_t base;
static uint32_t shift, width;

bool uart_tx_init(const struct fdt_info *fdt)
{
    uint32_t w = fdt->uart_io_width, sh = fdt->uart_reg_shift;
    if (fdt->uart.size == 0 || (w != 1 && w != 4) || sh > 4 ||
        ((uint64_t)REG_LSR << sh) + w > fdt->uart.size || fdt->uart.size > DIRECT_MAP_SIZE ||
        fdt->uart.base > DIRECT_MAP_SIZE - fdt->uart.size)
        return false;
    base = (uintptr_t)pa_to_kva(fdt->uart.base);
    shift = sh;
    width = w;
    return true;
}

static uint32_t reg_read(uint32_t r)
{
    uintptr_t a = base + ((uintptr_t)r << shift);
    return width == 4 ? *(volatile uint32_t *)a : *(volatile uint8_t *)a;
}

static void reg_write(uint32_t r, uint32_t v)
{
    uintptr_t a = base + ((uintptr_t)r << shift);
    if (width == 4)
        *(volatile uint32_t *)a = v;
    else
        *(volatile uint8_t *)a = (uint8_t)v;
}

static void put_byte(uint8_t c)
{
    while (!(reg_read(REG_LSR) & LSR_THRE))
        ;
    reg_write(REG_THR, c);
}

// A line ends in CR LF on the wire, as OpenSBI's console sent it: a terminal in raw mode
// (QEMU's -nographic) would otherwise start each line below the end of the last.
void uart_tx_put(char c)
{
    if (c == '\n')
        put_byte('\r');
    put_byte((uint8_t)c);
}

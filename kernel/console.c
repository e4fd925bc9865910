// The console: the one writer of the serial port once user space is up (see console.h), and
// kprintf. kprintf supports %c %s %d %i %u %x %p and %%, the l/ll/z size prefixes and a
// zero-padded field width (%08lx).
#include <stdint.h>
#include "console.h"
#include "console_lines.h"
#include "panic.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/uart.h"

static void sbi_put(char c)
{
    sbi_console_putchar(c);
}

// Only one hart runs the kernel, with interrupts off: a write (begin, put, end) is never
// interleaved with another. (With several harts, a spinlock goes around a write and kline.)
static struct console_lines lines = { .put = sbi_put };

bool console_use_uart(const struct fdt_info *fdt)
{
    if (!uart_tx_init(fdt))
        return false;
    lines.put = uart_tx_put;
    return true;
}

void console_begin(uint32_t source, bool ends_line)
{
    console_lines_begin(&lines, source, ends_line);
}

void console_put(const char *s, size_t len)
{
    console_lines_put(&lines, s, len);
}

void console_end(void)
{
    console_lines_end(&lines);
}

void console_panic(void)
{
    console_lines_close(&lines);
}

// kprintf's text, gathered into lines: the kernel's messages come in pieces (a panic's
// prefix, its message, its newline) and go out as one write each.
static char kline[256];
static size_t klen;

static void kput(char c)
{
    kline[klen++] = c;
    if (c == '\n' || klen == sizeof kline) {
        console_lines_write(&lines, CONSOLE_KERNEL, kline, klen);
        klen = 0;
    }
}

static void put_unsigned(uint64_t v, unsigned base, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (width-- > n)
        kput(pad);
    while (n--)
        kput(buf[n]);
}

static void put_signed(int64_t v, int width, char pad)
{
    if (v < 0) {
        kput('-');
        put_unsigned(-(uint64_t)v, 10, width - 1, pad);
    } else {
        put_unsigned((uint64_t)v, 10, width, pad);
    }
}

static void put_string(const char *s)
{
    for (s = s ? s : "(null)"; *s; s++)
        kput(*s);
}

// Returns the pointer past the conversion starting at fmt (just after '%').
static const char *convert(const char *fmt, va_list *ap)
{
    char pad = ' ';
    int width = 0, longs = 0;
    if (*fmt == '0')
        pad = '0';
    while (*fmt >= '0' && *fmt <= '9')
        width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l' || *fmt == 'z')
        longs++, fmt++;
    switch (*fmt) {
    case 'c': kput(va_arg(*ap, int)); break;
    case 's': put_string(va_arg(*ap, const char *)); break;
    case 'd':
    case 'i': put_signed(longs ? va_arg(*ap, int64_t) : va_arg(*ap, int), width, pad); break;
    case 'u': put_unsigned(longs ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned), 10, width, pad); break;
    case 'x': put_unsigned(longs ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned), 16, width, pad); break;
    case 'p': put_string("0x"); put_unsigned((uintptr_t)va_arg(*ap, void *), 16, 16, '0'); break;
    case '%': kput('%'); break;
    default: kput('?'); return *fmt ? fmt + 1 : fmt;
    }
    return fmt + 1;
}

void kvprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    while (*fmt) {
        if (*fmt == '%')
            fmt = convert(fmt + 1, &copy);
        else
            kput(*fmt++);
    }
    va_end(copy);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

// printf-style output to the SBI debug console. Supports %c %s %d %i %u %x %p and %%,
// the l/ll/z size prefixes and a zero-padded field width (%08lx).
#include <stdint.h>
#include "console.h"
#include "panic.h"
#include "arch/riscv/sbi.h"

void console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        sbi_console_putchar(s[i]);
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
        sbi_console_putchar(pad);
    while (n--)
        sbi_console_putchar(buf[n]);
}

static void put_signed(int64_t v, int width, char pad)
{
    if (v < 0) {
        sbi_console_putchar('-');
        put_unsigned(-(uint64_t)v, 10, width - 1, pad);
    } else {
        put_unsigned((uint64_t)v, 10, width, pad);
    }
}

static void put_string(const char *s)
{
    for (s = s ? s : "(null)"; *s; s++)
        sbi_console_putchar(*s);
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
    case 'c': sbi_console_putchar(va_arg(*ap, int)); break;
    case 's': put_string(va_arg(*ap, const char *)); break;
    case 'd':
    case 'i': put_signed(longs ? va_arg(*ap, int64_t) : va_arg(*ap, int), width, pad); break;
    case 'u': put_unsigned(longs ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned), 10, width, pad); break;
    case 'x': put_unsigned(longs ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned), 16, width, pad); break;
    case 'p': put_string("0x"); put_unsigned((uintptr_t)va_arg(*ap, void *), 16, 16, '0'); break;
    case '%': sbi_console_putchar('%'); break;
    default: sbi_console_putchar('?'); return *fmt ? fmt + 1 : fmt;
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
            sbi_console_putchar(*fmt++);
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

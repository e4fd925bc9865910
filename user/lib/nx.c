// Minimal formatted output and process exit for programs that run before the C library and
// console services exist (picolibc's stdio is wired up with the user-space services).
#include <stdarg.h>
#include <nx/nx.h>

struct out {
    char buf[256];
    size_t len;
    int total;
};

static void flush(struct out *o)
{
    if (o->len)
        nx_debug_write((long)o->buf, (long)o->len);
    o->total += (int)o->len;
    o->len = 0;
}

static void put(struct out *o, char c)
{
    if (o->len == sizeof(o->buf))
        flush(o);
    o->buf[o->len++] = c;
}

static void put_number(struct out *o, uint64_t v, unsigned base, int negative)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (negative)
        put(o, '-');
    while (n)
        put(o, digits[--n]);
}

static const char *convert(struct out *o, const char *f, va_list *ap)
{
    int longs = 0;
    while (*f == 'l')
        longs++, f++;
    switch (*f) {
    case 's':
        for (const char *s = va_arg(*ap, const char *); s && *s; s++)
            put(o, *s);
        break;
    case 'c': put(o, (char)va_arg(*ap, int)); break;
    case 'd': {
        int64_t v = longs ? va_arg(*ap, int64_t) : va_arg(*ap, int);
        put_number(o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0);
        break;
    }
    case 'u': put_number(o, longs ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned), 10, 0); break;
    case 'x': put_number(o, longs ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned), 16, 0); break;
    case '%': put(o, '%'); break;
    default: put(o, '?'); break;
    }
    return *f ? f + 1 : f;
}

int nx_printf(const char *fmt, ...)
{
    struct out o = { .len = 0, .total = 0 };
    va_list ap;
    va_start(ap, fmt);
    while (*fmt) {
        if (*fmt == '%')
            fmt = convert(&o, fmt + 1, &ap);
        else
            put(&o, *fmt++);
    }
    va_end(ap);
    flush(&o);
    return o.total;
}

void nx_puts(const char *s)
{
    nx_printf("%s\n", s);
}

_Noreturn void nx_exit_process(long status)
{
    nx_exit(status);
    __builtin_unreachable();
}

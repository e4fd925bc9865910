// nx_printf: formatted output straight to the stdio sink, formatted by picolibc into a stack
// buffer. Unlike printf it needs no thread-local storage, so threads made with the bare
// thread_create syscall may use it too.
#include <stdarg.h>
#include <stdio.h>
#include <nx/nx.h>
#include <nx/stdio.h>

int nx_printf(const char *fmt, ...)
{
    char buf[NX_STDIO_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return n;
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    nx_stdio_write(buf, len);
    return (int)len;
}

void nx_puts(const char *s)
{
    nx_printf("%s\n", s);
}

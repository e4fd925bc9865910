// Freestanding memory and string routines (the compiler may emit calls to these too).
#include <stdint.h>
#include "lib/string.h"

// Words may alias anything: memset fills objects of every type. (memcpy: lib/memcpy.c.)
typedef uint64_t __attribute__((may_alias)) word_t;

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

// Four words at a time from an 8-byte aligned start (pages being zeroed: the sets that are
// long), then bytes.
void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (((uintptr_t)d & 7) == 0) {
        word_t w = (unsigned char)c * 0x0101010101010101ull;
        for (; n >= 32; n -= 32, d += 32) {
            ((word_t *)d)[0] = w, ((word_t *)d)[1] = w;
            ((word_t *)d)[2] = w, ((word_t *)d)[3] = w;
        }
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

size_t strlen(const char *s)
{
    return strnlen(s, (size_t)-1);
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

int strcmp(const char *a, const char *b)
{
    return strncmp(a, b, (size_t)-1);
}

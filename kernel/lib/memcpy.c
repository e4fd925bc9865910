// memcpy, apart from the other string routines (lib/string.c): libnx builds this file into
// every program too (picolibc's takes 2.6 instructions a word, this one 2.1: docs/perf-vm.md),
// while picolibc keeps the rest.
#include <stdbool.h>
#include <stdint.h>
#include "lib/string.h"

// Words may alias anything: memcpy copies objects of every type.
typedef uint64_t __attribute__((may_alias)) word_t;
typedef uint32_t __attribute__((may_alias)) half_t;

// Copy the bytes before the first address of d aligned to `align` (s has d's alignment
// modulo align), if n has that many; returns how many it copied.
static size_t copy_head(unsigned char *d, const unsigned char *s, size_t n, uintptr_t align)
{
    size_t head = -(uintptr_t)d & (align - 1);
    if (head > n)
        return 0;
    for (size_t i = 0; i < head; i++)
        d[i] = s[i];
    return head;
}

// Eight words from 8-byte aligned s to 8-byte aligned d, all loaded before any is stored.
static inline void copy_8_words(word_t *to, const word_t *from)
{
    word_t w0 = from[0], w1 = from[1], w2 = from[2], w3 = from[3];
    word_t w4 = from[4], w5 = from[5], w6 = from[6], w7 = from[7];
    to[0] = w0, to[1] = w1, to[2] = w2, to[3] = w3;
    to[4] = w4, to[5] = w5, to[6] = w6, to[7] = w7;
}

// Copy the whole words of n bytes from 8-byte aligned s to 8-byte aligned d; returns the
// bytes copied. 256-byte blocks first, where the loop's own instructions cost 3 in 67 (a
// full IPC payload, a page), then a word at a time.
static inline __attribute__((always_inline)) size_t copy_words(unsigned char *d,
                                                                const unsigned char *s,
                                                                size_t n)
{
    word_t *to = (word_t *)d;
    const word_t *from = (const word_t *)s;
    const word_t *blocks_end = from + n / 256 * 32, *end = from + n / 8;
    // The empty asm keeps the groups apart: eight values at a time fit the temporary
    // registers, so the copy needs no stack frame.
    for (; from != blocks_end; from += 32, to += 32) {
        copy_8_words(to, from);
        __asm__ volatile("" ::: "memory");
        copy_8_words(to + 8, from + 8);
        __asm__ volatile("" ::: "memory");
        copy_8_words(to + 16, from + 16);
        __asm__ volatile("" ::: "memory");
        copy_8_words(to + 24, from + 24);
    }
    for (; from != end; from++, to++)
        *to = *from;
    return n & ~(size_t)7;
}

// The same for 4-byte aligned s and d: a file in the boot archive (cpio aligns its data to
// 4 bytes) copied into pages.
static size_t copy_halves(unsigned char *d, const unsigned char *s, size_t n)
{
    size_t left = n;
    for (; left >= 32; left -= 32, d += 32, s += 32) {
        const half_t *from = (const half_t *)s;
        half_t *to = (half_t *)d;
        half_t h0 = from[0], h1 = from[1], h2 = from[2], h3 = from[3];
        half_t h4 = from[4], h5 = from[5], h6 = from[6], h7 = from[7];
        to[0] = h0, to[1] = h1, to[2] = h2, to[3] = h3;
        to[4] = h4, to[5] = h5, to[6] = h6, to[7] = h7;
    }
    return n - left;
}

// The blocks of the widest words both sides can be aligned to (after a few bytes); returns
// the bytes copied. Out of line: memcpy between aligned buffers then needs no stack frame.
static __attribute__((noinline)) size_t copy_blocks(unsigned char *d, const unsigned char *s,
                                                    size_t n)
{
    uintptr_t skew = (uintptr_t)d ^ (uintptr_t)s;
    size_t head;
    if ((skew & 7) == 0) {
        head = copy_head(d, s, n, 8);
        return head + copy_words(d + head, s + head, n - head);
    }
    if ((skew & 3) == 0) {
        head = copy_head(d, s, n, 4);
        return head + copy_halves(d + head, s + head, n - head);
    }
    return 0;
}

static inline void copy_bytes(unsigned char *d, const unsigned char *s, size_t n)
{
    while (n--)
        *d++ = *s++;
}

// memcpy of at least 32 bytes, both sides 8-byte aligned (pages, IPC buffers: the copies that
// are long): blocks of words, words, then bytes.
static __attribute__((noinline)) void *copy_aligned(unsigned char *d, const unsigned char *s,
                                                     size_t n)
{
    size_t done = copy_words(d, s, n);
    copy_bytes(d + done, s + done, n - done);
    return d;
}

// The same, not both aligned: word or half blocks if both sides can be aligned to them after
// a few bytes, then bytes.
static __attribute__((noinline)) void *copy_unaligned(unsigned char *d, const unsigned char *s,
                                                       size_t n)
{
    size_t done = copy_blocks(d, s, n);
    copy_bytes(d + done, s + done, n - done);
    return d;
}

// A short copy (a pipe's few bytes, a small struct) is done here, in a leaf without a stack
// frame: words if both sides are aligned, then bytes; a long one is a tail call. An empty one
// (the second piece of a ring's copy, mostly) returns at once.
void *memcpy(void *dst, const void *src, size_t n)
{
    if (n == 0)
        return dst;
    unsigned char *d = dst;
    const unsigned char *s = src;
    bool aligned = (((uintptr_t)d | (uintptr_t)s) & 7) == 0;
    if (n >= 32)
        return aligned ? copy_aligned(d, s, n) : copy_unaligned(d, s, n);
    for (; aligned && n >= 8; n -= 8, d += 8, s += 8)
        *(word_t *)d = *(const word_t *)s;
    copy_bytes(d, s, n);
    return dst;
}

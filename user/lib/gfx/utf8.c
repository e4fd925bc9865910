// UTF-8 decoding (nx/text.h): the well-formed byte sequences of the Unicode standard
// (table 3-7), and one U+FFFD for each maximal ill-formed part.
#include <nx/text.h>

// What a lead byte allows: how many continuation bytes follow, and the range of the first
// of them (narrower than 0x80-0xbf where that rules out overlong forms, surrogates and
// values above U+10FFFF).
struct lead {
    uint8_t more, lo, hi, bits;
};

static struct lead lead_of(uint8_t b)
{
    if (b >= 0xc2 && b <= 0xdf)
        return (struct lead){ 1, 0x80, 0xbf, b & 0x1f };
    if (b == 0xe0)
        return (struct lead){ 2, 0xa0, 0xbf, b & 0x0f };
    if (b == 0xed)
        return (struct lead){ 2, 0x80, 0x9f, b & 0x0f };
    if (b >= 0xe1 && b <= 0xef)
        return (struct lead){ 2, 0x80, 0xbf, b & 0x0f };
    if (b == 0xf0)
        return (struct lead){ 3, 0x90, 0xbf, b & 0x07 };
    if (b >= 0xf1 && b <= 0xf3)
        return (struct lead){ 3, 0x80, 0xbf, b & 0x07 };
    if (b == 0xf4)
        return (struct lead){ 3, 0x80, 0x8f, b & 0x07 };
    return (struct lead){ 0, 0, 0, 0 };   // never a lead: 0x80-0xc1, 0xf5-0xff
}

size_t nx_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    if (len == 0)
        return 0;
    const uint8_t *p = (const uint8_t *)s;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    struct lead l = lead_of(p[0]);
    *cp = NX_UTF8_REPLACEMENT;
    if (l.more == 0)
        return 1;
    uint32_t v = l.bits;
    for (size_t i = 1; i <= l.more; i++) {
        uint8_t lo = i == 1 ? l.lo : 0x80, hi = i == 1 ? l.hi : 0xbf;
        if (i >= len || p[i] < lo || p[i] > hi)
            return i;   // the ill-formed part ends before this byte
        v = v << 6 | (p[i] & 0x3f);
    }
    *cp = v;
    return (size_t)l.more + 1;
}

size_t nx_utf8_encode(uint32_t cp, char out[4])
{
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        cp = NX_UTF8_REPLACEMENT;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (size_t i = n - 1; i > 0; i--, cp >>= 6)
        out[i] = (char)(0x80 | (cp & 0x3f));
    out[0] = (char)((0xf00u >> n) | cp);   // 2: 0xc0, 3: 0xe0, 4: 0xf0
    return n;
}

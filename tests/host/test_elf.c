// Host unit tests for kernel/lib/elf.c.
//
// Inputs are real executables built by tests/host/elf.mk with the RISC-V
// cross toolchain (plus this very host binary as a wrong-machine ELF). Each
// test mutates a private, exactly-sized heap copy, so ASan catches any read
// past the end. Headers are read and written here with independent offset
// tables rather than the parser's structs, so the test is its own oracle.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/elf.h"

#define DATA_DIR "build/test-data/elf/"
#define PAGE 4096ULL

// ELF64 header / program header field offsets (System V gABI).
enum { E_CLASS = 4, E_DATA = 5, E_IVERSION = 6, E_TYPE = 16, E_MACHINE = 18, E_VERSION = 20,
       E_ENTRY = 24, E_PHOFF = 32, E_PHENTSIZE = 54, E_PHNUM = 56, EHDR_SIZE = 64 };
enum { P_TYPE = 0, P_FLAGS = 4, P_OFFSET = 8, P_VADDR = 16, P_FILESZ = 32, P_MEMSZ = 40,
       PHDR_SIZE = 56 };
enum { PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_SHLIB = 5,
       PT_PHDR = 6, PT_TLS = 7 };
#define PT_GNU_STACK 0x6474e551u
#define PT_GNU_RELRO 0x6474e552u
#define PT_RISCV_ATTRIBUTES 0x70000003u
enum { PF_X = 1, PF_W = 2, PF_R = 4 };

struct blob {
    unsigned char *p;
    size_t n;
};

static struct blob hello, low, rwx, host;

// ---- helpers ---------------------------------------------------------------

static struct blob load(const char *path)
{
    struct blob b = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (build the test's DEPS first: make %s)\n", path, path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    b.n = (size_t)ftell(f);
    rewind(f);
    b.p = malloc(b.n);
    if (!b.p || fread(b.p, 1, b.n, f) != b.n)
        exit(1);
    fclose(f);
    return b;
}

static unsigned char *dup_n(const unsigned char *p, size_t n)
{
    unsigned char *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, p, n);
    return c;
}

static uint64_t get(const unsigned char *p, size_t off, int size)
{
    uint64_t v = 0;
    memcpy(&v, p + off, (size_t)size); // hosts are little-endian, like the files
    return v;
}

static void put(unsigned char *p, size_t off, int size, uint64_t v)
{
    memcpy(p + off, &v, (size_t)size);
}

static uint64_t phoff(const unsigned char *p) { return get(p, E_PHOFF, 8); }
static unsigned phnum(const unsigned char *p) { return (unsigned)get(p, E_PHNUM, 2); }
static size_t ph(const unsigned char *p, unsigned i) { return (size_t)phoff(p) + i * PHDR_SIZE; }

// Offset of the nth program header of the given type.
static size_t find_ph(const unsigned char *p, uint32_t type, unsigned nth)
{
    for (unsigned i = 0; i < phnum(p); i++)
        if (get(p, ph(p, i) + P_TYPE, 4) == type && nth-- == 0)
            return ph(p, i);
    fail_msg("no program header of type %#x", type);
    return 0;
}

// In hello.elf: the first PT_LOAD is text (R+X), the second data (R+W).
static size_t text(const unsigned char *p) { return find_ph(p, PT_LOAD, 0); }
static size_t data(const unsigned char *p) { return find_ph(p, PT_LOAD, 1); }

static bool pages_overlap(const struct elf_segment *a, const struct elf_segment *b)
{
    uint64_t alo = a->vaddr & ~(PAGE - 1), ahi = (a->vaddr + a->memsz + PAGE - 1) & ~(PAGE - 1);
    uint64_t blo = b->vaddr & ~(PAGE - 1), bhi = (b->vaddr + b->memsz + PAGE - 1) & ~(PAGE - 1);
    return alo < bhi && blo < ahi;
}

// Everything a loader relies on after ELF_OK, re-checked independently.
static void check_invariants(size_t len, int r, const struct elf_image *img)
{
    assert_true(r <= ELF_OK && r >= ELF_E_NOSEG);
    if (r != ELF_OK) {
        static const struct elf_image zero;
        assert_memory_equal(img, &zero, sizeof(zero));
        return;
    }
    assert_true(img->nsegs >= 1 && img->nsegs <= ELF_MAX_SEGMENTS);
    bool entry_ok = false;
    for (uint32_t i = 0; i < img->nsegs; i++) {
        const struct elf_segment *s = &img->seg[i];
        assert_true(s->memsz > 0 && s->filesz <= s->memsz);
        assert_true(s->offset <= len && s->filesz <= len - s->offset);
        assert_true(s->vaddr >= USER_VA_MIN && s->vaddr < USER_VA_LIMIT);
        assert_true(s->memsz <= USER_VA_LIMIT - s->vaddr);
        assert_true(s->vaddr % PAGE == s->offset % PAGE);
        assert_true((s->flags & ~7u) == 0);
        assert_false((s->flags & NX_PROT_WRITE) && (s->flags & NX_PROT_EXEC));
        for (uint32_t j = 0; j < i; j++)
            assert_false(pages_overlap(&img->seg[j], s));
        if ((s->flags & NX_PROT_EXEC) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
            entry_ok = true;
    }
    assert_true(entry_ok);
    assert_true(img->entry % 2 == 0);
}

// Parse an exactly-sized heap copy (ASan-guarded), with *img pre-poisoned.
static int parse_img(const unsigned char *p, size_t n, struct elf_image *img)
{
    unsigned char *c = dup_n(p, n);
    memset(img, 0xa5, sizeof(*img));
    int r = elf_parse(c, n, img);
    check_invariants(n, r, img);
    free(c);
    return r;
}

static int parse(const unsigned char *p, size_t n)
{
    struct elf_image img;
    return parse_img(p, n, &img);
}

// ---- real files --------------------------------------------------------------

static const unsigned char *memfind(const struct blob *b, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= b->n; i++)
        if (memcmp(b->p + i, s, k) == 0)
            return b->p + i;
    return NULL;
}

static bool in_file_range(const struct elf_segment *s, const unsigned char *base, const unsigned char *x)
{
    size_t off = (size_t)(x - base);
    return off >= s->offset && off - s->offset < s->filesz;
}

static void test_hello_ok(void **state)
{
    (void)state;
    struct elf_image img;
    assert_int_equal(parse_img(hello.p, hello.n, &img), ELF_OK);

    // The image lists exactly the file's PT_LOADs, in order.
    unsigned loads = 0;
    for (unsigned i = 0; i < phnum(hello.p); i++) {
        size_t o = ph(hello.p, i);
        if (get(hello.p, o + P_TYPE, 4) != PT_LOAD)
            continue;
        const struct elf_segment *s = &img.seg[loads++];
        assert_int_equal(s->vaddr, get(hello.p, o + P_VADDR, 8));
        assert_int_equal(s->memsz, get(hello.p, o + P_MEMSZ, 8));
        assert_int_equal(s->offset, get(hello.p, o + P_OFFSET, 8));
        assert_int_equal(s->filesz, get(hello.p, o + P_FILESZ, 8));
    }
    assert_int_equal(img.nsegs, 2);
    assert_int_equal(loads, 2);
    assert_true(phnum(hello.p) > 2); // the PT_NOTE / PT_RISCV_ATTRIBUTES were skipped
    assert_int_equal(img.entry, get(hello.p, E_ENTRY, 8));

    const struct elf_segment *t = &img.seg[0], *d = &img.seg[1];
    assert_int_equal(t->vaddr, USER_VA_MIN);
    assert_int_equal(t->flags, NX_PROT_READ | NX_PROT_EXEC);
    assert_int_equal(d->flags, NX_PROT_READ | NX_PROT_WRITE);
    assert_true(d->memsz >= d->filesz + 8192); // bss_buf

    // The markers sit in the segments with the right permissions...
    assert_true(in_file_range(t, hello.p, memfind(&hello, "NEXUS-ELF-RODATA")));
    assert_true(in_file_range(d, hello.p, memfind(&hello, "NEXUS-ELF-DATA")));
    // ...and e_entry maps to the first instruction of _start (lui a0,0x12345).
    uint64_t entry_off = t->offset + (img.entry - t->vaddr);
    assert_int_equal(get(hello.p, (size_t)entry_off, 4), 0x12345537);
}

static void test_unaligned_buffer(void **state)
{
    (void)state;
    unsigned char *c = malloc(hello.n + 1);
    memcpy(c + 1, hello.p, hello.n);
    struct elf_image a, b;
    assert_int_equal(elf_parse(c + 1, hello.n, &a), ELF_OK); // UBSan flags unaligned loads
    assert_int_equal(parse_img(hello.p, hello.n, &b), ELF_OK);
    assert_memory_equal(&a, &b, sizeof(a));
    free(c);
}

static void test_real_bad_files(void **state)
{
    (void)state;
    assert_int_equal(parse(rwx.p, rwx.n), ELF_E_WX);
    assert_int_equal(parse(low.p, low.n), ELF_E_RANGE);
    assert_int_equal(parse(host.p, host.n), ELF_E_BADMACHINE);
}

// Any prefix shorter than the last byte the parser needs is TRUNCATED; longer
// prefixes (cutting only section headers/symbols) parse as the whole file.
// Program headers are checked in order, so when the PT_LOAD number `loads`
// already fails, the bytes of the later ones are never needed.
static void truncate_all(const struct blob *b, unsigned loads, int full_result)
{
    const unsigned char *p = b->p;
    uint64_t need = phoff(p) + (uint64_t)phnum(p) * PHDR_SIZE;
    for (unsigned i = 0; i < phnum(p) && loads > 0; i++) {
        size_t o = ph(p, i);
        if (get(p, o + P_TYPE, 4) != PT_LOAD)
            continue;
        loads--;
        if (get(p, o + P_OFFSET, 8) + get(p, o + P_FILESZ, 8) > need)
            need = get(p, o + P_OFFSET, 8) + get(p, o + P_FILESZ, 8);
    }
    assert_true(need < b->n);
    for (size_t len = 0; len <= b->n; len++)
        assert_int_equal(parse(p, len), len < need ? ELF_E_TRUNCATED : full_result);
}

static void test_truncated_every_length(void **state)
{
    (void)state;
    truncate_all(&hello, 2, ELF_OK);
    truncate_all(&rwx, 1, ELF_E_WX);
    truncate_all(&low, 1, ELF_E_RANGE); // its first PT_LOAD (at 0xf000) is the bad one
}

// ---- header mutations ----------------------------------------------------------

// Copy hello, set one field, parse, free.
static int with_field(size_t off, int size, uint64_t v)
{
    unsigned char *c = dup_n(hello.p, hello.n);
    put(c, off, size, v);
    int r = parse(c, hello.n);
    free(c);
    return r;
}

static void test_ident(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(with_field(i, 1, hello.p[i] ^ 0x20), ELF_E_BADMAGIC);
    assert_int_equal(with_field(E_CLASS, 1, 1), ELF_E_BADCLASS); // ELFCLASS32
    assert_int_equal(with_field(E_CLASS, 1, 0), ELF_E_BADCLASS);
    assert_int_equal(with_field(E_DATA, 1, 2), ELF_E_BADCLASS);  // big-endian
    assert_int_equal(with_field(E_IVERSION, 1, 0), ELF_E_BADCLASS);
    assert_int_equal(with_field(E_VERSION, 4, 2), ELF_E_BADCLASS);
    assert_int_equal(parse((const unsigned char *)"#!/bin/sh\n", 10), ELF_E_TRUNCATED);
    unsigned char text64[64];
    memset(text64, 'x', sizeof(text64));
    assert_int_equal(parse(text64, sizeof(text64)), ELF_E_BADMAGIC);
}

static void test_machine_and_type(void **state)
{
    (void)state;
    assert_int_equal(with_field(E_MACHINE, 2, 62), ELF_E_BADMACHINE);  // x86-64
    assert_int_equal(with_field(E_MACHINE, 2, 183), ELF_E_BADMACHINE); // AArch64
    assert_int_equal(with_field(E_MACHINE, 2, 243 + 256), ELF_E_BADMACHINE);
    assert_int_equal(with_field(E_TYPE, 2, 0), ELF_E_BADTYPE); // ET_NONE
    assert_int_equal(with_field(E_TYPE, 2, 1), ELF_E_BADTYPE); // ET_REL
    assert_int_equal(with_field(E_TYPE, 2, 3), ELF_E_BADTYPE); // ET_DYN (PIE)
    assert_int_equal(with_field(E_TYPE, 2, 4), ELF_E_BADTYPE); // ET_CORE
}

static void test_phdr_table(void **state)
{
    (void)state;
    uint64_t tab = (uint64_t)phnum(hello.p) * PHDR_SIZE;
    assert_int_equal(with_field(E_PHENTSIZE, 2, 0), ELF_E_BADPHDR);
    assert_int_equal(with_field(E_PHENTSIZE, 2, 32), ELF_E_BADPHDR);
    assert_int_equal(with_field(E_PHENTSIZE, 2, 64), ELF_E_BADPHDR);
    assert_int_equal(with_field(E_PHNUM, 2, 0), ELF_E_NOSEG);
    assert_int_equal(with_field(E_PHNUM, 2, 0xffff), ELF_E_BADPHDR); // PN_XNUM
    assert_int_equal(with_field(E_PHNUM, 2, 1000), ELF_E_TRUNCATED);
    assert_int_equal(with_field(E_PHOFF, 8, hello.n), ELF_E_TRUNCATED);
    assert_int_equal(with_field(E_PHOFF, 8, hello.n - tab + 1), ELF_E_TRUNCATED);
    assert_int_equal(with_field(E_PHOFF, 8, UINT64_MAX - 10), ELF_E_BADPHDR);
    assert_int_equal(with_field(E_PHOFF, 8, UINT64_MAX - tab + 1), ELF_E_BADPHDR);
    assert_int_equal(with_field(E_PHOFF, 8, (uint64_t)1 << 63), ELF_E_TRUNCATED);
}

static void test_segment_types(void **state)
{
    (void)state;
    size_t attr = find_ph(hello.p, PT_RISCV_ATTRIBUTES, 0);
    size_t note = find_ph(hello.p, PT_NOTE, 0);
    assert_int_equal(with_field(attr + P_TYPE, 4, PT_INTERP), ELF_E_BADTYPE);
    assert_int_equal(with_field(attr + P_TYPE, 4, PT_DYNAMIC), ELF_E_BADTYPE);
    assert_int_equal(with_field(note + P_TYPE, 4, PT_INTERP), ELF_E_BADTYPE);
    assert_int_equal(with_field(note + P_TYPE, 4, PT_SHLIB), ELF_E_BADTYPE);
    static const uint32_t ignored[] = {PT_NULL, PT_NOTE, PT_PHDR, PT_TLS, PT_GNU_STACK,
                                       PT_GNU_RELRO, PT_RISCV_ATTRIBUTES, 0x7fffffff, 0xffffffff};
    for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
        assert_int_equal(with_field(attr + P_TYPE, 4, ignored[i]), ELF_OK);
        assert_int_equal(with_field(note + P_TYPE, 4, ignored[i]), ELF_OK);
    }
    // With every PT_LOAD turned into PT_NULL there is nothing to load.
    unsigned char *c = dup_n(hello.p, hello.n);
    put(c, data(c) + P_TYPE, 4, PT_NULL);
    put(c, text(c) + P_TYPE, 4, PT_NULL);
    assert_int_equal(parse(c, hello.n), ELF_E_NOSEG);
    free(c);
}

// ---- segment mutations --------------------------------------------------------

static void test_sizes(void **state)
{
    (void)state;
    size_t t = text(hello.p), d = data(hello.p);
    uint64_t tmem = get(hello.p, t + P_MEMSZ, 8), dfile = get(hello.p, d + P_FILESZ, 8);
    assert_int_equal(with_field(t + P_FILESZ, 8, tmem + 1), ELF_E_BADPHDR);
    assert_int_equal(with_field(t + P_MEMSZ, 8, 0), ELF_E_BADPHDR);
    assert_int_equal(with_field(d + P_MEMSZ, 8, dfile - 1), ELF_E_BADPHDR);
    assert_int_equal(with_field(d + P_MEMSZ, 8, dfile), ELF_OK); // no bss is fine
    assert_int_equal(with_field(d + P_FILESZ, 8, 0), ELF_OK);    // all bss is fine
    // Bytes outside the file.
    assert_int_equal(with_field(d + P_OFFSET, 8, hello.n), ELF_E_TRUNCATED);
    assert_int_equal(with_field(d + P_OFFSET, 8, UINT64_MAX - 3), ELF_E_BADPHDR);
    unsigned char *c = dup_n(hello.p, hello.n);
    put(c, d + P_FILESZ, 8, hello.n);
    put(c, d + P_MEMSZ, 8, hello.n);
    assert_int_equal(parse(c, hello.n), ELF_E_TRUNCATED);
    put(c, d + P_FILESZ, 8, UINT64_MAX);
    put(c, d + P_MEMSZ, 8, UINT64_MAX);
    assert_int_equal(parse(c, hello.n), ELF_E_BADPHDR); // offset + filesz wraps
    put(c, t + P_FILESZ, 8, UINT64_MAX);                // text offset is 0: no wrap
    put(c, t + P_MEMSZ, 8, UINT64_MAX);
    assert_int_equal(parse(c, hello.n), ELF_E_TRUNCATED);
    free(c);
}

static void test_alignment(void **state)
{
    (void)state;
    size_t t = text(hello.p), d = data(hello.p);
    uint64_t dv = get(hello.p, d + P_VADDR, 8), doff = get(hello.p, d + P_OFFSET, 8);
    assert_int_equal(with_field(t + P_VADDR, 8, USER_VA_MIN + 2), ELF_E_ALIGN);
    assert_int_equal(with_field(d + P_VADDR, 8, dv + 1), ELF_E_ALIGN);
    assert_int_equal(with_field(d + P_OFFSET, 8, doff - 8), ELF_E_ALIGN);
    assert_int_equal(with_field(d + P_VADDR, 8, dv + 16 * PAGE), ELF_OK); // still congruent
    unsigned char *c = dup_n(hello.p, hello.n);
    put(c, d + P_VADDR, 8, dv - 8);
    put(c, d + P_OFFSET, 8, doff - 8);
    assert_int_equal(parse(c, hello.n), ELF_OK);
    free(c);
}

// Move the data segment to `page` (keeping its in-page offset) and resize it.
static int data_at(uint64_t page, uint64_t memsz)
{
    unsigned char *c = dup_n(hello.p, hello.n);
    size_t d = data(c);
    put(c, d + P_VADDR, 8, page + get(c, d + P_VADDR, 8) % PAGE);
    if (memsz)
        put(c, d + P_MEMSZ, 8, memsz);
    int r = parse(c, hello.n);
    free(c);
    return r;
}

static void test_range(void **state)
{
    (void)state;
    size_t t = text(hello.p), d = data(hello.p);
    uint64_t in = get(hello.p, d + P_VADDR, 8) % PAGE; // data's in-page offset
    uint64_t dfile = get(hello.p, d + P_FILESZ, 8);
    assert_int_equal(with_field(t + P_VADDR, 8, 0), ELF_E_RANGE);
    assert_int_equal(with_field(t + P_VADDR, 8, USER_VA_MIN - PAGE), ELF_E_RANGE);
    assert_int_equal(data_at(USER_VA_LIMIT, 0), ELF_E_RANGE);
    assert_int_equal(data_at(USER_VA_LIMIT + 0x100000, 0), ELF_E_RANGE);
    assert_int_equal(data_at(0xffffffc000000000ULL, 0), ELF_E_RANGE); // kernel half
    // The last user page: ending exactly at the limit is fine, one byte more is not.
    assert_true(PAGE - in >= dfile);
    assert_int_equal(data_at(USER_VA_LIMIT - PAGE, PAGE - in), ELF_OK);
    assert_int_equal(data_at(USER_VA_LIMIT - PAGE, PAGE - in + 1), ELF_E_RANGE);
    // vaddr + memsz wraps around 2^64: a naive "end <= limit" check passes.
    assert_int_equal(data_at(USER_VA_LIMIT - PAGE, UINT64_MAX), ELF_E_RANGE);
    assert_int_equal(data_at(USER_VA_LIMIT - PAGE, UINT64_MAX - (USER_VA_LIMIT - PAGE + in) + 1),
                     ELF_E_RANGE);
    assert_int_equal(data_at(0xfffffffffffff000ULL, 0x2000), ELF_E_RANGE);
}

static void test_overlap(void **state)
{
    (void)state;
    size_t t = text(hello.p);
    uint64_t tv = get(hello.p, t + P_VADDR, 8), tend = tv + get(hello.p, t + P_MEMSZ, 8);
    uint64_t last_text_page = (tend - 1) & ~(PAGE - 1);
    assert_int_equal(data_at(tv, 0), ELF_E_OVERLAP);
    assert_int_equal(data_at(last_text_page, 0), ELF_E_OVERLAP); // shares a page only
    assert_int_equal(data_at(last_text_page + PAGE, 0), ELF_OK);  // adjacent pages
    // A second, identical copy of the text segment.
    size_t attr = find_ph(hello.p, PT_RISCV_ATTRIBUTES, 0);
    unsigned char *c = dup_n(hello.p, hello.n);
    memcpy(c + attr, c + t, PHDR_SIZE);
    assert_int_equal(parse(c, hello.n), ELF_E_OVERLAP);
    free(c);
    // Moving text above data (and the entry with it) is fine; onto data's
    // last page is not.
    c = dup_n(hello.p, hello.n);
    size_t d = data(c);
    uint64_t dend = get(c, d + P_VADDR, 8) + get(c, d + P_MEMSZ, 8);
    uint64_t up = ((dend + PAGE - 1) & ~(PAGE - 1)) - tv;
    put(c, t + P_VADDR, 8, tv + up);
    put(c, E_ENTRY, 8, get(c, E_ENTRY, 8) + up);
    assert_int_equal(parse(c, hello.n), ELF_OK);
    put(c, t + P_VADDR, 8, tv + up - PAGE);
    put(c, E_ENTRY, 8, get(c, E_ENTRY, 8) - PAGE);
    assert_int_equal(parse(c, hello.n), ELF_E_OVERLAP);
    free(c);
}

static void test_flags(void **state)
{
    (void)state;
    size_t t = text(hello.p), d = data(hello.p);
    assert_int_equal(with_field(t + P_FLAGS, 4, PF_R | PF_W | PF_X), ELF_E_WX);
    assert_int_equal(with_field(t + P_FLAGS, 4, PF_W | PF_X), ELF_E_WX);
    assert_int_equal(with_field(d + P_FLAGS, 4, PF_R | PF_W | PF_X), ELF_E_WX);
    assert_int_equal(with_field(d + P_FLAGS, 4, PF_R | PF_X), ELF_OK);
    assert_int_equal(with_field(t + P_FLAGS, 4, PF_R), ELF_E_ENTRY); // nothing executable
    assert_int_equal(with_field(t + P_FLAGS, 4, PF_X), ELF_OK);      // execute-only
    struct elf_image img;
    unsigned char *c = dup_n(hello.p, hello.n);
    put(c, t + P_FLAGS, 4, 0xfff00000u | PF_R | PF_X); // OS/processor-specific bits
    assert_int_equal(parse_img(c, hello.n, &img), ELF_OK);
    assert_int_equal(img.seg[0].flags, NX_PROT_READ | NX_PROT_EXEC);
    free(c);
}

static void test_entry(void **state)
{
    (void)state;
    size_t t = text(hello.p), d = data(hello.p);
    uint64_t tv = get(hello.p, t + P_VADDR, 8), tend = tv + get(hello.p, t + P_MEMSZ, 8);
    uint64_t dv = get(hello.p, d + P_VADDR, 8), entry = get(hello.p, E_ENTRY, 8);
    assert_int_equal(with_field(E_ENTRY, 8, 0), ELF_E_ENTRY);
    assert_int_equal(with_field(E_ENTRY, 8, tv), ELF_OK);
    assert_int_equal(with_field(E_ENTRY, 8, (tend - 1) & ~1ULL), ELF_OK);
    assert_int_equal(with_field(E_ENTRY, 8, tend), ELF_E_ENTRY);
    assert_int_equal(with_field(E_ENTRY, 8, tend + 1), ELF_E_ENTRY);
    assert_int_equal(with_field(E_ENTRY, 8, tv - 2), ELF_E_ENTRY);
    assert_int_equal(with_field(E_ENTRY, 8, entry + 1), ELF_E_ENTRY); // misaligned
    assert_int_equal(with_field(E_ENTRY, 8, dv), ELF_E_ENTRY);        // data, not exec
    assert_int_equal(with_field(E_ENTRY, 8, UINT64_MAX - 1), ELF_E_ENTRY);
    // With an even segment end, the (aligned) end itself is one past the segment.
    unsigned char *c = dup_n(hello.p, hello.n);
    uint64_t even = (get(c, t + P_MEMSZ, 8) + 1) & ~1ULL;
    put(c, t + P_MEMSZ, 8, even);
    put(c, E_ENTRY, 8, tv + even);
    assert_int_equal(parse(c, hello.n), ELF_E_ENTRY);
    put(c, E_ENTRY, 8, tv + even - 2);
    assert_int_equal(parse(c, hello.n), ELF_OK);
    free(c);
}

// Append a fresh program header table with `loads` PT_LOADs (copies of text,
// each 1 MiB higher) followed by `others` PT_NOTEs, at an odd file offset.
static int with_table(unsigned loads, unsigned others, struct elf_image *img)
{
    unsigned n = loads + others;
    size_t at = (hello.n + 1) | 1, len = at + (size_t)n * PHDR_SIZE;
    unsigned char *c = calloc(1, len);
    memcpy(c, hello.p, hello.n);
    size_t t = text(c);
    for (unsigned i = 0; i < n; i++) {
        size_t o = at + (size_t)i * PHDR_SIZE;
        memcpy(c + o, hello.p + t, PHDR_SIZE);
        if (i < loads)
            put(c, o + P_VADDR, 8, get(c, o + P_VADDR, 8) + i * 0x100000ULL);
        else
            put(c, o + P_TYPE, 4, PT_NOTE);
    }
    put(c, E_PHOFF, 8, at);
    put(c, E_PHNUM, 2, n);
    int r = parse_img(c, len, img);
    free(c);
    return r;
}

static void test_too_many(void **state)
{
    (void)state;
    struct elf_image img;
    assert_int_equal(with_table(1, 0, &img), ELF_OK);
    assert_int_equal(img.nsegs, 1);
    assert_int_equal(with_table(ELF_MAX_SEGMENTS, 0, &img), ELF_OK);
    assert_int_equal(img.nsegs, ELF_MAX_SEGMENTS);
    assert_int_equal(img.seg[7].vaddr, USER_VA_MIN + 7 * 0x100000ULL);
    assert_int_equal(with_table(ELF_MAX_SEGMENTS, 20, &img), ELF_OK); // others don't count
    assert_int_equal(with_table(ELF_MAX_SEGMENTS + 1, 0, &img), ELF_E_TOOMANY);
    assert_int_equal(with_table(100, 0, &img), ELF_E_TOOMANY);
    assert_int_equal(with_table(0, 3, &img), ELF_E_NOSEG);
}

static void test_strerror(void **state)
{
    (void)state;
    for (int a = ELF_E_NOSEG; a <= ELF_OK; a++) {
        assert_non_null(elf_strerror(a));
        assert_string_not_equal(elf_strerror(a), elf_strerror(INT_MIN));
        for (int b = ELF_E_NOSEG; b < a; b++)
            assert_string_not_equal(elf_strerror(a), elf_strerror(b));
    }
    assert_string_equal(elf_strerror(1), elf_strerror(ELF_E_NOSEG - 1));
}

// ---- random mutations ------------------------------------------------------------

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void) // xorshift64*: deterministic, good enough to pick bytes
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static const uint64_t interesting[] = {0, 1, 2, 0xfff, 0x1000, 0x10000, USER_VA_LIMIT - 1,
                                       USER_VA_LIMIT, 0x7fffffffffffffffULL, UINT64_MAX,
                                       UINT64_MAX - 0xfff};

// Mostly hit the ELF and program headers (hdrs bytes), where the checks are;
// sometimes anywhere in the file.
static void mutate(unsigned char *c, size_t n, size_t hdrs)
{
    hdrs = hdrs < n ? hdrs : n;
    for (uint64_t k = 1 + rnd() % 4; k > 0; k--) {
        uint64_t how = rnd() % 8;
        size_t where = (size_t)(rnd() % (how == 0 ? n : hdrs));
        if (how < 5) {
            c[where] ^= (unsigned char)(1u << (rnd() % 8));
        } else if (how < 7) {
            c[where] = (unsigned char)rnd();
        } else if (where + 8 <= n) { // a whole field set to an edge value
            put(c, where & ~(size_t)7, 8, interesting[rnd() % (sizeof(interesting) / 8)]);
        }
    }
}

static void test_random_mutations(void **state)
{
    (void)state;
    const struct blob *in[] = {&hello, &rwx, &low};
    int seen[14] = {0};
    for (int i = 0; i < 30000; i++) {
        const struct blob *b = in[i % 3];
        size_t n = rnd() % 4 == 0 ? (size_t)(rnd() % (b->n + 1)) : b->n;
        unsigned char *c = dup_n(b->p, b->n);
        if (n > 0)
            mutate(c, n, (size_t)phoff(b->p) + phnum(b->p) * PHDR_SIZE);
        int r = parse(c, n); // asserts the invariants
        seen[-r]++;
        free(c);
    }
    assert_true(seen[0] > 0);
    for (int e = 0; e < 14; e++)
        print_message("  result %-3d %-45s %d\n", -e, elf_strerror(-e), seen[e]);
}

int main(void)
{
    hello = load(DATA_DIR "hello.elf");
    low = load(DATA_DIR "low.elf");
    rwx = load(DATA_DIR "rwx.elf");
    host = load("/proc/self/exe"); // an x86-64 (or other host) ELF
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_ok),
        cmocka_unit_test(test_unaligned_buffer),
        cmocka_unit_test(test_real_bad_files),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_ident),
        cmocka_unit_test(test_machine_and_type),
        cmocka_unit_test(test_phdr_table),
        cmocka_unit_test(test_segment_types),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_entry),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_random_mutations),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    free(hello.p);
    free(low.p);
    free(rwx.p);
    free(host.p);
    return failed;
}

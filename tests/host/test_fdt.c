// Host tests for kernel/lib/fdt.c: QEMU's real DTB, hand-written trees compiled by dtc
// (build/test-data, see fdt.mk; run from the repo root), and hostile blobs built byte by
// byte below. Every blob lives in a heap buffer of exactly its size so ASan catches
// any read past the end.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/fdt.h"

#define DATA "build/test-data/"

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint8_t *dup_exact(const uint8_t *b, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, b, n);
    return c;
}

// Load a dtb, keeping only its totalsize bytes (QEMU pads its dump to 1 MiB).
static uint8_t *load(const char *path, size_t *len)
{
    uint8_t hdr[8], *b;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("%s missing: build it with `make %s` first", path, path);
    assert_int_equal(fread(hdr, 1, 8, f), 8);
    *len = get32(hdr + 4);
    b = malloc(*len);
    assert_non_null(b);
    rewind(f);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    return b;
}

static int parse_file(const char *path, struct fdt_info *info)
{
    size_t n;
    uint8_t *b = load(path, &n);
    int r = fdt_parse(b, n, info);
    free(b);
    return r;
}

static int parse_copy(const uint8_t *b, size_t n, size_t avail)
{
    struct fdt_info info;
    uint8_t *c = dup_exact(b, n);
    int r = fdt_parse(c, avail, &info);
    free(c);
    return r;
}

static int is_error(int r)
{
    return r <= FDT_E_TRUNCATED && r >= FDT_E_TOODEEP;
}

// ---- A tiny DTB writer, for blobs dtc refuses to produce.

struct fb {
    uint8_t st[4096]; uint32_t nst;  // structure block
    char str[512]; uint32_t nstr;    // strings block (no de-duplication)
    uint64_t rsv[16][2]; uint32_t nrsv; // memory reservation map entries
};

static void tok(struct fb *b, uint32_t v)
{
    put32(b->st + b->nst, v);
    b->nst += 4;
}

static void padded(struct fb *b, const void *p, uint32_t n)
{
    memcpy(b->st + b->nst, p, n);
    b->nst += n;
    while (b->nst % 4)
        b->st[b->nst++] = 0;
}

static void begin(struct fb *b, const char *name)
{
    tok(b, 1);
    padded(b, name, (uint32_t)strlen(name) + 1);
}

static void end(struct fb *b) { tok(b, 2); }

static void prop_raw(struct fb *b, uint32_t nameoff, const void *v, uint32_t len)
{
    tok(b, 3);
    tok(b, len);
    tok(b, nameoff);
    padded(b, v, len);
}

static void prop(struct fb *b, const char *name, const void *v, uint32_t len)
{
    uint32_t off = b->nstr;
    memcpy(b->str + off, name, strlen(name) + 1);
    b->nstr += (uint32_t)strlen(name) + 1;
    prop_raw(b, off, v, len);
}

static void prop_u32(struct fb *b, const char *name, uint32_t v)
{
    uint8_t c[4];
    put32(c, v);
    prop(b, name, c, 4);
}

static void prop_str(struct fb *b, const char *name, const char *s)
{
    prop(b, name, s, (uint32_t)strlen(s) + 1);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}

// Header (v17, 40 bytes) | memory reservation map | structure | strings.
static uint8_t *fb_blob(const struct fb *b, size_t *len)
{
    uint32_t off_st = 56 + 16 * b->nrsv, off_str = off_st + b->nst, total = off_str + b->nstr;
    uint8_t *o = calloc(1, total);
    assert_non_null(o);
    put32(o, 0xd00dfeed);
    put32(o + 4, total);
    put32(o + 8, off_st);
    put32(o + 12, off_str);
    put32(o + 16, 40);
    put32(o + 20, 17);
    put32(o + 24, 16);
    put32(o + 32, b->nstr);
    put32(o + 36, b->nst);
    for (uint32_t k = 0; k < b->nrsv; k++) {
        put64(o + 40 + 16 * k, b->rsv[k][0]);
        put64(o + 48 + 16 * k, b->rsv[k][1] ? b->rsv[k][1] : 1);  // never a (0,0) early
    }
    memcpy(o + off_st, b->st, b->nst);
    memcpy(o + off_str, b->str, b->nstr);
    *len = total;
    return o;
}

static int fb_parse_info(const struct fb *b, struct fdt_info *info)
{
    size_t n;
    uint8_t *o = fb_blob(b, &n);
    int r = fdt_parse(o, n, info);
    free(o);
    return r;
}

static int fb_parse(const struct fb *b)
{
    struct fdt_info info;
    return fb_parse_info(b, &info);
}

// Root with 2/2 cells, left open for the test to add nodes.
static void root_open(struct fb *b)
{
    memset(b, 0, sizeof *b);
    begin(b, "");
    prop_u32(b, "#address-cells", 2);
    prop_u32(b, "#size-cells", 2);
}

static void mem_node(struct fb *b)
{
    static const uint8_t reg[16] = { 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0 };
    begin(b, "memory@80000000");
    prop_str(b, "device_type", "memory");
    prop(b, "reg", reg, sizeof reg);
    end(b);
}

static void root_close(struct fb *b)
{
    end(b);
    tok(b, 9);
}

// Root + memory: the smallest tree fdt_parse accepts.
static void minimal(struct fb *b)
{
    root_open(b);
    mem_node(b);
    root_close(b);
}

// ---- Good trees

static void test_virt_dtb(void **state)
{
    struct fdt_info i;
    (void)state;
    assert_int_equal(parse_file(DATA "virt.dtb", &i), FDT_OK);
    assert_true(i.mem.base == 0x80000000 && i.mem.size == 256u << 20);
    assert_int_equal(i.timebase_hz, 10000000);
    assert_int_equal(i.nharts, 2);
    assert_int_equal(i.nharts_listed, 2);
    assert_int_equal(i.hart_ids[0], 0);
    assert_int_equal(i.hart_ids[1], 1);
    assert_memory_equal(i.isa, "rv64", 4);
    assert_true(i.uart.base == 0x10000000 && i.uart.size == 0x100);
    assert_int_equal(i.uart_irq, 10);
    assert_int_equal(i.uart_reg_shift, 0);  // absent: byte registers one apart
    assert_int_equal(i.uart_io_width, 1);
    assert_true(i.rtc.base == 0x101000 && i.rtc.size == 0x1000);
    assert_int_equal(i.rtc_irq, 11);
    assert_true(i.plic.base == 0x0c000000 && i.plic.size > 0);
    assert_true(i.plic_ndev >= 53);
    assert_int_equal(i.nvirtio, 8);
    for (uint32_t k = 0; k < 8; k++) {
        assert_int_equal(i.virtio[k].base, 0x10001000 + k * 0x1000);
        assert_int_equal(i.virtio[k].size, 0x1000);
        assert_int_equal(i.virtio_irq[k], k + 1);
    }
    assert_int_equal(i.initrd.size, 0);
    assert_string_equal(i.bootargs, "");
    assert_int_equal(i.nreserved, 0);
}

// The blob is handed over at whatever address firmware chose.
static void test_virt_unaligned(void **state)
{
    struct fdt_info a, b;
    size_t n;
    uint8_t *blob = load(DATA "virt.dtb", &n), *odd = malloc(n + 1);
    (void)state;
    memcpy(odd + 1, blob, n);
    assert_int_equal(fdt_parse(blob, n, &a), FDT_OK);
    assert_int_equal(fdt_parse(odd + 1, n, &b), FDT_OK);
    assert_memory_equal(&a, &b, sizeof a);
    free(odd);
    free(blob);
}

static void test_chosen_dts(void **state)
{
    static const struct fdt_range resv[3] = {
        { 0x80000000, 0x80000 }, { 0x80040000, 0x20000 }, { 0x80060000, 0x10000 } };
    static const uint32_t slots[8] = { 1, 2, 3, 5, 6, 7, 8, 9 };  // 4 disabled, 0xa/0xb cut
    struct fdt_info i;
    (void)state;
    assert_int_equal(parse_file(DATA "fdt_chosen.dtb", &i), FDT_OK);
    assert_true(i.mem.base == 0x80000000 && i.mem.size == 0x8000000);  // first memory node
    assert_int_equal(i.timebase_hz, 0x100000000ull);
    assert_int_equal(i.nharts, 2);  // cpu@0 disabled
    assert_int_equal(i.hart_ids[0], 1);
    assert_int_equal(i.hart_ids[1], 2);
    assert_int_equal(strlen(i.isa), 63);
    assert_memory_equal(i.isa, "rv64imafdc_zicsr_zifencei_", 26);
    assert_true(i.uart.base == 0x10000000 && i.uart.size == 0x100);  // 1/1 cells in soc
    assert_int_equal(i.uart_irq, 33);
    assert_true(i.plic.base == 0xc000000 && i.plic.size == 0x4000000);
    assert_int_equal(i.plic_ndev, 53);
    assert_int_equal(i.nvirtio, 8);
    for (int k = 0; k < 8; k++) {
        assert_int_equal(i.virtio[k].base, 0x10000000 + slots[k] * 0x1000);
        assert_int_equal(i.virtio_irq[k], slots[k]);
    }
    assert_true(i.initrd.base == 0x84000000 && i.initrd.size == 0x200000);
    assert_string_equal(i.bootargs, "console=ttyS0 root=/dev/vda");
    assert_int_equal(i.nreserved, 3);
    assert_memory_equal(i.reserved, resv, sizeof resv);
}

static void test_initrd32_dts(void **state)
{
    struct fdt_info i;
    (void)state;
    assert_int_equal(parse_file(DATA "fdt_initrd32.dtb", &i), FDT_OK);
    assert_true(i.mem.base == 0x80000000 && i.mem.size == 0x20000000);  // default 2/1 cells
    assert_true(i.initrd.base == 0x88000000 && i.initrd.size == 0x100000);
    assert_int_equal(i.timebase_hz, 1000000);
    assert_int_equal(i.nharts, 1);
    assert_string_equal(i.isa, "");
    assert_int_equal(i.uart.size, 0);
    assert_int_equal(i.rtc.size, 0);  // absent
    assert_int_equal(i.rtc_irq, 0);
    assert_int_equal(i.nvirtio, 0);
}

// Header v16 has no size_dt_struct; the structure block then runs to totalsize.
static void test_version16(void **state)
{
    struct fb b;
    size_t n;
    uint8_t *o;
    (void)state;
    minimal(&b);
    o = fb_blob(&b, &n);
    put32(o + 20, 16);
    put32(o + 36, 0xdeadbeef);
    assert_int_equal(parse_copy(o, n, n), FDT_OK);
    free(o);
}

// ---- Rejections

static void test_nomem_dts(void **state)
{
    struct fdt_info i;
    (void)state;
    assert_int_equal(parse_file(DATA "fdt_nomem.dtb", &i), FDT_E_NOMEM_NODE);
}

static void test_longargs_dts(void **state)
{
    struct fdt_info i;
    (void)state;
    assert_int_equal(parse_file(DATA "fdt_longargs.dtb", &i), FDT_E_BADVALUE);
}

static void chosen_args(struct fb *b, const char *args, uint32_t len)
{
    root_open(b);
    begin(b, "chosen");
    prop(b, "bootargs", args, len);
    end(b);
    mem_node(b);
    root_close(b);
}

static void test_bootargs_bounds(void **state)
{
    char args[FDT_BOOTARGS_MAX + 1];
    struct fdt_info i;
    struct fb b;
    (void)state;
    memset(args, 'a', sizeof args);
    args[FDT_BOOTARGS_MAX - 1] = '\0';  // 255 characters: fits
    chosen_args(&b, args, FDT_BOOTARGS_MAX);
    assert_int_equal(fb_parse_info(&b, &i), FDT_OK);
    assert_int_equal(strlen(i.bootargs), FDT_BOOTARGS_MAX - 1);
    args[FDT_BOOTARGS_MAX - 1] = 'a';  // 256 characters: would not fit
    args[FDT_BOOTARGS_MAX] = '\0';
    chosen_args(&b, args, FDT_BOOTARGS_MAX + 1);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
    chosen_args(&b, "abc", 3);  // no terminating NUL
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
}

// Too little data available: the header promises more than the caller has.
static void test_truncated_avail(void **state)
{
    size_t n;
    uint8_t *blob = load(DATA "virt.dtb", &n);
    (void)state;
    for (size_t len = 0; len < n; len++)
        assert_true(is_error(parse_copy(blob, len, len)));
    free(blob);
}

// A blob cut short whose header was patched to agree: the blocks now overrun it.
static void test_truncated_totalsize(void **state)
{
    size_t n;
    uint8_t *blob = load(DATA "virt.dtb", &n);
    (void)state;
    for (size_t len = 8; len < n; len++) {
        put32(blob + 4, (uint32_t)len);
        assert_true(is_error(parse_copy(blob, len, len)));
    }
    free(blob);
}

static void test_bad_magic(void **state)
{
    size_t n;
    uint8_t *blob = load(DATA "virt.dtb", &n);
    (void)state;
    blob[3] ^= 1;
    assert_int_equal(parse_copy(blob, n, n), FDT_E_BADMAGIC);
    free(blob);
}

static void test_bad_version(void **state)
{
    size_t n;
    uint8_t *blob = load(DATA "virt.dtb", &n);
    (void)state;
    put32(blob + 20, 15);
    assert_int_equal(parse_copy(blob, n, n), FDT_E_BADVERSION);
    put32(blob + 20, 17);
    put32(blob + 24, 18);  // last_comp_version: needs a reader newer than us
    assert_int_equal(parse_copy(blob, n, n), FDT_E_BADVERSION);
    free(blob);
}

// Patch header field `off` of the minimal blob and parse.
static int patched_header(uint32_t off, uint32_t v)
{
    struct fb b;
    size_t n;
    uint8_t *o;
    int r;
    minimal(&b);
    o = fb_blob(&b, &n);
    put32(o + off, v);
    r = parse_copy(o, n, n);
    free(o);
    return r;
}

static void test_bad_layout(void **state)
{
    (void)state;
    assert_int_equal(patched_header(4, 20), FDT_E_BADSTRUCT);           // totalsize < header
    assert_int_equal(patched_header(8, 58), FDT_E_BADSTRUCT);           // struct misaligned
    assert_int_equal(patched_header(8, 0xfffffffc), FDT_E_BADSTRUCT);   // struct offset past end
    assert_int_equal(patched_header(36, 0x10000), FDT_E_BADSTRUCT);     // struct size past end
    assert_int_equal(patched_header(12, 0xffffff00), FDT_E_BADSTRUCT);  // strings offset past end
    assert_int_equal(patched_header(32, 0xffffffff), FDT_E_BADSTRUCT);  // strings size past end
    assert_int_equal(patched_header(16, 44), FDT_E_BADSTRUCT);          // rsvmap misaligned
    assert_int_equal(patched_header(16, 0x7ffffff8), FDT_E_BADSTRUCT);  // rsvmap past end
}

static void test_rsvmap(void **state)
{
    struct fb b;
    struct fdt_info i;
    size_t n;
    uint8_t *o;
    (void)state;
    minimal(&b);
    b.rsv[0][0] = 0x80000000;
    b.rsv[0][1] = 0x40000;
    b.nrsv = 1;
    assert_int_equal(fb_parse_info(&b, &i), FDT_OK);
    assert_int_equal(i.nreserved, 1);
    assert_true(i.reserved[0].base == 0x80000000 && i.reserved[0].size == 0x40000);
    b.nrsv = FDT_MAX_RESERVED + 1;
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
    b.nrsv = 0;
    o = fb_blob(&b, &n);
    put32(o + 16, (uint32_t)(n - 8) & ~7u);  // no room left for the (0,0) terminator
    assert_int_equal(parse_copy(o, n, n), FDT_E_TRUNCATED);
    free(o);
}

static void test_string_offset(void **state)
{
    struct fb b;
    size_t n;
    uint8_t *o;
    uint32_t at;
    (void)state;
    root_open(&b);
    at = b.nst + 8;
    prop_raw(&b, 0, "", 0);
    mem_node(&b);
    root_close(&b);
    put32(b.st + at, b.nstr);  // name offset one past the final strings block
    assert_int_equal(fb_parse(&b), FDT_E_BADSTRING);
    root_open(&b);
    prop_raw(&b, 0xffffffff, "", 0);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADSTRING);
    // Shrink the strings block by one: the last name loses its NUL.
    minimal(&b);
    o = fb_blob(&b, &n);
    put32(o + 32, b.nstr - 1);
    assert_int_equal(parse_copy(o, n, n), FDT_E_BADSTRING);
    free(o);
}

static void test_unterminated_name(void **state)
{
    struct fb b;
    (void)state;
    memset(&b, 0, sizeof b);
    tok(&b, 1);
    memcpy(b.st + b.nst, "abcd", 4);  // node name without NUL, then the block ends
    b.nst += 4;
    assert_int_equal(fb_parse(&b), FDT_E_BADSTRUCT);
}

static void test_prop_past_end(void **state)
{
    static const uint32_t lens[] = { 0x1000, 0xfffffffd, 0xffffffff };
    struct fb b;
    (void)state;
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        root_open(&b);
        tok(&b, 3);
        tok(&b, lens[k]);
        tok(&b, 0);
        mem_node(&b);
        root_close(&b);
        assert_int_equal(fb_parse(&b), FDT_E_BADSTRUCT);
    }
}

static void nest(struct fb *b, int depth)
{
    root_open(b);
    mem_node(b);
    for (int d = 1; d < depth; d++)
        begin(b, "n");
    for (int d = 1; d < depth; d++)
        end(b);
    root_close(b);
}

static void test_deep_nesting(void **state)
{
    struct fb b;
    (void)state;
    nest(&b, FDT_MAX_DEPTH);
    assert_int_equal(fb_parse(&b), FDT_OK);
    nest(&b, FDT_MAX_DEPTH + 1);
    assert_int_equal(fb_parse(&b), FDT_E_TOODEEP);
    nest(&b, 200);
    assert_int_equal(fb_parse(&b), FDT_E_TOODEEP);
}

static void test_unbalanced(void **state)
{
    struct fb b;
    (void)state;
    root_open(&b);  // FDT_END with the root still open
    mem_node(&b);
    tok(&b, 9);
    assert_int_equal(fb_parse(&b), FDT_E_BADSTRUCT);
    minimal(&b);  // one END_NODE too many
    b.nst -= 4;
    end(&b);
    tok(&b, 9);
    assert_int_equal(fb_parse(&b), FDT_E_BADSTRUCT);
    minimal(&b);  // a second root
    b.nst -= 4;
    begin(&b, "");
    end(&b);
    tok(&b, 9);
    assert_int_equal(fb_parse(&b), FDT_E_BADSTRUCT);
    minimal(&b);  // no FDT_END: runs off the block
    b.nst -= 4;
    assert_int_equal(fb_parse(&b), FDT_E_TRUNCATED);
}

static void test_bad_tokens(void **state)
{
    struct fb b;
    (void)state;
    root_open(&b);  // property after a child node
    mem_node(&b);
    prop_u32(&b, "x", 1);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADSTRUCT);
    memset(&b, 0, sizeof b);  // property before any node
    prop_u32(&b, "x", 1);
    begin(&b, "");
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADSTRUCT);
    root_open(&b);  // unknown token
    tok(&b, 5);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADSTRUCT);
    root_open(&b);  // NOPs are fine anywhere
    tok(&b, 4);
    mem_node(&b);
    tok(&b, 4);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_OK);
}

static void test_bad_values(void **state)
{
    static const uint8_t reg12[12] = { 0 };
    struct fb b;
    (void)state;
    root_open(&b);  // reg not a whole number of (2+2)-cell entries
    begin(&b, "memory@0");
    prop(&b, "reg", reg12, sizeof reg12);
    end(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
    memset(&b, 0, sizeof b);  // 3 address cells do not fit in 64 bits
    begin(&b, "");
    prop_u32(&b, "#address-cells", 3);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
    memset(&b, 0, sizeof b);  // #size-cells must be one cell
    begin(&b, "");
    prop(&b, "#size-cells", "ab", 2);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
    root_open(&b);  // initrd ends before it starts
    begin(&b, "chosen");
    prop_u32(&b, "linux,initrd-start", 0x2000);
    prop_u32(&b, "linux,initrd-end", 0x1000);
    end(&b);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
    root_open(&b);  // initrd bound neither u32 nor u64
    begin(&b, "chosen");
    prop_u32(&b, "linux,initrd-start", 0x1000);
    prop(&b, "linux,initrd-end", "abc", 3);
    end(&b);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
    root_open(&b);  // timebase neither u32 nor u64
    begin(&b, "cpus");
    prop(&b, "timebase-frequency", "abc", 3);
    end(&b);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
}

// An RTC node under the root (2/2 cells): compatible list, reg of reg_len bytes, status.
static void rtc_node(struct fb *b, const char *name, const char *compat, uint32_t compat_len,
                     uint64_t base, uint32_t reg_len, const char *status)
{
    uint8_t reg[24] = { 0 };  // reg_len up to 24: a whole entry and a half
    put64(reg, base);
    put64(reg + 8, 0x1000);
    begin(b, name);
    prop(b, "compatible", compat, compat_len);
    if (reg_len)
        prop(b, "reg", reg, reg_len);
    prop_u32(b, "interrupts", 11);
    if (status)
        prop_str(b, "status", status);
    end(b);
}

static const char goldfish[] = "google,goldfish-rtc";

// A serial port's register layout: reg-shift and reg-io-width as given, a malformed one refused.
static void uart_node(struct fb *b, const void *shift, uint32_t shift_len, uint32_t width)
{
    static const char ns16550a[] = "ns16550a";
    static const uint8_t reg[16] = { 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
    begin(b, "serial@10000000");
    prop(b, "compatible", ns16550a, sizeof ns16550a);
    prop(b, "reg", reg, sizeof reg);
    prop_u32(b, "interrupts", 10);
    if (shift)
        prop(b, "reg-shift", shift, shift_len);
    if (width)
        prop_u32(b, "reg-io-width", width);
    end(b);
}

static void test_uart_layout(void **state)
{
    static const uint8_t two[4] = { 0, 0, 0, 2 };
    struct fdt_info i;
    struct fb b;
    (void)state;
    root_open(&b);
    uart_node(&b, two, 4, 4);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse_info(&b, &i), FDT_OK);
    assert_true(i.uart.base == 0x10000000 && i.uart.size == 0x100);
    assert_int_equal(i.uart_reg_shift, 2);
    assert_int_equal(i.uart_io_width, 4);

    root_open(&b);  // a reg-shift shorter than a cell
    uart_node(&b, "ab", 2, 0);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
}

static void test_rtc(void **state)
{
    static const char listed[] = "vendor,rtc\0google,goldfish-rtc";  // not the first string
    struct fdt_info i;
    struct fb b;
    (void)state;
    root_open(&b);  // the first enabled node counts; a disabled one before it does not
    rtc_node(&b, "rtc@100000", goldfish, sizeof goldfish, 0x100000, 16, "disabled");
    rtc_node(&b, "rtc@101000", listed, sizeof listed, 0x101000, 16, "okay");
    rtc_node(&b, "rtc@102000", goldfish, sizeof goldfish, 0x102000, 16, NULL);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse_info(&b, &i), FDT_OK);
    assert_true(i.rtc.base == 0x101000 && i.rtc.size == 0x1000);
    assert_int_equal(i.rtc_irq, 11);

    root_open(&b);  // another device's compatible, or a prefix of this one: no RTC
    rtc_node(&b, "rtc@101000", "google,goldfish-rt", 19, 0x101000, 16, NULL);
    rtc_node(&b, "rtc@102000", "google,goldfish-rtc2", 21, 0x102000, 16, NULL);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse_info(&b, &i), FDT_OK);
    assert_int_equal(i.rtc.size, 0);

    static const uint32_t bad_reg[] = { 0, 12, 24 };  // none, not whole entries
    for (size_t k = 0; k < sizeof bad_reg / sizeof bad_reg[0]; k++) {
        root_open(&b);
        rtc_node(&b, "rtc@101000", goldfish, sizeof goldfish, 0x101000, bad_reg[k], NULL);
        mem_node(&b);
        root_close(&b);
        assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
    }
    root_open(&b);  // interrupts shorter than a cell
    begin(&b, "rtc@101000");
    prop(&b, "compatible", goldfish, sizeof goldfish);
    prop(&b, "reg", (uint8_t[16]){ 0 }, 16);
    prop(&b, "interrupts", "ab", 2);
    end(&b);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
}

static void reserved_children(struct fb *b, int count)
{
    static const uint8_t reg[16] = { 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };
    root_open(b);
    begin(b, "reserved-memory");
    prop_u32(b, "#address-cells", 2);
    prop_u32(b, "#size-cells", 2);
    for (int k = 0; k < count; k++) {
        begin(b, "r");
        prop(b, "reg", reg, sizeof reg);
        end(b);
    }
    end(b);
    mem_node(b);
    root_close(b);
}

// More harts than we schedule: count stops at FDT_MAX_HARTS, the rest stay parked.
static void test_hart_cap(void **state)
{
    struct fdt_info i;
    struct fb b;
    (void)state;
    root_open(&b);
    begin(&b, "cpus");
    prop_u32(&b, "#address-cells", 1);
    prop_u32(&b, "#size-cells", 0);
    for (uint32_t k = 0; k < FDT_MAX_HARTS + 3; k++) {
        begin(&b, "cpu@0");
        prop_u32(&b, "reg", k);
        prop_str(&b, "riscv,isa", k == 0 ? "rv64gc" : "rv32i");
        end(&b);
    }
    begin(&b, "cpu-map");  // not a cpu
    end(&b);
    end(&b);
    mem_node(&b);
    root_close(&b);
    assert_int_equal(fb_parse_info(&b, &i), FDT_OK);
    assert_int_equal(i.nharts, FDT_MAX_HARTS);
    assert_int_equal(i.nharts_listed, FDT_MAX_HARTS + 3);
    for (uint32_t k = 0; k < FDT_MAX_HARTS; k++)
        assert_int_equal(i.hart_ids[k], k);
    assert_string_equal(i.isa, "rv64gc");
}

// A cpu without a hart id (reg), or with one wider than 32 bits, cannot be started.
static void test_cpu_without_id(void **state)
{
    static const uint8_t wide[8] = { 0, 0, 0, 1, 0, 0, 0, 0 };
    struct fb b;
    (void)state;
    for (int bad = 0; bad < 3; bad++) {
        root_open(&b);
        begin(&b, "cpus");
        prop_u32(&b, "#address-cells", bad == 2 ? 2 : 1);
        prop_u32(&b, "#size-cells", 0);
        begin(&b, "cpu@0");
        if (bad == 1)
            prop(&b, "reg", "ab", 2);
        if (bad == 2)
            prop(&b, "reg", wide, sizeof wide);
        end(&b);
        end(&b);
        mem_node(&b);
        root_close(&b);
        assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
    }
}

// Dropping a reservation would let the kernel allocate firmware memory: refuse instead.
static void test_too_many_reserved(void **state)
{
    struct fdt_info i;
    struct fb b;
    (void)state;
    reserved_children(&b, FDT_MAX_RESERVED);
    assert_int_equal(fb_parse_info(&b, &i), FDT_OK);
    assert_int_equal(i.nreserved, FDT_MAX_RESERVED);
    assert_int_equal(i.reserved[7].size, 0x10000);
    reserved_children(&b, FDT_MAX_RESERVED + 1);
    assert_int_equal(fb_parse(&b), FDT_E_BADVALUE);
}

// xorshift64: deterministic, so a failure reproduces.
static uint64_t rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void check_sane(const struct fdt_info *i)
{
    assert_true(i->nharts <= FDT_MAX_HARTS && i->nvirtio <= FDT_MAX_VIRTIO);
    assert_true(i->nreserved <= FDT_MAX_RESERVED);
    assert_non_null(memchr(i->isa, 0, sizeof i->isa));
    assert_non_null(memchr(i->bootargs, 0, sizeof i->bootargs));
    for (uint32_t k = 1; k < i->nvirtio; k++)
        assert_true(i->virtio[k - 1].base <= i->virtio[k].base);
}

// Random bit flips, and random words overwritten with token-ish values.
static void test_random_corruption(void **state)
{
    static const uint32_t words[] = { 0, 1, 2, 3, 4, 9, 8, 0x7fffffff, 0xffffffff, 0xfffffffc };
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    size_t n;
    uint8_t *blob = load(DATA "virt.dtb", &n);
    (void)state;
    for (int it = 0; it < 20000; it++) {
        uint8_t *c = dup_exact(blob, n);
        struct fdt_info i;
        int flips = 1 + (int)(rng(&seed) % 4), r;
        for (int k = 0; k < flips; k++) {
            size_t at = rng(&seed) % n;
            if (it % 2 == 0)
                c[at] ^= (uint8_t)(1u << (rng(&seed) % 8));
            else if (at + 4 <= n)
                put32(c + (at & ~(size_t)3), words[rng(&seed) % 10]);
        }
        r = fdt_parse(c, n, &i);
        assert_true(r == FDT_OK || is_error(r));
        if (r == FDT_OK)
            check_sane(&i);
        free(c);
    }
    free(blob);
}

static void test_strerror(void **state)
{
    (void)state;
    for (int e = FDT_E_TOODEEP; e <= FDT_OK; e++) {
        assert_non_null(fdt_strerror(e));
        for (int f = e + 1; f <= FDT_OK; f++)
            assert_string_not_equal(fdt_strerror(e), fdt_strerror(f));
    }
    assert_string_equal(fdt_strerror(-100), "unknown error");
}

static void test_totalsize(void **state)
{
    static const uint8_t hdr[8] = { 0xd0, 0x0d, 0xfe, 0xed, 0x00, 0x00, 0x11, 0xee };
    (void)state;
    assert_int_equal(fdt_totalsize(hdr), 0x11ee);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virt_dtb),
        cmocka_unit_test(test_virt_unaligned),
        cmocka_unit_test(test_chosen_dts),
        cmocka_unit_test(test_initrd32_dts),
        cmocka_unit_test(test_version16),
        cmocka_unit_test(test_nomem_dts),
        cmocka_unit_test(test_longargs_dts),
        cmocka_unit_test(test_bootargs_bounds),
        cmocka_unit_test(test_truncated_avail),
        cmocka_unit_test(test_truncated_totalsize),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_bad_layout),
        cmocka_unit_test(test_rsvmap),
        cmocka_unit_test(test_string_offset),
        cmocka_unit_test(test_unterminated_name),
        cmocka_unit_test(test_prop_past_end),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_unbalanced),
        cmocka_unit_test(test_bad_tokens),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_rtc),
        cmocka_unit_test(test_uart_layout),
        cmocka_unit_test(test_hart_cap),
        cmocka_unit_test(test_cpu_without_id),
        cmocka_unit_test(test_too_many_reserved),
        cmocka_unit_test(test_random_corruption),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_totalsize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

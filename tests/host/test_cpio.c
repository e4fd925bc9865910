// Host unit tests for kernel/lib/cpio.c.
//
// The main input is a real newc archive written by GNU cpio (see
// tests/host/cpio.mk); hand-made corner cases come from a tiny newc writer
// below. Every parse runs on an exactly-sized heap copy so ASan catches any
// read past the end.
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

#include "lib/cpio.h"

#define ARCHIVE "build/test-data/test.cpio"
#define HDR 110
#define F_MODE 1
#define F_FILESIZE 6
#define F_NAMESIZE 11

// What tests/host/data/mk_cpio_tree.sh put in the archive, in archive order.
// GNU cpio drops the "./" that `find .` prints (other writers keep it; the
// hand-made archives in test_synthetic cover that).
static const struct want {
    const char *name;
    uint32_t mode;
    const char *data;
    size_t size;
} want[] = {
    {".", 040755, "", 0},
    {"a", 0100644, "A", 1},
    {"ab", 0100644, "ab", 2},
    {"abc", 0100600, "abc", 3},
    {"abcd", 0100644, "abcd", 4},
    {"bin", 040755, "", 0},
    {"bin/init", 0100755, "\177ELF\0\1\2\3init\n", 13},
    {"empty", 0100644, "", 0},
    {"hello", 0100644, "hello, world\n", 13},
    {"link", 0120777, "hello", 5},
};
#define NWANT (sizeof(want) / sizeof(want[0]))

static unsigned char *arc;
static size_t arc_len;
static size_t entry_pos[NWANT + 1]; // offset of each entry; [NWANT] = the trailer
static size_t trailer_end;          // first byte after the trailer and its padding

// ---- helpers ----------------------------------------------------------------

static unsigned char *dup_n(const void *p, size_t n)
{
    unsigned char *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, p, n);
    return c;
}

// What callers rely on after CPIO_OK.
static void check_entry(const unsigned char *a, size_t len, size_t before, size_t after,
                        const struct cpio_entry *e)
{
    const char *base = (const char *)a;
    assert_true(after > before && after <= len && after % 4 == 0);
    assert_true(e->name >= base + before && e->name < base + after);
    assert_true(e->namelen > 0 && e->namelen < (size_t)(base + after - e->name));
    assert_int_equal(e->name[e->namelen], '\0');
    assert_int_equal(strlen(e->name), e->namelen);
    const char *d = e->data;
    assert_true(d > e->name && d <= base + after && e->size <= (size_t)(base + after - d));
}

// Iterate a whole archive; returns the final code (END or an error).
static int walk(const unsigned char *p, size_t len, size_t *count)
{
    unsigned char *c = dup_n(p, len);
    size_t pos = 0, n = 0;
    struct cpio_entry e;
    int r;
    for (;;) {
        size_t before = pos;
        r = cpio_next(c, len, &pos, &e);
        if (r != CPIO_OK) {
            assert_int_equal(pos, before); // END/errors leave pos alone
            break;
        }
        check_entry(c, len, before, pos, &e);
        n++;
    }
    assert_true(r == CPIO_END || (r >= CPIO_E_BADNAME && r <= CPIO_E_TRUNCATED));
    if (r == CPIO_END) { // and stays there
        size_t again = pos;
        assert_int_equal(cpio_next(c, len, &again, &e), CPIO_END);
        assert_int_equal(again, pos);
    }
    free(c);
    if (count)
        *count = n;
    return r;
}

// Lookup on an exact-size copy; on success check it is the named regular file.
static int find(const unsigned char *p, size_t len, const char *path, struct cpio_entry *out)
{
    unsigned char *c = dup_n(p, len);
    struct cpio_entry e;
    int r = cpio_find(c, len, path, &e);
    if (r == CPIO_OK) {
        assert_int_equal(e.mode & CPIO_S_IFMT, CPIO_S_IFREG);
        assert_true(e.name >= (const char *)c && e.name < (const char *)c + len);
        if (out) { // point back into the caller's buffer
            *out = e;
            out->name = (const char *)p + (e.name - (const char *)c);
            out->data = p + ((const unsigned char *)e.data - c);
        }
    }
    free(c);
    return r;
}

// Overwrite header field `field` of the entry at `pos` with 8 chars.
static void set_field(unsigned char *a, size_t pos, int field, const char *eight)
{
    memcpy(a + pos + 6 + field * 8, eight, 8);
}

static void set_field_u32(unsigned char *a, size_t pos, int field, uint32_t v)
{
    char buf[9];
    snprintf(buf, sizeof(buf), "%08X", v);
    set_field(a, pos, field, buf);
}

// ---- a minimal newc writer for hand-made archives ---------------------------

struct wbuf {
    unsigned char b[4096];
    size_t n;
};

static void w_bytes(struct wbuf *w, const void *p, size_t n)
{
    assert_true(n <= sizeof(w->b) - w->n);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void w_pad(struct wbuf *w)
{
    while (w->n % 4)
        w_bytes(w, "", 1);
}

// name/namelen are the raw name bytes written; namesize is the header field.
static void w_raw(struct wbuf *w, const char *magic, const char *name, size_t namelen,
                  uint32_t namesize, uint32_t mode, const char *data, size_t size)
{
    char h[HDR + 1];
    snprintf(h, sizeof(h), "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", magic,
             (unsigned)w->n, mode, 0u, 0u, 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u, namesize, 0u);
    w_bytes(w, h, HDR);
    w_bytes(w, name, namelen);
    w_pad(w);
    w_bytes(w, data, size);
    w_pad(w);
}

static void w_file(struct wbuf *w, const char *name, uint32_t mode, const char *data)
{
    size_t nl = strlen(name) + 1;
    w_raw(w, "070701", name, nl, (uint32_t)nl, mode, data, strlen(data));
}

static void w_trailer(struct wbuf *w)
{
    w_file(w, "TRAILER!!!", 0, "");
}

// ---- the real archive -----------------------------------------------------------

static void test_iterate_real(void **state)
{
    (void)state;
    size_t pos = 0;
    struct cpio_entry e;
    for (size_t i = 0; i < NWANT; i++) {
        size_t before = pos;
        assert_int_equal(cpio_next(arc, arc_len, &pos, &e), CPIO_OK);
        check_entry(arc, arc_len, before, pos, &e);
        assert_string_equal(e.name, want[i].name);
        assert_int_equal(e.namelen, strlen(want[i].name));
        assert_int_equal(e.mode, want[i].mode);
        assert_int_equal(e.size, want[i].size);
        assert_memory_equal(e.data, want[i].data, want[i].size);
    }
    struct cpio_entry untouched;
    memset(&untouched, 0x5a, sizeof(untouched));
    e = untouched;
    size_t at_trailer = pos;
    assert_int_equal(cpio_next(arc, arc_len, &pos, &e), CPIO_END);
    assert_int_equal(pos, at_trailer);
    assert_memory_equal(&e, &untouched, sizeof(e));
    assert_int_equal(cpio_next(arc, arc_len, &pos, &e), CPIO_END);
    size_t n;
    assert_int_equal(walk(arc, arc_len, &n), CPIO_END);
    assert_int_equal(n, NWANT);
}

static void test_find_real(void **state)
{
    (void)state;
    struct cpio_entry e;
    static const char *const hello[] = {"hello", "./hello", "/hello", "././hello", ".//hello"};
    for (size_t i = 0; i < sizeof(hello) / sizeof(hello[0]); i++) {
        assert_int_equal(find(arc, arc_len, hello[i], &e), CPIO_OK);
        assert_string_equal(e.name, "hello");
        assert_int_equal(e.size, 13);
        assert_memory_equal(e.data, "hello, world\n", 13);
    }
    assert_int_equal(find(arc, arc_len, "bin/init", &e), CPIO_OK);
    assert_int_equal(e.mode, 0100755);
    assert_memory_equal(e.data, want[6].data, 13);
    assert_int_equal(find(arc, arc_len, "/bin/init", &e), CPIO_OK);
    assert_int_equal(find(arc, arc_len, "empty", &e), CPIO_OK);
    assert_int_equal(e.size, 0);
    assert_true((const unsigned char *)e.data > arc && (const unsigned char *)e.data < arc + arc_len);
    for (size_t i = 1; i <= 4; i++) { // a ab abc abcd
        assert_int_equal(find(arc, arc_len, want[i].name, &e), CPIO_OK);
        assert_string_equal(e.name, want[i].name);
        assert_int_equal(e.size, i);
    }
    static const char *const miss[] = {"nope", "hell", "hello2", "hello/", "HELLO", "init",
                                       "bin",  "./bin", "bin/", "link", "", "/", ".", "./",
                                       "TRAILER!!!", "bin/init/x", "abcde", "bin//init"};
    for (size_t i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
        assert_int_equal(find(arc, arc_len, miss[i], NULL), CPIO_END);
}

// Every prefix of the archive: all entries wholly inside it are returned,
// then TRUNCATED; END once the trailer (with its padding) is complete.
static void test_truncated_every_length(void **state)
{
    (void)state;
    for (size_t len = 0; len <= arc_len; len++) {
        size_t n;
        int r = walk(arc, len, &n);
        assert_int_equal(r, len < trailer_end ? CPIO_E_TRUNCATED : CPIO_END);
        size_t complete = 0;
        while (complete < NWANT && entry_pos[complete + 1] <= len)
            complete++;
        assert_int_equal(n, complete);
        assert_int_equal(find(arc, len, "hello", NULL),
                         len < entry_pos[9] ? CPIO_E_TRUNCATED : CPIO_OK);
        assert_int_equal(find(arc, len, "nope", NULL),
                         len < trailer_end ? CPIO_E_TRUNCATED : CPIO_END);
    }
}

static void test_bad_magic(void **state)
{
    (void)state;
    static const char *const bad[] = {"070707", "070700", "070703", "170701", "07070 ",
                                      "O70701", "\0\0\0\0\0\0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned char *c = dup_n(arc, arc_len);
        memcpy(c, bad[i], 6);
        assert_int_equal(walk(c, arc_len, NULL), CPIO_E_BADMAGIC);
        memcpy(c, "070701", 6);
        memcpy(c + entry_pos[3], bad[i], 6); // a later entry
        size_t n;
        assert_int_equal(walk(c, arc_len, &n), CPIO_E_BADMAGIC);
        assert_int_equal(n, 3);
        free(c);
    }
    // The "crc" variant is accepted (its checksum is not verified).
    unsigned char *c = dup_n(arc, arc_len);
    for (size_t i = 0; i <= NWANT; i++)
        memcpy(c + entry_pos[i], "070702", 6);
    size_t n;
    assert_int_equal(walk(c, arc_len, &n), CPIO_END);
    assert_int_equal(n, NWANT);
    free(c);
}

static void test_bad_hex(void **state)
{
    (void)state;
    static const char bad[] = {'g', 'G', 'x', ' ', '-', '+', '\0', '\n', (char)0xff, '/', ':', '@', '`'};
    for (int field = 0; field < 13; field++) {
        for (size_t b = 0; b < sizeof(bad); b++) {
            unsigned char *c = dup_n(arc, arc_len);
            c[entry_pos[8] + 6 + field * 8 + (b % 8)] = (unsigned char)bad[b];
            size_t n;
            assert_int_equal(walk(c, arc_len, &n), CPIO_E_BADHEX);
            assert_int_equal(n, 8);
            free(c);
        }
    }
    // Lower-case hex digits are just as valid.
    unsigned char *c = dup_n(arc, arc_len);
    for (size_t i = 0; i <= NWANT; i++)
        for (size_t j = 6; j < HDR; j++)
            if (c[entry_pos[i] + j] >= 'A' && c[entry_pos[i] + j] <= 'F')
                c[entry_pos[i] + j] += 'a' - 'A';
    assert_int_equal(walk(c, arc_len, NULL), CPIO_END);
    struct cpio_entry e;
    assert_int_equal(find(c, arc_len, "hello", &e), CPIO_OK);
    assert_int_equal(e.mode, 0100644);
    free(c);
}

static void test_bad_name(void **state)
{
    (void)state;
    unsigned char *c = dup_n(arc, arc_len);
    size_t hello = entry_pos[8]; // "hello", namesize 6
    set_field_u32(c, hello, F_NAMESIZE, 0);
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_BADNAME);
    set_field_u32(c, hello, F_NAMESIZE, 1); // name "" would need a NUL at [0]
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_BADNAME);
    set_field_u32(c, hello, F_NAMESIZE, 5); // last byte 'o', not NUL
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_BADNAME);
    set_field_u32(c, hello, F_NAMESIZE, 0xffffffff);
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_TRUNCATED);
    set_field_u32(c, hello, F_NAMESIZE, (uint32_t)(arc_len - hello - HDR + 1));
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_TRUNCATED);
    set_field_u32(c, hello, F_NAMESIZE, 6);
    c[hello + HDR + 2] = '\0'; // "he\0lo": embedded NUL
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_BADNAME);
    c[hello + HDR + 2] = 'l';
    c[hello + HDR + 5] = 'X'; // terminator replaced
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_BADNAME);
    assert_int_equal(find(c, arc_len, "hello", NULL), CPIO_E_BADNAME);
    assert_int_equal(find(c, arc_len, "abc", NULL), CPIO_OK); // found before the damage
    free(c);
}

static void test_filesize(void **state)
{
    (void)state;
    unsigned char *c = dup_n(arc, arc_len);
    size_t hello = entry_pos[8];
    set_field_u32(c, hello, F_FILESIZE, (uint32_t)arc_len);
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_TRUNCATED);
    set_field_u32(c, hello, F_FILESIZE, 0xffffffff);
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_TRUNCATED);
    assert_int_equal(find(c, arc_len, "hello", NULL), CPIO_E_TRUNCATED);
    // Exactly up to the end of the archive (padding included) is fine.
    size_t data = hello + HDR + 6; // "hello\0", no padding needed (116)
    set_field_u32(c, hello, F_FILESIZE, (uint32_t)(arc_len - data));
    size_t n;
    assert_int_equal(walk(c, arc_len, &n), CPIO_E_TRUNCATED); // no trailer left
    assert_int_equal(n, 9);
    // Slightly off: the next header is then read from the wrong place.
    set_field_u32(c, hello, F_FILESIZE, 17);
    assert_int_equal(walk(c, arc_len, NULL), CPIO_E_BADMAGIC);
    free(c);
}

// ---- hand-made archives ------------------------------------------------------------

static void test_synthetic(void **state)
{
    (void)state;
    struct wbuf w = {0};
    size_t pos = 0;
    struct cpio_entry e;

    assert_int_equal(cpio_next(w.b, 0, &pos, &e), CPIO_E_TRUNCATED); // empty
    w_trailer(&w);
    assert_int_equal(w.n, 124);
    assert_int_equal(walk(w.b, w.n, NULL), CPIO_END);
    assert_int_equal(find(w.b, w.n, "x", NULL), CPIO_END);
    assert_int_equal(walk(w.b, 121, NULL), CPIO_E_TRUNCATED); // trailer padding missing
    pos = w.n + 4;
    assert_int_equal(cpio_next(w.b, w.n, &pos, &e), CPIO_E_TRUNCATED); // pos past the end

    // No trailer at all.
    w.n = 0;
    w_file(&w, "x", 0100644, "data");
    size_t n;
    assert_int_equal(walk(w.b, w.n, &n), CPIO_E_TRUNCATED);
    assert_int_equal(n, 1);
    assert_int_equal(find(w.b, w.n, "x", &e), CPIO_OK);

    // Lookup: directories and symlinks are skipped, first regular match wins,
    // "./" and "/" prefixes on archive names are ignored, entries after the
    // trailer are never seen.
    w.n = 0;
    w_file(&w, "x", 040755, "");
    w_file(&w, "./x/y", 0120777, "z");
    w_file(&w, "././x/y", 0100644, "first");
    w_file(&w, "x/y", 0100644, "second");
    w_raw(&w, "070702", "/z", 3, 3, 0100600, "zed", 3);
    w_file(&w, "TRAILER!!!x", 0100644, "not the trailer");
    w_trailer(&w);
    w_file(&w, "after", 0100644, "hidden");
    assert_int_equal(walk(w.b, w.n, &n), CPIO_END);
    assert_int_equal(n, 6);
    assert_int_equal(find(w.b, w.n, "x/y", &e), CPIO_OK);
    assert_memory_equal(e.data, "first", 5);
    assert_int_equal(find(w.b, w.n, "x", NULL), CPIO_END);
    assert_int_equal(find(w.b, w.n, "z", &e), CPIO_OK);
    assert_int_equal(e.mode, 0100600);
    assert_int_equal(find(w.b, w.n, "TRAILER!!!x", NULL), CPIO_OK);
    assert_int_equal(find(w.b, w.n, "after", NULL), CPIO_END);

    // Name problems written directly.
    w.n = 0;
    w_raw(&w, "070701", "abc", 3, 3, 0100644, "", 0); // no NUL inside namesize
    w_trailer(&w);
    assert_int_equal(walk(w.b, w.n, NULL), CPIO_E_BADNAME);
    w.n = 0;
    w_raw(&w, "070701", "", 1, 1, 0100644, "", 0);    // empty name
    w_trailer(&w);
    assert_int_equal(walk(w.b, w.n, NULL), CPIO_E_BADNAME);
    w.n = 0;
    w_raw(&w, "070701", "a\0b", 4, 4, 0100644, "", 0); // embedded NUL
    w_trailer(&w);
    assert_int_equal(walk(w.b, w.n, NULL), CPIO_E_BADNAME);
}

static void test_strerror(void **state)
{
    (void)state;
    for (int a = CPIO_E_BADNAME; a <= CPIO_END; a++) {
        assert_non_null(cpio_strerror(a));
        assert_string_not_equal(cpio_strerror(a), cpio_strerror(INT_MIN));
        for (int b = CPIO_E_BADNAME; b < a; b++)
            assert_string_not_equal(cpio_strerror(a), cpio_strerror(b));
    }
    assert_string_equal(cpio_strerror(2), cpio_strerror(-5));
}

// ---- random mutations -------------------------------------------------------------

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void) // xorshift64*: deterministic
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static void test_random_mutations(void **state)
{
    (void)state;
    static const char digits[] = "0123456789ABCDEFabcdef0Fg \0";
    int seen[6] = {0};
    int found = 0;
    for (int i = 0; i < 30000; i++) {
        unsigned char *c = dup_n(arc, arc_len);
        size_t len = rnd() % 4 == 0 ? (size_t)(rnd() % (arc_len + 1)) : arc_len;
        for (uint64_t k = 1 + rnd() % 4; k > 0 && len > 0; k--) {
            size_t where = (size_t)(rnd() % (rnd() % 2 ? len : trailer_end < len ? trailer_end : len));
            if (rnd() % 2) // plausible: another hex digit (or a bad one)
                c[where] = (unsigned char)digits[rnd() % (sizeof(digits) - 1)];
            else
                c[where] ^= (unsigned char)(1u << (rnd() % 8));
        }
        int r = walk(c, len, NULL); // checks every entry it returns
        seen[r + 4]++;
        if (find(c, len, want[rnd() % NWANT].name, NULL) == CPIO_OK)
            found++;
        free(c);
    }
    print_message("  END %d, TRUNCATED %d, BADMAGIC %d, BADHEX %d, BADNAME %d; finds %d\n",
                  seen[5], seen[3], seen[2], seen[1], seen[0], found);
    assert_true(seen[5] > 0 && found > 0);
}

int main(void)
{
    FILE *f = fopen(ARCHIVE, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (build the test's DEPS first: make %s)\n", ARCHIVE, ARCHIVE);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    arc_len = (size_t)ftell(f);
    rewind(f);
    arc = malloc(arc_len);
    if (!arc || fread(arc, 1, arc_len, f) != arc_len)
        return 1;
    fclose(f);

    // Entry offsets, computed here from the format rules rather than by the
    // code under test: header + name padded to 4, data padded to 4.
    size_t pos = 0;
    for (size_t i = 0; i <= NWANT; i++) {
        entry_pos[i] = pos;
        size_t namesize = i < NWANT ? strlen(want[i].name) + 1 : 11;
        size_t size = i < NWANT ? want[i].size : 0;
        pos = (pos + HDR + namesize + 3) / 4 * 4;
        pos = (pos + size + 3) / 4 * 4;
    }
    trailer_end = pos;

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iterate_real),
        cmocka_unit_test(test_find_real),
        cmocka_unit_test(test_truncated_every_length),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_bad_hex),
        cmocka_unit_test(test_bad_name),
        cmocka_unit_test(test_filesize),
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_random_mutations),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    free(arc);
    return failed;
}

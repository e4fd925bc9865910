// Host unit tests for user/lib/ring.c: records in order, wrap-around, overflow and the
// dropped count, the sleep handshake, and a corrupt peer. Writer and reader are two views
// of one buffer, as the two processes' mappings of one VMO are.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nx/ring.h>

#define DATA 256

struct pair {
    void *mem;
    struct nx_ring w, r;
};

static struct pair *make(size_t data)
{
    struct pair *p = calloc(1, sizeof(*p));
    size_t size = nx_ring_mem_size(data);
    p->mem = malloc(size);  // exactly sized: ASan sees any access past the end
    memset(p->mem, 0xa5, size);
    assert_int_equal(nx_ring_format(&p->w, p->mem, size), NX_OK);
    assert_int_equal(nx_ring_attach(&p->r, p->mem, size, NX_RING_READER), NX_OK);
    assert_int_equal(p->w.size, data);
    return p;
}

static void destroy(struct pair *p)
{
    free(p->mem);
    free(p);
}

static void push_text(struct pair *p, const char *s, long want)
{
    assert_int_equal(nx_ring_push(&p->w, s, strlen(s)), want);
}

static void pop_text(struct pair *p, const char *want)
{
    char buf[NX_RING_RECORD_MAX + 1];
    size_t len = 0;
    assert_int_equal(nx_ring_pop(&p->r, buf, sizeof(buf) - 1, &len), NX_OK);
    buf[len] = '\0';
    assert_string_equal(buf, want);
}

static void test_format_and_attach(void **state)
{
    (void)state;
    char mem[sizeof(struct nx_ring_shared) + 200];
    struct nx_ring r, a;
    assert_int_equal(nx_ring_format(&r, mem, sizeof(mem)), NX_OK);
    assert_int_equal(r.size, 128);  // the largest power of two that fits
    assert_int_equal(nx_ring_attach(&a, mem, sizeof(mem), NX_RING_WRITER), NX_OK);
    assert_int_equal(nx_ring_format(&r, mem, sizeof(struct nx_ring_shared) + 63), NX_ERR_INVALID);
    // Attach checks what the other side wrote: the magic, and a size that fits the mapping.
    r.sh->size = 512;
    assert_int_equal(nx_ring_attach(&a, mem, sizeof(mem), NX_RING_READER), NX_ERR_INVALID);
    r.sh->size = 96;
    assert_int_equal(nx_ring_attach(&a, mem, sizeof(mem), NX_RING_READER), NX_ERR_INVALID);
    r.sh->size = 128;
    r.sh->magic = 0;
    assert_int_equal(nx_ring_attach(&a, mem, sizeof(mem), NX_RING_READER), NX_ERR_INVALID);
    assert_int_equal(nx_ring_attach(&a, mem, 8, NX_RING_READER), NX_ERR_INVALID);
}

static void test_records_in_order(void **state)
{
    (void)state;
    struct pair *p = make(DATA);
    size_t len;
    char buf[8];
    assert_int_equal(nx_ring_pop(&p->r, buf, sizeof(buf), &len), NX_ERR_NOT_FOUND);
    push_text(p, "one", 0);
    push_text(p, "two", 0);
    push_text(p, "three", 0);
    pop_text(p, "one");
    pop_text(p, "two");
    pop_text(p, "three");
    assert_int_equal(nx_ring_pop(&p->r, buf, sizeof(buf), &len), NX_ERR_NOT_FOUND);
    destroy(p);
}

static void test_bad_lengths(void **state)
{
    (void)state;
    struct pair *p = make(DATA);
    char big[NX_RING_RECORD_MAX + 1] = { 0 };
    assert_int_equal(nx_ring_push(&p->w, big, 0), NX_ERR_INVALID);
    assert_int_equal(nx_ring_push(&p->w, big, sizeof(big)), NX_ERR_INVALID);
    push_text(p, "a longer record", 0);
    char small[4];
    size_t len = 0;
    // Too small a buffer: the record stays for a bigger one.
    assert_int_equal(nx_ring_pop(&p->r, small, sizeof(small), &len), NX_ERR_TOO_BIG);
    pop_text(p, "a longer record");
    assert_int_equal(nx_ring_dropped(&p->r), 0);
    destroy(p);
}

// Records of every length cross the end of the data area at every alignment; each comes back
// intact.
static void test_wrap_around(void **state)
{
    (void)state;
    struct pair *p = make(64);
    uint8_t rec[40], got[40];
    for (int round = 0; round < 500; round++) {
        size_t n = 1 + (size_t)round % sizeof(rec);
        for (size_t i = 0; i < n; i++)
            rec[i] = (uint8_t)(round * 7 + i);
        assert_int_equal(nx_ring_push(&p->w, rec, n), 0);
        size_t len = 0;
        assert_int_equal(nx_ring_pop(&p->r, got, sizeof(got), &len), NX_OK);
        assert_int_equal(len, n);
        assert_memory_equal(got, rec, n);
    }
    assert_true(p->w.pos > 10 * p->w.size);  // went round many times
    destroy(p);
}

static void test_overflow_counts_drops(void **state)
{
    (void)state;
    struct pair *p = make(64);
    // Each 12-byte record takes 16 bytes: four fill the ring, the rest are dropped.
    for (int i = 0; i < 4; i++)
        push_text(p, "0123456789ab", 0);
    push_text(p, "0123456789ab", NX_ERR_NO_SPACE);
    push_text(p, "x", NX_ERR_NO_SPACE);
    assert_int_equal(nx_ring_dropped(&p->r), 2);
    pop_text(p, "0123456789ab");
    push_text(p, "fits again", 0);  // room for one again
    for (int i = 0; i < 3; i++)
        pop_text(p, "0123456789ab");
    pop_text(p, "fits again");
    assert_int_equal(nx_ring_dropped(&p->r), 2);
    destroy(p);
}

// The writer asks for a wake-up only after the reader announced its sleep.
static void test_sleep_handshake(void **state)
{
    (void)state;
    struct pair *p = make(DATA);
    push_text(p, "busy reader", 0);
    assert_false(nx_ring_prepare_sleep(&p->r));  // data is there: don't sleep
    pop_text(p, "busy reader");
    assert_true(nx_ring_prepare_sleep(&p->r));
    push_text(p, "wake up", 1);
    nx_ring_end_sleep(&p->r);
    push_text(p, "no signal", 0);
    pop_text(p, "wake up");
    pop_text(p, "no signal");
    destroy(p);
}

// A hostile peer scribbles on the shared header: each side reports it and touches nothing
// outside the ring.
static void test_corrupt_peer(void **state)
{
    (void)state;
    struct pair *p = make(DATA);
    char buf[64];
    size_t len;
    p->w.sh->tail = p->w.pos + 8;  // the reader's index ahead of the writer
    push_text(p, "x", NX_ERR_BAD_STATE);
    p->w.sh->tail = 0;
    p->w.sh->head = 1u << 20;  // the writer's index far beyond the ring
    assert_int_equal(nx_ring_pop(&p->r, buf, sizeof(buf), &len), NX_ERR_BAD_STATE);
    p->w.sh->head = 0;
    push_text(p, "ok", 0);
    uint32_t huge = 5000;
    memcpy(p->r.data, &huge, sizeof(huge));  // a length longer than the ring
    assert_int_equal(nx_ring_pop(&p->r, buf, sizeof(buf), &len), NX_ERR_BAD_STATE);
    uint32_t zero = 0;
    memcpy(p->r.data, &zero, sizeof(zero));
    assert_int_equal(nx_ring_pop(&p->r, buf, sizeof(buf), &len), NX_ERR_BAD_STATE);
    destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_attach),
        cmocka_unit_test(test_records_in_order),
        cmocka_unit_test(test_bad_lengths),
        cmocka_unit_test(test_wrap_around),
        cmocka_unit_test(test_overflow_counts_drops),
        cmocka_unit_test(test_sleep_handshake),
        cmocka_unit_test(test_corrupt_peer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

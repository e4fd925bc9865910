// Host unit tests for byte pipes (user/lib/pipe.c over user/lib/ring.c's byte functions):
// bytes in order across the wrap-around, a full ring, the sleep handshakes, end-of-file when
// the writer closes or dies, a broken pipe when the reader goes, and a peer corrupting the
// shared header. Writer and reader are two views of one buffer, as the two processes'
// mappings of one VMO are; a peer's death is the GONE bit the kernel's process watch sends.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include <nx/pipe.h>

#define DATA 256

struct pair {
    void *mem;
    size_t size;
    struct nx_pipe w, r;
};

static struct pair *make(void)
{
    struct pair *p = calloc(1, sizeof(*p));
    p->size = nx_ring_mem_size(DATA);
    p->mem = malloc(p->size);  // exactly sized: ASan sees any access past the end
    memset(p->mem, 0xa5, p->size);
    struct nx_ring fmt;
    assert_int_equal(nx_ring_format(&fmt, p->mem, p->size), NX_OK);
    assert_int_equal(nx_pipe_attach(&p->w, p->mem, p->size, NX_RING_WRITER), NX_OK);
    assert_int_equal(nx_pipe_attach(&p->r, p->mem, p->size, NX_RING_READER), NX_OK);
    return p;
}

static void destroy(struct pair *p)
{
    free(p->mem);
    free(p);
}

static long put(struct pair *p, const void *buf, size_t n)
{
    bool wake;
    return nx_pipe_write_some(&p->w, buf, n, &wake);
}

static long get(struct pair *p, void *buf, size_t n)
{
    bool wake;
    return nx_pipe_read_some(&p->r, buf, n, &wake);
}

// Stream `total` bytes of a pattern through the pipe in writes of `wn` and reads of `rn`
// bytes, checking every byte: the indices wrap around the data area many times.
static void stream(size_t total, size_t wn, size_t rn)
{
    struct pair *p = make();
    uint8_t out[DATA * 2], in[DATA * 2];
    size_t sent = 0, got = 0;
    while (got < total) {
        size_t n = total - sent < wn ? total - sent : wn;
        for (size_t i = 0; i < n; i++)
            out[i] = (uint8_t)((sent + i) * 7 + 3);
        long w = n ? put(p, out, n) : 0;
        assert_true(w > 0 || w == NX_ERR_TIMED_OUT || n == 0);
        if (w > 0)
            sent += (size_t)w;
        long r = get(p, in, rn);
        assert_true(r > 0 || r == NX_ERR_TIMED_OUT);
        for (long i = 0; i < r; i++)
            assert_int_equal(in[i], (uint8_t)((got + (size_t)i) * 7 + 3));
        if (r > 0)
            got += (size_t)r;
    }
    assert_int_equal(sent, total);
    destroy(p);
}

static void test_wrap_around(void **state)
{
    (void)state;
    stream(10000, 100, 37);   // reader slower: the ring fills
    stream(10000, 37, 100);   // reader faster: often empty
    stream(10000, DATA * 2, DATA * 2);  // more than the ring at once: partial writes
    stream(10000, 1, 1);
}

static void test_full_and_empty(void **state)
{
    (void)state;
    struct pair *p = make();
    char buf[DATA + 10] = { 0 };
    assert_int_equal(get(p, buf, 10), NX_ERR_TIMED_OUT);  // empty, writer alive
    assert_int_equal(put(p, buf, sizeof buf), DATA);      // takes what fits
    assert_int_equal(put(p, buf, 1), NX_ERR_TIMED_OUT);   // full
    assert_int_equal(get(p, buf, 0), 0);                  // nothing asked, nothing given
    assert_int_equal(get(p, buf, sizeof buf), DATA);
    destroy(p);
}

static void test_sleep_handshake(void **state)
{
    (void)state;
    struct pair *p = make();
    char buf[DATA] = { 0 };
    bool wake;
    // The reader announces it sleeps on an empty ring: the next write must wake it.
    assert_true(nx_ring_prepare_sleep(&p->r.ring));
    assert_int_equal(nx_pipe_write_some(&p->w, "ab", 2, &wake), 2);
    assert_true(wake);
    nx_ring_end_sleep(&p->r.ring);
    assert_int_equal(nx_pipe_write_some(&p->w, "c", 1, &wake), 1);
    assert_false(wake);  // a busy reader costs the writer nothing
    // A reader announcing on a non-empty ring does not sleep.
    assert_false(nx_ring_prepare_sleep(&p->r.ring));
    // The writer sleeps only on a full ring; a read then wakes it.
    assert_false(nx_ring_writer_prepare_sleep(&p->w.ring));
    assert_int_equal(put(p, buf, DATA), DATA - 3);
    assert_true(nx_ring_writer_prepare_sleep(&p->w.ring));
    assert_int_equal(nx_pipe_read_some(&p->r, buf, 1, &wake), 1);
    assert_true(wake);
    nx_ring_writer_end_sleep(&p->w.ring);
    assert_int_equal(nx_pipe_read_some(&p->r, buf, 1, &wake), 1);
    assert_false(wake);
    destroy(p);
}

// The writer closes or dies (both arrive as GONE) after writing: the reader gets every byte,
// then end-of-file, and end-of-file again.
static void test_eof_after_data(void **state)
{
    (void)state;
    struct pair *p = make();
    char buf[16];
    assert_int_equal(put(p, "hello", 5), 5);
    nx_pipe_take_bits(&p->r, NX_PIPE_BIT_GONE);
    assert_int_equal(get(p, buf, 3), 3);
    assert_int_equal(get(p, buf, sizeof buf), 2);
    assert_memory_equal(buf, "lo", 2);
    assert_int_equal(get(p, buf, sizeof buf), 0);
    assert_int_equal(get(p, buf, sizeof buf), 0);
    destroy(p);
}

// A writer that dies mid-way (no close, the kernel's watch sends GONE) while the ring is full
// and wrapped: the reader still drains exactly what was written.
static void test_writer_death(void **state)
{
    (void)state;
    struct pair *p = make();
    char buf[DATA], in[DATA];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(put(p, buf, 100), 100);
    assert_int_equal(get(p, in, 100), 100);
    for (int i = 0; i < DATA; i++)
        buf[i] = (char)i;
    assert_int_equal(put(p, buf, DATA), DATA);  // wraps at 156
    nx_pipe_take_bits(&p->r, NX_PIPE_BIT_IO | NX_PIPE_BIT_GONE);
    assert_int_equal(get(p, in, DATA), DATA);
    assert_memory_equal(in, buf, DATA);
    assert_int_equal(get(p, in, DATA), 0);
    destroy(p);
}

// The reader goes: the writer's next write is a broken pipe, even with room in the ring.
static void test_reader_death(void **state)
{
    (void)state;
    struct pair *p = make();
    assert_int_equal(put(p, "abc", 3), 3);
    nx_pipe_take_bits(&p->w, NX_PIPE_BIT_IO);
    assert_int_equal(put(p, "d", 1), 1);
    nx_pipe_take_bits(&p->w, NX_PIPE_BIT_GONE);
    assert_int_equal(put(p, "e", 1), NX_ERR_PEER_CLOSED);
    assert_int_equal(put(p, "e", 1), NX_ERR_PEER_CLOSED);
    destroy(p);
}

// Each side corrupts the index the other reads; the other refuses from then on, touching
// nothing outside the ring (ASan checks every access).
static void test_corrupt_header(void **state)
{
    (void)state;
    static const uint64_t bad[] = { DATA + 1, UINT64_MAX, 1ull << 63 };
    char buf[DATA * 2];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct pair *p = make();
        assert_int_equal(put(p, "abc", 3), 3);
        struct nx_ring_shared *sh = p->mem;
        sh->head = p->r.ring.pos + bad[i];  // the writer lies about its head
        assert_int_equal(get(p, buf, sizeof buf), NX_ERR_BAD_STATE);
        sh->head = 3;  // even put right, the reader never trusts it again
        assert_int_equal(get(p, buf, sizeof buf), NX_ERR_BAD_STATE);
        sh->tail = p->w.ring.pos - bad[i];  // the reader lies about its tail
        assert_int_equal(put(p, buf, sizeof buf), NX_ERR_BAD_STATE);
        assert_int_equal(put(p, buf, 1), NX_ERR_BAD_STATE);
        destroy(p);
    }
    // A size or magic changed under an end is not followed: the end keeps its own copy.
    struct pair *p = make();
    ((struct nx_ring_shared *)p->mem)->size = 1ull << 40;
    assert_int_equal(put(p, "abc", 3), 3);
    assert_int_equal(get(p, buf, sizeof buf), 3);
    // And attaching to such a header is refused.
    struct nx_pipe x;
    assert_int_equal(nx_pipe_attach(&x, p->mem, p->size, NX_RING_READER), NX_ERR_INVALID);
    destroy(p);
}

// An end used as the other side's refuses.
static void test_wrong_side(void **state)
{
    (void)state;
    struct pair *p = make();
    char c = 0;
    bool wake;
    assert_int_equal(nx_pipe_read_some(&p->w, &c, 1, &wake), NX_ERR_BAD_STATE);
    assert_int_equal(nx_pipe_write_some(&p->r, &c, 1, &wake), NX_ERR_BAD_STATE);
    destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrap_around),
        cmocka_unit_test(test_full_and_empty),
        cmocka_unit_test(test_sleep_handshake),
        cmocka_unit_test(test_eof_after_data),
        cmocka_unit_test(test_writer_death),
        cmocka_unit_test(test_reader_death),
        cmocka_unit_test(test_corrupt_header),
        cmocka_unit_test(test_wrong_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

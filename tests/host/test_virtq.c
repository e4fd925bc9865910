// The shared virtqueue (user/lib/virtio/virtq.c: a fake device completes chains in any order,
// the used and available indices wrap past 2^16) and the virtio-blk driver's request checks
// and DMA pieces.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include "../../user/drivers/virtio-blk/request.h"
#include <nx/virtq.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define SIZE 16

static struct virtq_desc desc[SIZE];
static struct { uint16_t flags, idx, ring[SIZE]; } avail;
static struct { uint16_t flags, idx; struct virtq_used_elem ring[SIZE]; } used;
static struct virtq q;

static int setup(void **state)
{
    memset(desc, 0, sizeof desc);
    memset(&avail, 0, sizeof avail);
    memset(&used, 0, sizeof used);
    virtq_init(&q, SIZE, desc, &avail, &used);
    return 0;
}

// The device's side: the chain at avail slot i, checked against want[0..n).
static void device_sees(uint16_t avail_index, const struct virtq_buf *want, int n)
{
    uint16_t d = avail.ring[avail_index % SIZE];
    for (int i = 0; i < n; i++) {
        assert_int_equal(desc[d].addr, want[i].addr);
        assert_int_equal(desc[d].len, want[i].len);
        assert_int_equal(!!(desc[d].flags & VIRTQ_DESC_F_WRITE), want[i].device_writes);
        assert_int_equal(!!(desc[d].flags & VIRTQ_DESC_F_NEXT), i + 1 < n);
        d = desc[d].next;
    }
}

static void device_completes(int head, uint32_t len)
{
    used.ring[used.idx % SIZE] = (struct virtq_used_elem){ (uint32_t)head, len };
    used.idx++;
}

static void chains_go_out_and_come_back(void **state)
{
    struct virtq_buf req[3] = { { 0x1000, 16, false }, { 0x8000, 4096, true }, { 0x1010, 1, true } };
    uint32_t len;
    assert_int_equal(virtq_take(&q, &len), -1);  // nothing done yet
    int a = virtq_submit(&q, req, 3);
    assert_int_equal(avail.idx, 1);
    device_sees(0, req, 3);
    int b = virtq_submit(&q, req, 2);
    assert_true(a >= 0 && b >= 0 && a != b);
    assert_int_equal(virtq_in_flight(&q), 2);
    assert_int_equal(q.nfree, SIZE - 5);
    device_completes(b, 7);  // out of order
    device_completes(a, 4097);
    assert_int_equal(virtq_take(&q, &len), b);
    assert_int_equal(len, 7);
    assert_int_equal(virtq_take(&q, &len), a);
    assert_int_equal(virtq_take(&q, &len), -1);
    assert_int_equal(q.nfree, SIZE);
    assert_int_equal(virtq_in_flight(&q), 0);
}

static void a_full_queue_refuses_and_changes_nothing(void **state)
{
    struct virtq_buf bufs[SIZE + 1] = { 0 };
    assert_int_equal(virtq_submit(&q, bufs, 0), -1);
    assert_int_equal(virtq_submit(&q, bufs, SIZE + 1), -1);
    int h = virtq_submit(&q, bufs, SIZE - 1);
    assert_true(h >= 0);
    assert_int_equal(virtq_submit(&q, bufs, 2), -1);
    assert_int_equal(avail.idx, 1);
    assert_true(virtq_submit(&q, bufs, 1) >= 0);  // the last descriptor still goes
    assert_int_equal(q.nfree, 0);
    uint32_t len;
    device_completes(h, 0);
    assert_int_equal(virtq_take(&q, &len), h);
    assert_int_equal(q.nfree, SIZE - 1);
}

static void made_up_heads_are_skipped(void **state)
{
    struct virtq_buf bufs[2] = { 0 };
    uint32_t len;
    int h = virtq_submit(&q, bufs, 2);
    device_completes(SIZE + 3, 0);       // no such descriptor
    device_completes(desc[h].next, 0);   // inside a chain, not its head
    device_completes(h, 0);
    device_completes(h, 0);              // twice
    assert_int_equal(virtq_take(&q, &len), -2);
    assert_int_equal(virtq_take(&q, &len), -2);
    assert_int_equal(virtq_take(&q, &len), h);
    assert_int_equal(virtq_take(&q, &len), -2);
    assert_int_equal(q.nfree, SIZE);
    assert_int_equal(virtq_in_flight(&q), 0);
}

// 70,000 requests of 1-4 descriptors, up to 4 in flight, completed in a shuffled order:
// the indices wrap past 2^16 and every descriptor comes back.
static void indices_wrap_and_nothing_leaks(void **state)
{
    int inflight[4], n = 0;
    uint32_t seed = 1, len;
    struct virtq_buf bufs[4] = { 0 };
    for (int i = 0; i < 70000; i++) {
        seed = seed * 1103515245 + 12345;
        if (n < 4) {
            int h = virtq_submit(&q, bufs, (uint16_t)(1 + (seed >> 16) % 4));
            assert_true(h >= 0);
            inflight[n++] = h;
        }
        if (n == 4 || (seed >> 20) % 2) {
            int k = (int)((seed >> 8) % (uint32_t)n);
            device_completes(inflight[k], 0);
            assert_int_equal(virtq_take(&q, &len), inflight[k]);
            inflight[k] = inflight[--n];
        }
    }
    assert_true(avail.idx != 0 || used.idx != 0);
    while (n) {
        device_completes(inflight[--n], 0);
        assert_true(virtq_take(&q, &len) >= 0);
    }
    assert_int_equal(q.nfree, SIZE);
}

static void requests_are_checked(void **state)
{
    const uint64_t vmo = 64 * 1024, cap = 1000;
    struct nx_blk_io io = { .count = 8, .offset = 512, .block = 992 };
    assert_int_equal(blk_check_io(&io, 256, cap, vmo), NX_OK);
    io.block = 993;  // one past the end
    assert_int_equal(blk_check_io(&io, 256, cap, vmo), NX_ERR_INVALID);
    io.block = UINT64_MAX;  // wrapping
    assert_int_equal(blk_check_io(&io, 256, cap, vmo), NX_ERR_INVALID);
    io = (struct nx_blk_io){ .count = 0 };
    assert_int_equal(blk_check_io(&io, 256, cap, vmo), NX_ERR_INVALID);
    io.count = 257;
    assert_int_equal(blk_check_io(&io, 256, cap, vmo), NX_ERR_INVALID);
    io = (struct nx_blk_io){ .count = 1, .offset = 511 };
    assert_int_equal(blk_check_io(&io, 256, cap, vmo), NX_ERR_INVALID);
    io.offset = vmo - 512;
    assert_int_equal(blk_check_io(&io, 256, cap, vmo), NX_OK);
    io.offset = vmo;
    assert_int_equal(blk_check_io(&io, 256, cap, vmo), NX_ERR_INVALID);
    io.offset = UINT64_MAX - 511;
    assert_int_equal(blk_check_io(&io, 256, cap, vmo), NX_ERR_INVALID);
}

static void pieces_join_adjacent_pages(void **state)
{
    // 9 blocks from 3584: the last 512 bytes of page 0, then all of page 1.
    struct nx_blk_io io = { .count = 9, .offset = 3584 };
    uint64_t first;
    size_t n;
    blk_io_pages(&io, &first, &n);
    assert_int_equal(first, 0);
    assert_int_equal(n, 2);
    struct blk_seg segs[BLK_MAX_PAGES];
    uint64_t apart[] = { 0x10000, 0x30000 }, adjacent[] = { 0x10000, 0x11000 };
    assert_int_equal(blk_segments(io.offset, 9 * 512, apart, segs), 2);
    assert_int_equal(segs[0].addr, 0x10000 + 3584);
    assert_int_equal(segs[0].len, 512);
    assert_int_equal(segs[1].addr, 0x30000);
    assert_int_equal(segs[1].len, 4096);
    assert_int_equal(blk_segments(io.offset, 9 * 512, adjacent, segs), 1);
    assert_int_equal(segs[0].len, 9 * 512);
    // The longest request, unaligned: BLK_MAX_PAGES pages, none adjacent.
    io = (struct nx_blk_io){ .count = BLK_MAX_BLOCKS, .offset = 4096 * 5 + 512 };
    blk_io_pages(&io, &first, &n);
    assert_int_equal(first, 5);
    assert_int_equal(n, BLK_MAX_PAGES);
    uint64_t pages[BLK_MAX_PAGES];
    for (size_t i = 0; i < n; i++)
        pages[i] = 0x100000 + 2 * i * 4096;
    assert_int_equal(blk_segments(io.offset, BLK_MAX_BLOCKS * 512, pages, segs), BLK_MAX_PAGES);
    assert_int_equal(segs[BLK_MAX_PAGES - 1].len, 512);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
    const struct CMUnitTest tests[] = {
        T(chains_go_out_and_come_back),
        T(a_full_queue_refuses_and_changes_nothing),
        T(made_up_heads_are_skipped),
        T(indices_wrap_and_nothing_leaks),
        T(requests_are_checked),
        T(pieces_join_adjacent_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

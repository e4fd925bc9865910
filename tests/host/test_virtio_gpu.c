// The virtio GPU driver's pure parts: every response the device may give (short, of another
// type, each error, unknown), modes from display info (malformed ones refused), the
// framebuffer's pages as backing entries, damage clipped to the screen, the boot screen; the
// display protocol's checks (attach requests, the resource table, flush rectangles).
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include <nexus/handle.h>
#include "../../user/drivers/virtio-gpu/bootscreen.h"
#include "../../user/drivers/virtio-gpu/gpu_proto.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define HDR sizeof(struct virtio_gpu_ctrl_hdr)

static const char *answer(uint32_t type, uint32_t len, uint32_t want, uint32_t want_len)
{
    struct virtio_gpu_resp_display_info resp = { .hdr = { .type = type } };
    return gpu_check_response(&resp, len, want, want_len);
}

static void responses_are_checked(void **state)
{
    assert_null(answer(VIRTIO_GPU_RESP_OK_NODATA, HDR, VIRTIO_GPU_RESP_OK_NODATA, HDR));
    assert_null(answer(VIRTIO_GPU_RESP_OK_DISPLAY_INFO, sizeof(struct virtio_gpu_resp_display_info),
                       VIRTIO_GPU_RESP_OK_DISPLAY_INFO, sizeof(struct virtio_gpu_resp_display_info)));
    assert_string_equal(answer(VIRTIO_GPU_RESP_OK_NODATA, HDR - 1, VIRTIO_GPU_RESP_OK_NODATA, HDR),
                        "the device answered with a short response");
    assert_string_equal(answer(VIRTIO_GPU_RESP_OK_DISPLAY_INFO, HDR, VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
                               sizeof(struct virtio_gpu_resp_display_info)),
                        "the device answered with a short response");
    assert_string_equal(answer(VIRTIO_GPU_RESP_OK_NODATA, HDR, VIRTIO_GPU_RESP_OK_DISPLAY_INFO, HDR),
                        "the device answered with an unknown response type");
    assert_string_equal(answer(VIRTIO_GPU_RESP_ERR_UNSPEC, HDR, VIRTIO_GPU_RESP_OK_NODATA, HDR),
                        "the device failed the command: an unspecified error");
    assert_string_equal(answer(VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, HDR, VIRTIO_GPU_RESP_OK_NODATA,
                               HDR),
                        "the device failed the command: an invalid parameter");
    for (uint32_t t = VIRTIO_GPU_RESP_ERR_UNSPEC; t <= VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER; t++)
        assert_non_null(strstr(answer(t, HDR, VIRTIO_GPU_RESP_OK_NODATA, HDR), "failed the command"));
    static const uint32_t unknown[] = { 0, VIRTIO_GPU_RESP_OK_DISPLAY_INFO + 1,
                                        VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER + 1, 0x1300, ~0u };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        assert_string_equal(answer(unknown[i], HDR, VIRTIO_GPU_RESP_OK_NODATA, HDR),
                            "the device answered with an unknown response type");
}

static struct virtio_gpu_resp_display_info display(uint32_t enabled_scanout, uint32_t w,
                                                   uint32_t h)
{
    struct virtio_gpu_resp_display_info info = { .hdr = { .type = VIRTIO_GPU_RESP_OK_DISPLAY_INFO } };
    info.pmodes[enabled_scanout].r = (struct gpu_rect){ 7, 9, w, h };  // x, y ignored
    info.pmodes[enabled_scanout].enabled = 1;
    return info;
}

static void the_first_enabled_scanout_gives_the_mode(void **state)
{
    struct virtio_gpu_resp_display_info info = display(0, 1280, 800);
    uint32_t scanout = 99;
    struct gpu_rect mode;
    assert_null(gpu_pick_mode(&info, 1, &scanout, &mode));
    assert_int_equal(scanout, 0);
    assert_memory_equal(&mode, (&(struct gpu_rect){ 0, 0, 1280, 800 }), sizeof mode);
    info = display(3, GPU_MAX_DIM, 1);  // the limits themselves
    info.pmodes[1].r.width = 640;       // not enabled: skipped
    assert_null(gpu_pick_mode(&info, 4, &scanout, &mode));
    assert_int_equal(scanout, 3);
    assert_int_equal(mode.width, GPU_MAX_DIM);
    assert_int_equal(mode.height, 1);
}

static void malformed_modes_are_refused(void **state)
{
    uint32_t scanout = 99;
    struct gpu_rect mode = { 1, 2, 3, 4 }, before = mode;
    struct virtio_gpu_resp_display_info info = display(0, 1280, 800);
    assert_string_equal(gpu_pick_mode(&info, 0, &scanout, &mode),
                        "the device reports a bad number of scanouts");
    assert_string_equal(gpu_pick_mode(&info, VIRTIO_GPU_MAX_SCANOUTS + 1, &scanout, &mode),
                        "the device reports a bad number of scanouts");
    info = display(2, 1280, 800);  // enabled, but past the scanouts the device has
    assert_string_equal(gpu_pick_mode(&info, 2, &scanout, &mode), "the device has no enabled scanout");
    static const uint32_t sizes[][2] = { { 0, 800 }, { 1280, 0 }, { GPU_MAX_DIM + 1, 800 },
                                         { 1280, GPU_MAX_DIM + 1 }, { ~0u, ~0u } };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        info = display(0, sizes[i][0], sizes[i][1]);
        assert_string_equal(gpu_pick_mode(&info, 1, &scanout, &mode),
                            "the device reports a mode of a bad size");
    }
    assert_int_equal(scanout, 99);  // nothing written on refusal
    assert_memory_equal(&mode, &before, sizeof mode);
}

static void adjacent_pages_share_an_entry(void **state)
{
    uint64_t pages[] = { 0x80000000, 0x80001000, 0x80002000, 0x90000000, 0x80003000, 0x80004000 };
    struct virtio_gpu_mem_entry e[6];
    assert_int_equal(gpu_backing_entries(pages, 6, e), 3);
    assert_int_equal(e[0].addr, 0x80000000);
    assert_int_equal(e[0].length, 3 * 4096);
    assert_int_equal(e[1].addr, 0x90000000);
    assert_int_equal(e[1].length, 4096);
    assert_int_equal(e[2].addr, 0x80003000);  // adjacent to entry 0's end, but not its pages
    assert_int_equal(e[2].length, 2 * 4096);
    assert_int_equal(e[0].padding | e[1].padding | e[2].padding, 0);
    uint64_t down[] = { 0x5000, 0x4000, 0x3000 };  // descending: never joined
    assert_int_equal(gpu_backing_entries(down, 3, e), 3);
    assert_int_equal(gpu_backing_entries(pages, 0, e), 0);
}

static void damage_is_clipped_to_the_screen(void **state)
{
    struct gpu_rect r = { 1200, 700, 200, 200 };
    assert_true(gpu_clip(&r, 1280, 800));
    assert_memory_equal(&r, (&(struct gpu_rect){ 1200, 700, 80, 100 }), sizeof r);
    r = (struct gpu_rect){ 0, 0, 1280, 800 };
    assert_true(gpu_clip(&r, 1280, 800));
    assert_int_equal(r.width * r.height, 1280 * 800);
    r = (struct gpu_rect){ 1279, 799, ~0u, ~0u };  // no overflow
    assert_true(gpu_clip(&r, 1280, 800));
    assert_int_equal(r.width, 1);
    assert_int_equal(r.height, 1);
    static const struct gpu_rect outside[] = {
        { 1280, 0, 10, 10 }, { 0, 800, 10, 10 }, { 5, 5, 0, 10 }, { 5, 5, 10, 0 }, { ~0u, ~0u, 1, 1 },
    };
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        r = outside[i];
        assert_false(gpu_clip(&r, 1280, 800));
    }
}

// The layout docs/graphics.md gives and the QEMU test checks on QEMU's screen.
static void the_boot_screen_is_where_the_docs_say(void **state)
{
    enum { W = 1280, H = 800 };
    static uint32_t fb[W * H];
    boot_draw_background(fb, W, H);
    assert_int_equal(fb[0], 0x102040);
    assert_int_equal(fb[(H - 1) * W + W - 1], 0x105fbf);  // g = 0x20 + 63, b = 0x40 + 127
    assert_int_equal(fb[400 * W], 0x104080);  // halfway: g = 0x20 + 0x20, b = 0x40 + 0x40
    static const uint32_t colors[] = { 0xe03030, 0x30c050, 0x3060e0, 0xf0c020 };
    for (unsigned i = 0; i < BOOT_SQUARES; i++) {
        struct gpu_rect r = boot_square(i, W, H);
        assert_memory_equal(&r, (&(struct gpu_rect){ 260 + 200 * i, 320, 160, 160 }), sizeof r);
        assert_int_equal(boot_square_color(i), colors[i]);
        boot_fill(fb, W, &r, colors[i]);
        assert_int_equal(fb[r.y * W + r.x], colors[i]);
        assert_int_equal(fb[(r.y + 159) * W + r.x + 159], colors[i]);
        assert_int_equal(fb[(r.y + 160) * W + r.x], boot_background(r.y + 160, H));
        assert_int_equal(fb[r.y * W + r.x - 1], boot_background(r.y, H));
    }
    // A screen narrower than the row: the squares start at the left edge (the driver clips).
    struct gpu_rect r = boot_square(0, 640, 100);
    assert_int_equal(r.x, 0);
    assert_int_equal(r.y, 0);
}

#define DMA_READ (NX_RIGHT_READ | NX_RIGHT_DMA)

static void attach_requests_are_checked(void **state)
{
    struct nx_gpu_attach a = { 1280, 800, 0 };
    assert_int_equal(gpu_check_attach(&a, DMA_READ, 1280 * 800 * 4), NX_OK);
    assert_int_equal(gpu_check_attach(&a, DMA_READ, 1280 * 800 * 4 - 1), NX_ERR_TOO_BIG);
    assert_int_equal(gpu_check_attach(&a, NX_RIGHT_READ, 1280 * 800 * 4), NX_ERR_ACCESS);
    assert_int_equal(gpu_check_attach(&a, NX_RIGHT_DMA, 1280 * 800 * 4), NX_ERR_ACCESS);
    a.flags = NX_GPU_ATTACH_ALPHA;
    assert_int_equal(gpu_check_attach(&a, DMA_READ, 1280 * 800 * 4), NX_OK);
    a.flags = 2;
    assert_int_equal(gpu_check_attach(&a, DMA_READ, 1280 * 800 * 4), NX_ERR_INVALID);
    struct nx_gpu_attach bad[] = { { 0, 1, 0 }, { 1, 0, 0 }, { GPU_MAX_DIM + 1, 1, 0 },
                                   { 1, GPU_MAX_DIM + 1, 0 } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(gpu_check_attach(&bad[i], DMA_READ, UINT64_MAX), NX_ERR_INVALID);
    // The largest image: no overflow in the size.
    struct nx_gpu_attach big = { GPU_MAX_DIM, GPU_MAX_DIM, 0 };
    assert_int_equal(gpu_check_attach(&big, DMA_READ, 4ull * GPU_MAX_DIM * GPU_MAX_DIM), NX_OK);
}

static void the_resource_table_is_bounded(void **state)
{
    struct gpu_res_table t = { 0 };
    for (uint32_t i = 0; i < NX_GPU_MAX_RESOURCES; i++) {
        long slot = gpu_res_free(&t);
        assert_int_equal(slot, i);
        t.r[slot].used = true;
        assert_ptr_equal(gpu_res_find(&t, gpu_res_id(&t, &t.r[slot])), &t.r[slot]);
    }
    assert_int_equal(gpu_res_free(&t), NX_ERR_NO_SPACE);
    assert_null(gpu_res_find(&t, 0));
    assert_null(gpu_res_find(&t, 1));  // the driver's own framebuffer is no client's
    assert_null(gpu_res_find(&t, GPU_RES_FIRST + NX_GPU_MAX_RESOURCES));
    assert_null(gpu_res_find(&t, UINT32_MAX));
    t.r[3].used = false;
    assert_null(gpu_res_find(&t, GPU_RES_FIRST + 3));
    assert_int_equal(gpu_res_free(&t), 3);
}

static void flush_rectangles_are_checked_and_clipped(void **state)
{
    struct nx_gpu_flush f = { 2, 3, { { 0, 0, 10, 10 }, { 90, 90, 50, 50 }, { 100, 0, 1, 1 } } };
    struct gpu_rect out[NX_GPU_MAX_RECTS];
    size_t n, head = offsetof(struct nx_gpu_flush, rects);
    assert_int_equal(gpu_flush_rects(&f, head + 3 * sizeof f.rects[0], 100, 100, out, &n), NX_OK);
    assert_int_equal(n, 2);  // the third lies wholly outside
    assert_int_equal(out[1].width, 10);
    assert_int_equal(out[1].height, 10);
    assert_int_equal(gpu_flush_rects(&f, head + 2 * sizeof f.rects[0], 100, 100, out, &n),
                     NX_ERR_INVALID);  // bytes short of n rectangles
    f.n = 0;
    assert_int_equal(gpu_flush_rects(&f, sizeof f, 100, 100, out, &n), NX_ERR_INVALID);
    f.n = NX_GPU_MAX_RECTS + 1;
    assert_int_equal(gpu_flush_rects(&f, sizeof f, 100, 100, out, &n), NX_ERR_INVALID);
    f.n = NX_GPU_MAX_RECTS;
    for (size_t i = 0; i < NX_GPU_MAX_RECTS; i++)
        f.rects[i] = (struct nx_gpu_rect){ UINT32_MAX, 0, UINT32_MAX, UINT32_MAX };
    f.rects[0] = (struct nx_gpu_rect){ 5, 5, UINT32_MAX, UINT32_MAX };
    assert_int_equal(gpu_flush_rects(&f, sizeof f, 100, 100, out, &n), NX_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].width, 95);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(responses_are_checked),
        cmocka_unit_test(the_first_enabled_scanout_gives_the_mode),
        cmocka_unit_test(malformed_modes_are_refused),
        cmocka_unit_test(adjacent_pages_share_an_entry),
        cmocka_unit_test(damage_is_clipped_to_the_screen),
        cmocka_unit_test(the_boot_screen_is_where_the_docs_say),
        cmocka_unit_test(attach_requests_are_checked),
        cmocka_unit_test(the_resource_table_is_bounded),
        cmocka_unit_test(flush_rectangles_are_checked_and_clipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

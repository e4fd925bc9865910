// The virtio GPU driver's pure parts: every response the device may give (short, of another
// type, each error, unknown), modes from display info (malformed ones refused), the
// framebuffer's pages as backing entries, damage clipped to the screen, the boot screen.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(responses_are_checked),
        cmocka_unit_test(the_first_enabled_scanout_gives_the_mode),
        cmocka_unit_test(malformed_modes_are_refused),
        cmocka_unit_test(adjacent_pages_share_an_entry),
        cmocka_unit_test(damage_is_clipped_to_the_screen),
        cmocka_unit_test(the_boot_screen_is_where_the_docs_say),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

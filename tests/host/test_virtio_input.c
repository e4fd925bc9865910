// The virtio input driver's pure parts: names, event bitmaps and axis ranges from the
// configuration (malformed ones refused), events checked against them and translated, and
// positions scaled to 0..NX_INPUT_ABS_MAX at the ends of their ranges.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../user/drivers/virtio-input/input_proto.h"

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

#define KEY_L 38
#define BTN_LEFT 0x110
#define REL_WHEEL 8
#define ABS_X 0
#define ABS_Y 1

static struct vi_device dev;

static const char *absinfo(unsigned axis, int32_t min, int32_t max, unsigned size)
{
    struct vi_absinfo info = { (uint32_t)min, (uint32_t)max, 0, 0, 0 };
    uint8_t data[VI_CFG_DATA_MAX] = { 0 };
    memcpy(data, &info, sizeof info);
    return vi_parse_absinfo(&dev, axis, data, size);
}

static void set_bit(uint8_t *bits, unsigned code)
{
    bits[code / 8] |= (uint8_t)(1u << (code % 8));
}

// A tablet-and-keyboard: KEY_L and BTN_LEFT, the wheel, X in [0, 32767], Y in [-100, 100].
static int setup(void **state)
{
    memset(&dev, 0, sizeof dev);
    uint8_t keys[VI_CFG_DATA_MAX] = { 0 }, rel[2] = { 0 }, abs[1] = { 0 };
    set_bit(keys, KEY_L);
    set_bit(keys, BTN_LEFT);
    set_bit(rel, REL_WHEEL);
    set_bit(abs, ABS_X);
    set_bit(abs, ABS_Y);
    assert_null(vi_parse_bits(&dev, VI_EV_KEY, keys, sizeof keys));
    assert_null(vi_parse_bits(&dev, VI_EV_REL, rel, sizeof rel));
    assert_null(vi_parse_bits(&dev, VI_EV_ABS, abs, sizeof abs));
    assert_null(absinfo(ABS_X, 0, 32767, sizeof(struct vi_absinfo)));
    assert_null(absinfo(ABS_Y, -100, 100, sizeof(struct vi_absinfo)));
    return 0;
}

static void names_are_cut_and_cleaned(void **state)
{
    assert_null(vi_parse_name(&dev, (const uint8_t *)"QEMU Virtio Keyboard", 21));
    assert_string_equal(dev.name, "QEMU Virtio Keyboard");
    assert_null(vi_parse_name(&dev, (const uint8_t *)"a\tb\x80", 4));
    assert_string_equal(dev.name, "a?b?");
    uint8_t longname[VI_CFG_DATA_MAX];
    memset(longname, 'x', sizeof longname);
    assert_null(vi_parse_name(&dev, longname, sizeof longname));
    assert_int_equal(strlen(dev.name), VI_NAME_MAX - 1);
    assert_string_equal(vi_parse_name(&dev, longname, 0), "bad name size");
    assert_string_equal(vi_parse_name(&dev, longname, VI_CFG_DATA_MAX + 1), "bad name size");
}

static void bitmaps_and_axes_are_checked(void **state)
{
    uint8_t data[VI_CFG_DATA_MAX + 1] = { 0xff };
    assert_string_equal(vi_parse_bits(&dev, VI_EV_SYN, data, 1), "bad event type");
    assert_string_equal(vi_parse_bits(&dev, VI_TYPES, data, 1), "bad event type");
    assert_string_equal(vi_parse_bits(&dev, VI_EV_KEY, data, sizeof data),
                        "bad event bitmap size");
    assert_true(vi_has(&dev, VI_EV_KEY, KEY_L));
    assert_true(vi_has(&dev, VI_EV_KEY, BTN_LEFT));
    assert_false(vi_has(&dev, VI_EV_KEY, KEY_L + 1));
    assert_false(vi_has(&dev, VI_EV_KEY, 8 * VI_CFG_DATA_MAX));
    assert_false(vi_has(&dev, VI_EV_SYN, 0));
    assert_string_equal(absinfo(VI_ABS_AXES, 0, 1, sizeof(struct vi_absinfo)), "bad axis");
    assert_string_equal(absinfo(2, 0, 1, 8), "bad axis information size");
    assert_string_equal(absinfo(2, 5, 5, sizeof(struct vi_absinfo)), "bad axis range");
    assert_string_equal(absinfo(2, 5, -5, sizeof(struct vi_absinfo)), "bad axis range");
    assert_false(dev.axes[2].present);
}

static void scaling_maps_the_range_ends(void **state)
{
    struct vi_axis x = { true, 0, 32767 }, y = { true, -100, 100 };
    struct vi_axis wide = { true, INT32_MIN, INT32_MAX };
    assert_int_equal(vi_scale(&x, 0), 0);
    assert_int_equal(vi_scale(&x, 16384), 16384);
    assert_int_equal(vi_scale(&x, 32767), NX_INPUT_ABS_MAX);
    assert_int_equal(vi_scale(&y, -100), 0);
    assert_int_equal(vi_scale(&y, 0), 16383);
    assert_int_equal(vi_scale(&y, 100), NX_INPUT_ABS_MAX);
    assert_int_equal(vi_scale(&wide, INT32_MIN), 0);
    assert_int_equal(vi_scale(&wide, INT32_MAX), NX_INPUT_ABS_MAX);
}

static const char *translate(uint16_t type, uint16_t code, int32_t value,
                             struct nx_input_event *out)
{
    struct vi_event e = { type, code, (uint32_t)value };
    return vi_translate(&dev, &e, 1234, out);
}

static void events_are_translated(void **state)
{
    struct nx_input_event ev;
    assert_null(translate(VI_EV_KEY, KEY_L, 1, &ev));
    assert_int_equal(ev.time_ns, 1234);
    assert_int_equal(ev.type, NX_INPUT_KEY);
    assert_int_equal(ev.code, KEY_L);
    assert_int_equal(ev.value, 1);
    assert_null(translate(VI_EV_KEY, BTN_LEFT, 2, &ev));
    assert_null(translate(VI_EV_REL, REL_WHEEL, -3, &ev));
    assert_int_equal(ev.type, NX_INPUT_REL);
    assert_int_equal(ev.value, -3);
    assert_null(translate(VI_EV_ABS, ABS_Y, 100, &ev));
    assert_int_equal(ev.type, NX_INPUT_ABS);
    assert_int_equal(ev.code, ABS_Y);
    assert_int_equal(ev.value, NX_INPUT_ABS_MAX);
    assert_null(translate(VI_EV_SYN, VI_SYN_REPORT, 0, &ev));
    assert_int_equal(ev.type, NX_INPUT_SYN);
}

static void malformed_events_are_rejected(void **state)
{
    struct nx_input_event ev;
    assert_string_equal(translate(4, 0, 0, &ev), "unsupported event type");
    assert_string_equal(translate(0xffff, 0, 0, &ev), "unsupported event type");
    assert_string_equal(translate(VI_EV_SYN, 3, 0, &ev), "bad synchronisation code");
    assert_string_equal(translate(VI_EV_KEY, KEY_L + 1, 1, &ev),
                        "an event the device does not announce");
    assert_string_equal(translate(VI_EV_KEY, 0xffff, 1, &ev),
                        "an event the device does not announce");
    assert_string_equal(translate(VI_EV_KEY, KEY_L, 3, &ev), "bad key state");
    assert_string_equal(translate(VI_EV_KEY, KEY_L, -1, &ev), "bad key state");
    assert_string_equal(translate(VI_EV_REL, 0, 1, &ev), "an event the device does not announce");
    assert_string_equal(translate(VI_EV_ABS, ABS_X, 32768, &ev), "a position outside its axis");
    assert_string_equal(translate(VI_EV_ABS, ABS_Y, -101, &ev), "a position outside its axis");
    assert_string_equal(translate(VI_EV_ABS, 2, 0, &ev), "an event the device does not announce");
}

// An axis announced in EV_BITS whose ABS_INFO was malformed (never parsed): its events are
// refused, not scaled by a zero range.
static void an_axis_without_its_range_is_refused(void **state)
{
    uint8_t abs[1] = { 1u << 2 };
    struct nx_input_event ev;
    assert_null(vi_parse_bits(&dev, VI_EV_ABS, abs, sizeof abs));
    assert_string_equal(absinfo(2, 7, 7, sizeof(struct vi_absinfo)), "bad axis range");
    assert_string_equal(translate(VI_EV_ABS, 2, 7, &ev), "an axis without its range");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(names_are_cut_and_cleaned, setup),
        cmocka_unit_test_setup(bitmaps_and_axes_are_checked, setup),
        cmocka_unit_test_setup(scaling_maps_the_range_ends, setup),
        cmocka_unit_test_setup(events_are_translated, setup),
        cmocka_unit_test_setup(malformed_events_are_rejected, setup),
        cmocka_unit_test_setup(an_axis_without_its_range_is_refused, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

// libFuzzer target for what a (broken or hostile) virtio input device writes where its driver
// reads: the input's first bytes are configuration selections (a name, event bitmaps, axis
// ranges of any size), the rest events. What the parsers accept and vi_translate passes must
// keep their promises: a NUL-terminated printable name, only types the driver takes, key
// states 0..2, positions within 0..NX_INPUT_ABS_MAX; and nothing is read or written outside
// its buffer (ASan).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/drivers/virtio-input/input_proto.h"

// One selection: its type byte, subsel, size, then size bytes of data (cut at the input's end).
static size_t take_config(struct vi_device *d, const uint8_t *data, size_t size)
{
    if (size < 3)
        return size;
    uint8_t buf[VI_CFG_DATA_MAX + 128] = { 0 };
    unsigned n = data[2];
    memcpy(buf, data + 3, n < size - 3 ? n : size - 3);
    switch (data[0] % 3) {
    case 0:
        if (!vi_parse_name(d, buf, n) && strlen(d->name) >= VI_NAME_MAX)
            abort();
        break;
    case 1:
        vi_parse_bits(d, data[1], buf, n);
        break;
    default:
        if (!vi_parse_absinfo(d, data[1], buf, n) && d->axes[data[1]].min >= d->axes[data[1]].max)
            abort();
    }
    return 3 + (n < size - 3 ? n : size - 3);
}

static void check(const struct nx_input_event *ev)
{
    if (ev->type >= VI_TYPES || ev->time_ns != 7)
        abort();
    if (ev->type == NX_INPUT_KEY && (ev->value < 0 || ev->value > 2))
        abort();
    if (ev->type == NX_INPUT_ABS && (ev->value < 0 || ev->value > NX_INPUT_ABS_MAX))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vi_device d;
    memset(&d, 0, sizeof d);
    size_t nconfig = size ? data[0] % 8 : 0;
    size_t pos = size ? 1 : 0;
    for (size_t i = 0; i < nconfig && pos < size; i++)
        pos += take_config(&d, data + pos, size - pos);
    for (; pos + sizeof(struct vi_event) <= size; pos += sizeof(struct vi_event)) {
        struct vi_event e;
        struct nx_input_event ev;
        memcpy(&e, data + pos, sizeof e);
        if (!vi_translate(&d, &e, 7, &ev))
            check(&ev);
    }
    return 0;
}

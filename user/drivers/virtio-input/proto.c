// The virtio input device's configuration and events (input_proto.h).
#include "input_proto.h"
#include <string.h>

const char *vi_parse_name(struct vi_device *d, const uint8_t *data, unsigned size)
{
    if (size == 0 || size > VI_CFG_DATA_MAX)
        return "bad name size";
    unsigned n = size < VI_NAME_MAX - 1 ? size : VI_NAME_MAX - 1;
    const uint8_t *nul = memchr(data, '\0', n);  // QEMU counts the terminator in the size
    if (nul)
        n = (unsigned)(nul - data);
    for (unsigned i = 0; i < n; i++)
        d->name[i] = data[i] >= ' ' && data[i] < 0x7f ? (char)data[i] : '?';
    d->name[n] = '\0';
    return NULL;
}

const char *vi_parse_bits(struct vi_device *d, unsigned type, const uint8_t *data, unsigned size)
{
    if (type == VI_EV_SYN || type >= VI_TYPES)
        return "bad event type";
    if (size > VI_CFG_DATA_MAX)
        return "bad event bitmap size";
    memset(d->bits[type], 0, sizeof d->bits[type]);
    memcpy(d->bits[type], data, size);
    return NULL;
}

const char *vi_parse_absinfo(struct vi_device *d, unsigned axis, const uint8_t *data,
                             unsigned size)
{
    struct vi_absinfo info;
    if (axis >= VI_ABS_AXES)
        return "bad axis";
    if (size != sizeof info)
        return "bad axis information size";
    memcpy(&info, data, sizeof info);
    if ((int32_t)info.min >= (int32_t)info.max)
        return "bad axis range";
    d->axes[axis] = (struct vi_axis){ true, (int32_t)info.min, (int32_t)info.max };
    return NULL;
}

bool vi_has(const struct vi_device *d, unsigned type, unsigned code)
{
    return type != VI_EV_SYN && type < VI_TYPES && code < 8 * VI_CFG_DATA_MAX &&
           (d->bits[type][code / 8] >> (code % 8) & 1);
}

int32_t vi_scale(const struct vi_axis *a, int32_t v)
{
    return (int32_t)(((int64_t)v - a->min) * NX_INPUT_ABS_MAX / ((int64_t)a->max - a->min));
}

// Why e's value is out of what its type allows, or NULL.
static const char *check_value(const struct vi_device *d, const struct vi_event *e)
{
    int32_t v = (int32_t)e->value;
    switch (e->type) {
    case VI_EV_SYN:
        return e->code == VI_SYN_REPORT ? NULL : "bad synchronisation code";
    case VI_EV_KEY:
        return v >= 0 && v <= 2 ? NULL : "bad key state";
    case VI_EV_ABS: {
        const struct vi_axis *a = e->code < VI_ABS_AXES ? &d->axes[e->code] : NULL;
        if (!a || !a->present)
            return "an axis without its range";
        return v >= a->min && v <= a->max ? NULL : "a position outside its axis";
    }
    default:
        return NULL;
    }
}

const char *vi_translate(const struct vi_device *d, const struct vi_event *e, uint64_t now,
                         struct nx_input_event *out)
{
    if (e->type >= VI_TYPES)
        return "unsupported event type";
    if (e->type != VI_EV_SYN && !vi_has(d, e->type, e->code))
        return "an event the device does not announce";
    const char *why = check_value(d, e);
    if (why)
        return why;
    int32_t v = (int32_t)e->value;
    *out = (struct nx_input_event){
        .time_ns = now,
        .type = e->type,
        .code = e->code,
        .value = e->type == VI_EV_ABS ? vi_scale(&d->axes[e->code], v) : v,
    };
    return NULL;
}

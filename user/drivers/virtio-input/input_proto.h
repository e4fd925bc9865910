#pragma once
// The virtio input device's wire formats (virtio 1.2 spec 5.8) and what the driver makes of
// them: its configuration (name, supported events, absolute axes) and its events, checked
// against that configuration and turned into nx_input_events. Pure, no system calls
// (host-tested, fuzzed).
#include <stdbool.h>
#include <stdint.h>
#include <nx/input.h>

// The configuration space: the driver writes select and subsel, the device answers with size
// bytes of data (0: nothing for that selection).
#define VI_CFG_SELECT 0     // u8 select, u8 subsel, u8 size, 5 reserved: one word written
#define VI_CFG_SIZE 2
#define VI_CFG_DATA 8
#define VI_CFG_DATA_MAX 128
#define VI_CFG_ID_NAME 0x01
#define VI_CFG_EV_BITS 0x11  // subsel: the event type; data: a bitmap of its codes
#define VI_CFG_ABS_INFO 0x12 // subsel: the axis; data: struct vi_absinfo

#define VI_EV_SYN 0
#define VI_EV_KEY 1
#define VI_EV_REL 2
#define VI_EV_ABS 3
#define VI_TYPES 4           // the event types the driver takes
#define VI_SYN_REPORT 0
#define VI_ABS_AXES 64       // ABS_MAX + 1
#define VI_NAME_MAX 48

// One event as the device writes it into a buffer of the event queue (little-endian).
struct vi_event {
    uint16_t type;
    uint16_t code;
    uint32_t value;
};

struct vi_absinfo {
    uint32_t min, max, fuzz, flat, res;
};

struct vi_axis {
    bool present;
    int32_t min, max;
};

// What the configuration says the device sends.
struct vi_device {
    char name[VI_NAME_MAX];
    uint8_t bits[VI_TYPES][VI_CFG_DATA_MAX];  // EV_BITS per type (EV_SYN's unused)
    struct vi_axis axes[VI_ABS_AXES];
};

// The device's name from size bytes of ID_NAME data: up to a NUL, cut to VI_NAME_MAX - 1,
// anything but printable ASCII as '?'. NULL, or why it is malformed.
const char *vi_parse_name(struct vi_device *d, const uint8_t *data, unsigned size);
// The codes of event type type (EV_KEY, EV_REL or EV_ABS) the device sends: size bytes of
// EV_BITS data. NULL, or why malformed.
const char *vi_parse_bits(struct vi_device *d, unsigned type, const uint8_t *data, unsigned size);
// Axis axis's range from size bytes of ABS_INFO data. NULL, or why malformed.
const char *vi_parse_absinfo(struct vi_device *d, unsigned axis, const uint8_t *data,
                             unsigned size);
// Whether the device sends code of type (per its EV_BITS).
bool vi_has(const struct vi_device *d, unsigned type, unsigned code);
// v of axis a scaled from [a->min, a->max] to [0, NX_INPUT_ABS_MAX].
int32_t vi_scale(const struct vi_axis *a, int32_t v);
// The system's event for the device's event e at time now. NULL, or why e is malformed (a
// type, code or value the configuration does not allow).
const char *vi_translate(const struct vi_device *d, const struct vi_event *e, uint64_t now,
                         struct nx_input_event *out);

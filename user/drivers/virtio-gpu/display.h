#pragma once
// The virtio GPU device as one display: its control queue, and one 2D resource whose backing
// is the pages of a framebuffer VMO, scanned out by DMA (the driver copies no pixel). Commands
// go one at a time; each waits for the device's answer at most DISPLAY_TIMEOUT_NS.
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/virtio.h>
#include "gpu_proto.h"

#define DISPLAY_TIMEOUT_NS 1000000000ull

struct display {
    uint32_t *fb;          // width x height pixels 0x00RRGGBB, rows back to back
    uint32_t width, height;
    nx_handle_t vmo;       // the framebuffer's
    uint32_t flushes;      // display_flush calls that reached the device
    uint64_t bytes;        // bytes they had the device take from the framebuffer
};

// Start the device found at dev: features, control queue, the mode (GET_DISPLAY_INFO), the
// framebuffer and its resource (RESOURCE_CREATE_2D, RESOURCE_ATTACH_BACKING), scanout
// (SET_SCANOUT). NULL, or why not (the device is then marked FAILED).
const char *display_start(const struct virtio_dev *dev, struct display *d);
// Show the damaged rectangle r of the framebuffer (clipped to the screen; nothing left of it
// is no command): TRANSFER_TO_HOST_2D, then RESOURCE_FLUSH, of r only. NULL, or why not.
const char *display_flush(struct display *d, struct gpu_rect r);

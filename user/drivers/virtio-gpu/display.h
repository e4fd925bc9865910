#pragma once
// The virtio GPU device as one display: its control queue, and one 2D resource whose backing
// is the pages of a framebuffer VMO, scanned out by DMA (the driver copies no pixel). Commands
// go one at a time; each waits for the device's answer at most DISPLAY_TIMEOUT_NS.
#include <stddef.h>
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
// Resource id of width x height pixels (format VIRTIO_GPU_FORMAT_*) backed by the npages pages
// at pages[] (RESOURCE_CREATE_2D, RESOURCE_ATTACH_BACKING). NULL, or why not.
const char *display_resource(uint32_t id, uint32_t width, uint32_t height, uint32_t format,
                             const uint64_t *pages, size_t npages);
// Resource id detached from its pages and freed (RESOURCE_DETACH_BACKING, RESOURCE_UNREF).
const char *display_release(uint32_t id);
// Scan resource id (the mode's size) out: SET_SCANOUT.
const char *display_scanout(const struct display *d, uint32_t id);
// The rectangle r (inside the resource) of resource id, width pixels a row, to the screen:
// TRANSFER_TO_HOST_2D and RESOURCE_FLUSH; counted in d. NULL, or why not.
const char *display_show(struct display *d, uint32_t id, uint32_t width, struct gpu_rect r);
// The hardware cursor: the 64 x 64 resource id's image (0: none) with its hot spot, at (x, y)
// (UPDATE_CURSOR on the cursor queue); moved (MOVE_CURSOR).
const char *display_cursor(uint32_t id, uint32_t hot_x, uint32_t hot_y, int32_t x, int32_t y);
const char *display_move_cursor(int32_t x, int32_t y);
// Show the damaged rectangle r of the framebuffer (clipped to the screen; nothing left of it
// is no command): TRANSFER_TO_HOST_2D, then RESOURCE_FLUSH, of r only. NULL, or why not.
const char *display_flush(struct display *d, struct gpu_rect r);

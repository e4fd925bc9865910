#pragma once
// The GPU driver's protocol (service `gpu`, program `virtio-gpu`; docs/graphics.md, "The
// display protocol"): what the compositor asks of the display. Every operation follows
// nx/rpc.h (label = operation, request struct in the bytes, status in reply word 0).
//
// One client owns the display at a time: NX_GPU_ACQUIRE makes the caller (by its badge) the
// owner, and every operation but NX_GPU_INFO refuses anyone else (NX_ERR_ACCESS). A new owner
// (a restarted compositor) replaces the old one: the old owner's resources are released and
// the driver's own framebuffer (the boot screen) is scanned out until the new owner sets a
// scanout of its own. The boot screen stays until then.
//
// A resource is a VMO of the client's attached to the device as a 2D resource: its pages are
// pinned and given to the device as the backing (RESOURCE_ATTACH_BACKING), no copy. Pixels are
// B8G8R8X8 (a little-endian 0x00RRGGBB word; B8G8R8A8 with NX_GPU_ATTACH_ALPHA), rows w * 4
// bytes apart.
#include <stdint.h>

#define NX_GPU_SERVICE "gpu"
#define NX_GPU_MAX_RESOURCES 8     // attached at once
#define NX_GPU_MAX_RECTS 16        // per NX_GPU_FLUSH
#define NX_GPU_CURSOR_SIZE 64      // the cursor image: 64 x 64 pixels, B8G8R8A8

enum {
    // Reply: struct nx_gpu_info. Anyone may ask.
    NX_GPU_INFO = 0x47000001,
    // Become the owner (see above). Reply: 1 handle, the driver's process (READ: the owner
    // watches it with nx_process_watch; a restarted driver, behind the same endpoint, has no
    // owner and no resources until acquired again).
    NX_GPU_ACQUIRE,
    // Request: struct nx_gpu_attach and one handle: the VMO (READ and DMA; at least w * h * 4
    // bytes). Reply: struct nx_gpu_resource (the id). Errors: NX_ERR_INVALID (no handle, w or
    // h 0 or over 4096, unknown flags), NX_ERR_ACCESS (a right missing), NX_ERR_TOO_BIG (the
    // VMO is smaller than the image), NX_ERR_NO_SPACE (NX_GPU_MAX_RESOURCES attached),
    // NX_ERR_IO (the device refused).
    NX_GPU_ATTACH,
    // Request: struct nx_gpu_resource. The resource is detached and freed (its pages are the
    // VMO's again); if it was scanned out, the driver's own framebuffer is. NX_ERR_NOT_FOUND.
    NX_GPU_DETACH,
    // Request: struct nx_gpu_resource. Scan the resource out (SET_SCANOUT): it must be the
    // mode's size (NX_ERR_INVALID). Id 0: the driver's own framebuffer.
    NX_GPU_SCANOUT,
    // Request: struct nx_gpu_flush (n rectangles; the bytes may stop after the n-th). The
    // rectangles (clipped to the resource) go to the screen: TRANSFER_TO_HOST_2D and
    // RESOURCE_FLUSH of each. NX_ERR_INVALID (n 0 or over NX_GPU_MAX_RECTS, bytes short).
    NX_GPU_FLUSH,
    // Request: struct nx_gpu_cursor. The hardware cursor's image: a 64 x 64 resource
    // (NX_ERR_INVALID otherwise; id 0 hides the cursor), its hot spot, and where it is.
    NX_GPU_CURSOR,
    // Request: struct nx_gpu_move. The cursor moves (MOVE_CURSOR); no pixel is copied.
    NX_GPU_MOVE_CURSOR,
};

struct nx_gpu_info {
    uint32_t width, height;
};

#define NX_GPU_ATTACH_ALPHA (1u << 0)  // B8G8R8A8 (the cursor's image)

struct nx_gpu_attach {
    uint32_t width, height;
    uint32_t flags;
};

struct nx_gpu_resource {
    uint32_t id;
};

struct nx_gpu_rect {
    uint32_t x, y, width, height;
};

struct nx_gpu_flush {
    uint32_t id;
    uint32_t n;
    struct nx_gpu_rect rects[NX_GPU_MAX_RECTS];
};

struct nx_gpu_cursor {
    uint32_t id;
    uint32_t hot_x, hot_y;
    int32_t x, y;
};

struct nx_gpu_move {
    int32_t x, y;
};

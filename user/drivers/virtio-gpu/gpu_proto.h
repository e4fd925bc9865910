#pragma once
// The virtio GPU device's 2D command set (virtio 1.x, 5.7.6) and the driver's pure parts on
// it (host-tested): checking what the device answers, picking the mode, describing the
// framebuffer's pages, clipping damage. All fields little-endian, as RISC-V and the host are.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Commands.
#define VIRTIO_GPU_CMD_GET_DISPLAY_INFO 0x0100u
#define VIRTIO_GPU_CMD_RESOURCE_CREATE_2D 0x0101u
#define VIRTIO_GPU_CMD_SET_SCANOUT 0x0103u
#define VIRTIO_GPU_CMD_RESOURCE_FLUSH 0x0104u
#define VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D 0x0105u
#define VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING 0x0106u
#define VIRTIO_GPU_CMD_RESOURCE_UNREF 0x0102u
#define VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING 0x0107u
// The cursor queue's commands (the device answers them with no response).
#define VIRTIO_GPU_CMD_UPDATE_CURSOR 0x0300u
#define VIRTIO_GPU_CMD_MOVE_CURSOR 0x0301u
// Responses: success, then errors.
#define VIRTIO_GPU_RESP_OK_NODATA 0x1100u
#define VIRTIO_GPU_RESP_OK_DISPLAY_INFO 0x1101u
#define VIRTIO_GPU_RESP_ERR_UNSPEC 0x1200u
#define VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER 0x1205u

// Pixels as bytes B, G, R, X: a little-endian uint32_t 0x00RRGGBB (A8: 0xAARRGGBB).
#define VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM 1u
#define VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM 2u

#define VIRTIO_GPU_MAX_SCANOUTS 16u
// virtio_gpu_config (byte offsets into the configuration space).
#define VIRTIO_GPU_CFG_NUM_SCANOUTS 0x08

struct virtio_gpu_ctrl_hdr {
    uint32_t type;
    uint32_t flags;
    uint64_t fence_id;
    uint32_t ctx_id;
    uint8_t ring_idx;
    uint8_t padding[3];
};

struct gpu_rect {
    uint32_t x, y, width, height;
};

struct virtio_gpu_resp_display_info {
    struct virtio_gpu_ctrl_hdr hdr;
    struct {
        struct gpu_rect r;
        uint32_t enabled;
        uint32_t flags;
    } pmodes[VIRTIO_GPU_MAX_SCANOUTS];
};

struct virtio_gpu_resource_create_2d {
    struct virtio_gpu_ctrl_hdr hdr;
    uint32_t resource_id;
    uint32_t format;
    uint32_t width;
    uint32_t height;
};

struct virtio_gpu_resource_attach_backing {
    struct virtio_gpu_ctrl_hdr hdr;
    uint32_t resource_id;
    uint32_t nr_entries;  // followed by that many virtio_gpu_mem_entry
};

struct virtio_gpu_mem_entry {
    uint64_t addr;
    uint32_t length;
    uint32_t padding;
};

struct virtio_gpu_set_scanout {
    struct virtio_gpu_ctrl_hdr hdr;
    struct gpu_rect r;
    uint32_t scanout_id;
    uint32_t resource_id;
};

struct virtio_gpu_transfer_to_host_2d {
    struct virtio_gpu_ctrl_hdr hdr;
    struct gpu_rect r;
    uint64_t offset;  // of the rectangle's first pixel in the backing
    uint32_t resource_id;
    uint32_t padding;
};

struct virtio_gpu_resource_flush {
    struct virtio_gpu_ctrl_hdr hdr;
    struct gpu_rect r;
    uint32_t resource_id;
    uint32_t padding;
};

// RESOURCE_UNREF and RESOURCE_DETACH_BACKING.
struct virtio_gpu_resource_ref {
    struct virtio_gpu_ctrl_hdr hdr;
    uint32_t resource_id;
    uint32_t padding;
};

struct virtio_gpu_cursor_pos {
    uint32_t scanout_id;
    uint32_t x, y;
    uint32_t padding;
};

// UPDATE_CURSOR and MOVE_CURSOR (which reads only pos).
struct virtio_gpu_update_cursor {
    struct virtio_gpu_ctrl_hdr hdr;
    struct virtio_gpu_cursor_pos pos;
    uint32_t resource_id;
    uint32_t hot_x, hot_y;
    uint32_t padding;
};

_Static_assert(sizeof(struct virtio_gpu_update_cursor) == 56, "5.7.6.10");
_Static_assert(sizeof(struct virtio_gpu_ctrl_hdr) == 24, "virtio 1.x, 5.7.6.7");
_Static_assert(sizeof(struct virtio_gpu_resp_display_info) == 24 + 16 * 24, "5.7.6.8");
_Static_assert(sizeof(struct virtio_gpu_mem_entry) == 16, "5.7.6.8");
_Static_assert(sizeof(struct virtio_gpu_transfer_to_host_2d) == 56, "5.7.6.8");

// The largest mode the driver takes: a bigger one (or a zero one) from the device is malformed.
#define GPU_MAX_DIM 4096u

// NULL if the len bytes the device wrote at resp are a whole response of type want (at least
// want_len bytes); else why not, naming the device's error ("invalid parameter"...).
const char *gpu_check_response(const void *resp, uint32_t len, uint32_t want, uint32_t want_len);
// The first enabled scanout of the num_scanouts the device has, from its display info: NULL
// and *scanout, *mode (x = y = 0); else why not (no scanout enabled, a size of 0 or over
// GPU_MAX_DIM, num_scanouts 0 or over VIRTIO_GPU_MAX_SCANOUTS).
const char *gpu_pick_mode(const struct virtio_gpu_resp_display_info *info, uint32_t num_scanouts,
                          uint32_t *scanout, struct gpu_rect *mode);
// The backing entries for n pages at the physical addresses pages[] (bytes, n * 4096 of
// them): physically adjacent pages share one entry. Returns how many were written to out
// (room for n).
size_t gpu_backing_entries(const uint64_t *pages, size_t n, struct virtio_gpu_mem_entry *out);
// Clip r to a width x height screen; false if nothing is left of it.
bool gpu_clip(struct gpu_rect *r, uint32_t width, uint32_t height);


// ---- the display protocol's pure parts (nx/gpu.h) ----
#include <nx/gpu.h>

// Resource ids the driver gives clients: GPU_RES_FIRST on (1 is its own framebuffer's).
#define GPU_RES_FIRST 2u

struct gpu_res {
    bool used;
    uint32_t width, height;
    uint32_t vmo;        // the client's VMO (a handle of the driver's)
    size_t pages;        // pinned
};

struct gpu_res_table {
    struct gpu_res r[NX_GPU_MAX_RESOURCES];
};

// Whether an attach request is acceptable: NX_OK, NX_ERR_INVALID (size 0 or over GPU_MAX_DIM,
// unknown flags), NX_ERR_ACCESS (the VMO handle's rights lack READ or DMA), NX_ERR_TOO_BIG
// (vmo_size below width x height x 4).
long gpu_check_attach(const struct nx_gpu_attach *a, uint32_t rights, uint64_t vmo_size);
// A free entry's index, or NX_ERR_NO_SPACE.
long gpu_res_free(const struct gpu_res_table *t);
// The resource with id, or NULL (never used, freed, out of range).
struct gpu_res *gpu_res_find(struct gpu_res_table *t, uint32_t id);
static inline uint32_t gpu_res_id(const struct gpu_res_table *t, const struct gpu_res *r)
{
    return GPU_RES_FIRST + (uint32_t)(r - t->r);
}
// The rectangles of a flush request of len bytes, clipped to a width x height resource, into
// out (room for NX_GPU_MAX_RECTS): NX_OK and *n (rectangles wholly outside are dropped), or
// NX_ERR_INVALID (n 0 or over NX_GPU_MAX_RECTS, len short of the n rectangles).
long gpu_flush_rects(const struct nx_gpu_flush *f, size_t len, uint32_t width, uint32_t height,
                     struct gpu_rect *out, size_t *n);

// The virtio GPU driver's pure parts (gpu_proto.h): no system calls, host-tested.
#include "gpu_proto.h"

#define PAGE 4096u

// One static message per error response, VIRTIO_GPU_RESP_ERR_UNSPEC on.
static const char *const errors[] = {
    "the device failed the command: an unspecified error",
    "the device failed the command: out of memory",
    "the device failed the command: an invalid scanout ID",
    "the device failed the command: an invalid resource ID",
    "the device failed the command: an invalid context ID",
    "the device failed the command: an invalid parameter",
};

const char *gpu_check_response(const void *resp, uint32_t len, uint32_t want, uint32_t want_len)
{
    const struct virtio_gpu_ctrl_hdr *hdr = resp;
    if (len < sizeof *hdr)
        return "the device answered with a short response";
    if (hdr->type == want)
        return len < want_len ? "the device answered with a short response" : NULL;
    uint32_t e = hdr->type - VIRTIO_GPU_RESP_ERR_UNSPEC;
    if (e >= sizeof errors / sizeof errors[0])
        return "the device answered with an unknown response type";
    return errors[e];
}

const char *gpu_pick_mode(const struct virtio_gpu_resp_display_info *info, uint32_t num_scanouts,
                          uint32_t *scanout, struct gpu_rect *mode)
{
    if (num_scanouts == 0 || num_scanouts > VIRTIO_GPU_MAX_SCANOUTS)
        return "the device reports a bad number of scanouts";
    for (uint32_t i = 0; i < num_scanouts; i++) {
        const struct gpu_rect *r = &info->pmodes[i].r;
        if (!info->pmodes[i].enabled)
            continue;
        if (r->width == 0 || r->height == 0 || r->width > GPU_MAX_DIM || r->height > GPU_MAX_DIM)
            return "the device reports a mode of a bad size";
        *scanout = i;
        *mode = (struct gpu_rect){ 0, 0, r->width, r->height };
        return NULL;
    }
    return "the device has no enabled scanout";
}

size_t gpu_backing_entries(const uint64_t *pages, size_t n, struct virtio_gpu_mem_entry *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && out[k - 1].addr + out[k - 1].length == pages[i] &&
            out[k - 1].length <= UINT32_MAX - PAGE) {
            out[k - 1].length += PAGE;
            continue;
        }
        out[k++] = (struct virtio_gpu_mem_entry){ pages[i], PAGE, 0 };
    }
    return k;
}

bool gpu_clip(struct gpu_rect *r, uint32_t width, uint32_t height)
{
    if (r->x >= width || r->y >= height || r->width == 0 || r->height == 0)
        return false;
    if (r->width > width - r->x)
        r->width = width - r->x;
    if (r->height > height - r->y)
        r->height = height - r->y;
    return true;
}

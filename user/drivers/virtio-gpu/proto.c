// The virtio GPU driver's pure parts (gpu_proto.h): no system calls, host-tested.
#include "gpu_proto.h"
#include <stddef.h>
#include <string.h>
#include <nexus/errors.h>
#include <nexus/handle.h>

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

long gpu_check_attach(const struct nx_gpu_attach *a, uint32_t rights, uint64_t vmo_size)
{
    if (a->width == 0 || a->height == 0 || a->width > GPU_MAX_DIM || a->height > GPU_MAX_DIM ||
        (a->flags & ~NX_GPU_ATTACH_ALPHA))
        return NX_ERR_INVALID;
    uint32_t need = NX_RIGHT_READ | NX_RIGHT_DMA;
    if ((rights & need) != need)
        return NX_ERR_ACCESS;
    return vmo_size < (uint64_t)a->width * a->height * 4 ? NX_ERR_TOO_BIG : NX_OK;
}

long gpu_res_free(const struct gpu_res_table *t)
{
    for (long i = 0; i < NX_GPU_MAX_RESOURCES; i++)
        if (!t->r[i].used)
            return i;
    return NX_ERR_NO_SPACE;
}

struct gpu_res *gpu_res_find(struct gpu_res_table *t, uint32_t id)
{
    if (id < GPU_RES_FIRST || id - GPU_RES_FIRST >= NX_GPU_MAX_RESOURCES)
        return NULL;
    struct gpu_res *r = &t->r[id - GPU_RES_FIRST];
    return r->used ? r : NULL;
}

long gpu_flush_rects(const struct nx_gpu_flush *f, size_t len, uint32_t width, uint32_t height,
                     struct gpu_rect *out, size_t *n)
{
    if (len < offsetof(struct nx_gpu_flush, rects) || f->n == 0 || f->n > NX_GPU_MAX_RECTS ||
        len < offsetof(struct nx_gpu_flush, rects) + f->n * sizeof f->rects[0])
        return NX_ERR_INVALID;
    *n = 0;
    for (uint32_t i = 0; i < f->n; i++) {
        struct gpu_rect r;
        memcpy(&r, &f->rects[i], sizeof r);
        if (gpu_clip(&r, width, height))
            out[(*n)++] = r;
    }
    return NX_OK;
}

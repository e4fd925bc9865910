// libFuzzer target for what a (broken or hostile) virtio device writes where the drivers read:
// - the used ring: the input's entries are offered after chains of various lengths went out;
//   virtq_take must hand back only heads in flight, each once, free exactly their
//   descriptors, and never read or write outside the rings (ASan);
// - a GPU response and display info: gpu_check_response and gpu_pick_mode must refuse what is
//   malformed and, when they accept, keep their promises (the type asked for, a mode within
//   the limits on an enabled scanout the device has).
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <nx/virtq.h>

#include "../../user/drivers/virtio-gpu/gpu_proto.h"

#define SIZE 16

static void fuzz_used_ring(const uint8_t *data, size_t size)
{
    static struct virtq_desc desc[SIZE];
    static struct { uint16_t flags, idx, ring[SIZE]; } avail;
    static struct { uint16_t flags, idx; struct virtq_used_elem ring[SIZE]; } used;
    struct virtq q;
    memset(desc, 0, sizeof desc);
    memset(&avail, 0, sizeof avail);
    memset(&used, 0, sizeof used);
    virtq_init(&q, SIZE, desc, &avail, &used);
    bool in_flight[SIZE] = { false };
    struct virtq_buf bufs[4] = { { 0x1000, 16, false }, { 0x2000, 8, true }, { 0x3000, 4, true },
                                 { 0x4000, 1, true } };
    for (uint16_t n = 1; n <= 4; n++) {  // 10 of the 16 descriptors in 4 chains
        int head = virtq_submit(&q, bufs, n);
        if (head < 0)
            abort();
        in_flight[head] = true;
    }
    size_t entries = size / sizeof(struct virtq_used_elem);
    if (entries > SIZE)
        entries = SIZE;
    memcpy(used.ring, data, entries * sizeof(struct virtq_used_elem));
    used.idx = (uint16_t)entries;
    uint32_t len;
    for (int head, taken = 0; (head = virtq_take(&q, &len)) != -1; taken++) {
        if (taken >= SIZE || head < -2 || head >= SIZE || (head >= 0 && !in_flight[head]))
            abort();
        if (head >= 0)
            in_flight[head] = false;
    }
    uint16_t still = 0;
    for (int i = 0; i < SIZE; i++)
        still += in_flight[i];
    if (virtq_in_flight(&q) != still)
        abort();
}

static void fuzz_gpu(const uint8_t *data, size_t size)
{
    struct virtio_gpu_resp_display_info info;
    uint32_t num_scanouts = 0;
    if (size < sizeof num_scanouts)
        return;
    memcpy(&num_scanouts, data, sizeof num_scanouts);
    data += sizeof num_scanouts;
    size -= sizeof num_scanouts;
    memset(&info, 0, sizeof info);
    memcpy(&info, data, size < sizeof info ? size : sizeof info);
    uint32_t len = (uint32_t)(size < sizeof info ? size : sizeof info);
    if (!gpu_check_response(&info, len, VIRTIO_GPU_RESP_OK_DISPLAY_INFO, sizeof info) &&
        (len != sizeof info || info.hdr.type != VIRTIO_GPU_RESP_OK_DISPLAY_INFO))
        abort();
    uint32_t scanout;
    struct gpu_rect mode;
    if (gpu_pick_mode(&info, num_scanouts, &scanout, &mode))
        return;
    if (scanout >= num_scanouts || scanout >= VIRTIO_GPU_MAX_SCANOUTS ||
        !info.pmodes[scanout].enabled || mode.x || mode.y || !mode.width || !mode.height ||
        mode.width > GPU_MAX_DIM || mode.height > GPU_MAX_DIM)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_used_ring(data, size);
    fuzz_gpu(data, size);
    return 0;
}

// The virtio GPU display (display.h). The device answers each command in the response buffer
// of its chain and interrupts; the driver sleeps on its line's notification until then
// (bounded per command).
#include "display.h"
#include <stdlib.h>
#include <string.h>
#include <nx/nx.h>
#include <nx/virtq.h>

#define CONTROLQ 0
#define CURSORQ 1
#define RESOURCE_ID 1
// The control queue's memory: its rings, one page for the command, one for the response;
// then the cursor queue's rings and one page for its command.
enum { QPAGE_CMD = VIRTIO_QUEUE_PAGES, QPAGE_RESP, CPAGE_RINGS,
       CPAGE_CMD = CPAGE_RINGS + VIRTIO_QUEUE_PAGES, QPAGES };
// Pages of backing entries the largest framebuffer can need (one entry per page at worst).
#define ENTRY_PAGES_MAX                                                                  \
    ((GPU_MAX_DIM * GPU_MAX_DIM * 4 / VIRTIO_PAGE) * sizeof(struct virtio_gpu_mem_entry) / \
     VIRTIO_PAGE)

static struct virtio_dev dev;
static struct virtq q, cq;
static uint8_t *qmem;
static uint64_t qpa[QPAGES];
static uint32_t scanout;

static void *cmd_buf(void)
{
    return qmem + QPAGE_CMD * VIRTIO_PAGE;
}

// Wait for the chain at head of queue vq to come back, at most DISPLAY_TIMEOUT_NS; *len =
// bytes written.
static const char *await(struct virtq *vq, int head, uint32_t *len)
{
    uint64_t deadline = (uint64_t)nx_clock_get() + DISPLAY_TIMEOUT_NS;
    int got;
    // An interrupt may be left over from a command answered before the driver waited for it
    // (on either queue): a wake-up with nothing new only sends it back to sleep.
    while ((got = virtq_take(vq, len)) == -1) {
        if (virtio_wait(&dev, deadline) != NX_OK)
            return "the device did not answer a command within 1 s";
        nx_irq_ack(dev.irq);
    }
    return got == head ? NULL : "the device completed a command it was not given";
}

// Send the cmd_len bytes of the command page, then the nextra buffers of extra, and check that
// the device answers with a response of type want and resp_len bytes.
static const char *command(uint32_t cmd_len, const struct virtq_buf *extra, size_t nextra,
                           uint32_t want, uint32_t resp_len)
{
    struct virtq_buf bufs[ENTRY_PAGES_MAX + 2];
    size_t n = 0;
    bufs[n++] = (struct virtq_buf){ qpa[QPAGE_CMD], cmd_len, false };
    for (size_t i = 0; i < nextra; i++)
        bufs[n++] = extra[i];
    bufs[n++] = (struct virtq_buf){ qpa[QPAGE_RESP], VIRTIO_PAGE, true };
    uint8_t *resp = qmem + QPAGE_RESP * VIRTIO_PAGE;
    memset(resp, 0, resp_len);
    int head = virtq_submit(&q, bufs, (uint16_t)n);
    if (head < 0)
        return "the control queue is too short for the command";
    virtio_notify(&dev, CONTROLQ);
    uint32_t len;
    const char *why = await(&q, head, &len);
    return why ? why : gpu_check_response(resp, len, want, resp_len);
}

static const char *simple(const void *cmd, uint32_t cmd_len)
{
    memcpy(cmd_buf(), cmd, cmd_len);
    return command(cmd_len, NULL, 0, VIRTIO_GPU_RESP_OK_NODATA,
                   sizeof(struct virtio_gpu_ctrl_hdr));
}

static struct virtio_gpu_ctrl_hdr hdr(uint32_t type)
{
    return (struct virtio_gpu_ctrl_hdr){ .type = type };
}

static const char *get_mode(struct gpu_rect *mode)
{
    uint32_t num_scanouts;
    virtio_config_read(&dev, VIRTIO_GPU_CFG_NUM_SCANOUTS, &num_scanouts, 1);
    struct virtio_gpu_ctrl_hdr h = hdr(VIRTIO_GPU_CMD_GET_DISPLAY_INFO);
    memcpy(cmd_buf(), &h, sizeof h);
    const char *why = command(sizeof h, NULL, 0, VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
                              sizeof(struct virtio_gpu_resp_display_info));
    if (why)
        return why;
    struct virtio_gpu_resp_display_info info;
    memcpy(&info, qmem + QPAGE_RESP * VIRTIO_PAGE, sizeof info);
    return gpu_pick_mode(&info, num_scanouts, &scanout, mode);
}

static const char *start_queue(void)
{
    const char *why = virtio_dma_alloc(QPAGES, (void **)&qmem, qpa, NULL);
    // The longest command: header, its backing entries' pages, response.
    if (!why)
        why = virtio_queue(&dev, CONTROLQ, ENTRY_PAGES_MAX + 2, &q, qmem, qpa);
    if (!why)
        why = virtio_queue(&dev, CURSORQ, 1, &cq, qmem + CPAGE_RINGS * VIRTIO_PAGE,
                           qpa + CPAGE_RINGS);
    return why;
}

// The framebuffer: a VMO of the mode's size, mapped here, its pages pinned for the device.
static const char *make_framebuffer(struct display *d, uint64_t **pages, size_t *npages)
{
    *npages = ((size_t)d->width * d->height * 4 + VIRTIO_PAGE - 1) / VIRTIO_PAGE;
    *pages = malloc(*npages * sizeof **pages);
    if (!*pages)
        return "no memory for the framebuffer's page list";
    if (virtio_dma_alloc(*npages, (void **)&d->fb, *pages, &d->vmo))
        return "no memory for the framebuffer";
    return NULL;
}

// RESOURCE_ATTACH_BACKING: the framebuffer's pages, as entries in pages of their own (one
// descriptor each: they need not be physically adjacent).
static const char *attach_backing(uint32_t id, const uint64_t *pages, size_t npages)
{
    size_t bytes = npages * sizeof(struct virtio_gpu_mem_entry);
    size_t epages = (bytes + VIRTIO_PAGE - 1) / VIRTIO_PAGE;
    struct virtio_gpu_mem_entry *entries;
    uint64_t epa[ENTRY_PAGES_MAX];
    nx_handle_t evmo;
    if (epages > ENTRY_PAGES_MAX || virtio_dma_alloc(epages, (void **)&entries, epa, &evmo))
        return "no memory for the backing entries";
    size_t n = gpu_backing_entries(pages, npages, entries);
    struct virtq_buf extra[ENTRY_PAGES_MAX];
    bytes = n * sizeof *entries;
    for (size_t i = 0; i * VIRTIO_PAGE < bytes; i++) {
        size_t len = bytes - i * VIRTIO_PAGE < VIRTIO_PAGE ? bytes - i * VIRTIO_PAGE : VIRTIO_PAGE;
        extra[i] = (struct virtq_buf){ epa[i], (uint32_t)len, false };
    }
    struct virtio_gpu_resource_attach_backing ab = {
        hdr(VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING), id, (uint32_t)n,
    };
    memcpy(cmd_buf(), &ab, sizeof ab);
    const char *why = command(sizeof ab, extra, (bytes + VIRTIO_PAGE - 1) / VIRTIO_PAGE,
                              VIRTIO_GPU_RESP_OK_NODATA, sizeof(struct virtio_gpu_ctrl_hdr));
    // The device copied the entries into its own list: their pages are done with.
    nx_vm_unmap(nx_self, (uint64_t)(uintptr_t)entries, epages * VIRTIO_PAGE);
    nx_handle_close(evmo);
    return why;
}

const char *display_resource(uint32_t id, uint32_t width, uint32_t height, uint32_t format,
                             const uint64_t *pages, size_t npages)
{
    struct virtio_gpu_resource_create_2d create = {
        hdr(VIRTIO_GPU_CMD_RESOURCE_CREATE_2D), id, format, width, height,
    };
    const char *why = simple(&create, sizeof create);
    if (!why && (why = attach_backing(id, pages, npages)))
        display_release(id);
    return why;
}

const char *display_release(uint32_t id)
{
    struct virtio_gpu_resource_ref ref = { hdr(VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING), id, 0 };
    const char *why = simple(&ref, sizeof ref);
    ref.hdr = hdr(VIRTIO_GPU_CMD_RESOURCE_UNREF);
    const char *unref = simple(&ref, sizeof ref);
    return why ? why : unref;
}

const char *display_scanout(const struct display *d, uint32_t id)
{
    struct virtio_gpu_set_scanout set = {
        hdr(VIRTIO_GPU_CMD_SET_SCANOUT), { 0, 0, d->width, d->height }, scanout, id,
    };
    return simple(&set, sizeof set);
}

static const char *make_resource(struct display *d)
{
    uint64_t *pages;
    size_t npages;
    const char *why = make_framebuffer(d, &pages, &npages);
    if (!why)
        why = display_resource(RESOURCE_ID, d->width, d->height,
                               VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, pages, npages);
    free(pages);
    return why ? why : display_scanout(d, RESOURCE_ID);
}

const char *display_start(const struct virtio_dev *found, struct display *d)
{
    dev = *found;
    uint64_t features;
    struct gpu_rect mode;
    const char *why = virtio_begin(&dev, 0, &features);
    if (!why)
        why = start_queue();
    if (!why) {
        virtio_ready(&dev);  // the device takes commands only once the driver is ready
        why = get_mode(&mode);
    }
    if (!why) {
        *d = (struct display){ .width = mode.width, .height = mode.height };
        why = make_resource(d);
    }
    if (why)
        virtio_fail(&dev);
    return why;
}

const char *display_flush(struct display *d, struct gpu_rect r)
{
    if (!gpu_clip(&r, d->width, d->height))
        return NULL;
    return display_show(d, RESOURCE_ID, d->width, r);
}

static const char *transfer(uint32_t id, uint32_t width, struct gpu_rect r)
{
    struct virtio_gpu_transfer_to_host_2d t = {
        hdr(VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D), r, ((uint64_t)r.y * width + r.x) * 4, id, 0,
    };
    return simple(&t, sizeof t);
}

const char *display_show(struct display *d, uint32_t id, uint32_t width, struct gpu_rect r)
{
    struct virtio_gpu_resource_flush f = { hdr(VIRTIO_GPU_CMD_RESOURCE_FLUSH), r, id, 0 };
    const char *why = transfer(id, width, r);
    if (!why)
        why = simple(&f, sizeof f);
    if (!why) {
        d->flushes++;
        d->bytes += (uint64_t)r.width * r.height * 4;
    }
    return why;
}

// A cursor command: one buffer on the cursor queue, which the device answers with none.
static const char *cursor_command(const struct virtio_gpu_update_cursor *c)
{
    memcpy(qmem + CPAGE_CMD * VIRTIO_PAGE, c, sizeof *c);
    struct virtq_buf b = { qpa[CPAGE_CMD], sizeof *c, false };
    int head = virtq_submit(&cq, &b, 1);
    if (head < 0)
        return "the cursor queue is full";
    virtio_notify(&dev, CURSORQ);
    uint32_t len;
    return await(&cq, head, &len);
}

static struct virtio_gpu_cursor_pos cursor_pos(int32_t x, int32_t y)
{
    return (struct virtio_gpu_cursor_pos){ scanout, x < 0 ? 0 : (uint32_t)x,
                                           y < 0 ? 0 : (uint32_t)y, 0 };
}

const char *display_cursor(uint32_t id, uint32_t hot_x, uint32_t hot_y, int32_t x, int32_t y)
{
    const char *why = NULL;
    if (id)  // the device reads the image from its copy of the resource
        why = transfer(id, NX_GPU_CURSOR_SIZE,
                       (struct gpu_rect){ 0, 0, NX_GPU_CURSOR_SIZE, NX_GPU_CURSOR_SIZE });
    struct virtio_gpu_update_cursor c = {
        hdr(VIRTIO_GPU_CMD_UPDATE_CURSOR), cursor_pos(x, y), id, hot_x, hot_y, 0,
    };
    return why ? why : cursor_command(&c);
}

const char *display_move_cursor(int32_t x, int32_t y)
{
    struct virtio_gpu_update_cursor c = { hdr(VIRTIO_GPU_CMD_MOVE_CURSOR), cursor_pos(x, y), 0, 0, 0, 0 };
    return cursor_command(&c);
}

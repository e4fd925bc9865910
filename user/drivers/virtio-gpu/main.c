// The virtio GPU driver (service "gpu"): drives the GPU in the virtio-mmio slot init granted
// it (virtio:gpu), scans out a framebuffer VMO by DMA (display.c) and draws the boot screen into it,
// flushing only what each step damaged. Then it serves the display protocol (nx/gpu.h,
// serve.c) on its endpoint: the boot screen stays until a compositor acquires the display.
// No GPU device: it says so in the log and exits with status 0 (docs/graphics.md).
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/startup.h>
#include <nx/virtio.h>
#include "bootscreen.h"
#include "display.h"
#include "serve.h"

// The names the parent grants the driver's handles under (docs/graphics.md, "Driver").
#define GRANT_VIRTIO "virtio:gpu"  // the GPU's slot, its IRQ object and notification

static struct display display;

// The whole background first (the screen's first damage is all of it), then each square:
// a damaged rectangle of its own.
static const char *draw_boot_screen(struct display *d)
{
    boot_draw_background(d->fb, d->width, d->height);
    const char *why = display_flush(d, (struct gpu_rect){ 0, 0, d->width, d->height });
    for (unsigned i = 0; !why && i < BOOT_SQUARES; i++) {
        struct gpu_rect r = boot_square(i, d->width, d->height);
        if (!gpu_clip(&r, d->width, d->height))
            continue;
        boot_fill(d->fb, d->width, &r, boot_square_color(i));
        why = display_flush(d, r);
    }
    return why;
}

int main(void)
{
    int status;
    nx_handle_t serve = virtio_serve_handle(GRANT_VIRTIO, "display", &status);
    if (!serve)
        return status;  // no endpoint, or no GPU: logged
    struct virtio_dev dev;
    const char *why = virtio_take(GRANT_VIRTIO, VIRTIO_ID_GPU, &dev);
    if (!why)
        why = display_start(&dev, &display);
    if (!why)
        why = draw_boot_screen(&display);
    if (why) {
        nx_log(NX_LOG_ERROR, "%s", why);
        return 1;
    }
    // On the console, not only in the log: the sign that the screen shows (make screenshot and
    // the tests wait for it).
    nx_printf("virtio-gpu: %ux%u scanout ready (%u flushes, %llu bytes transferred)\n",
              display.width, display.height, display.flushes, (unsigned long long)display.bytes);
    gpu_serve(serve, &display);
    return 0;
}

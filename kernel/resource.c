// The device resource (see resource.h): the device register windows and interrupt lines the
// device tree describes. It is a static object: it never goes away.
#include <stddef.h>
#include "resource.h"
#include "lib/fdt.h"

#define MAX_WINDOWS (2 + FDT_MAX_VIRTIO)  // the UART, the RTC, the virtio slots

static struct {
    struct kobject obj;
    struct fdt_range window[MAX_WINDOWS];
    uint32_t nwindows;
    uint32_t nlines;
} res;

struct kobject *resource_init(const struct fdt_info *fdt)
{
    kobject_init(&res.obj, NX_OBJ_RESOURCE, NULL);
    if (fdt->uart.size)
        res.window[res.nwindows++] = fdt->uart;
    if (fdt->rtc.size)
        res.window[res.nwindows++] = fdt->rtc;
    for (uint32_t i = 0; i < fdt->nvirtio; i++)
        res.window[res.nwindows++] = fdt->virtio[i];
    res.nlines = fdt->plic_ndev;
    return &res.obj;
}

// Device windows are smaller than a page on QEMU's virt board; a driver maps whole pages, so
// each window counts as the pages it touches.
static bool page_inside(const struct fdt_range *w, paddr_t page)
{
    return page >= PAGE_ROUND_DOWN(w->base) && page < PAGE_ROUND_UP(w->base + w->size);
}

static bool page_allowed(paddr_t page)
{
    for (uint32_t i = 0; i < res.nwindows; i++)
        if (page_inside(&res.window[i], page))
            return true;
    return false;
}

// Every page must lie in some window, so one VMO may cover adjacent windows (the virtio
// slots). The walk stops at the first page outside: at most the windows' pages plus one.
bool resource_allows_mmio(struct kobject *r, paddr_t base, size_t size)
{
    if (r != &res.obj || size == 0)
        return false;
    for (size_t off = 0; off < size; off += PAGE_SIZE)
        if (!page_allowed(PAGE_ROUND_DOWN(base) + off))
            return false;
    return true;
}

bool resource_allows_irq(struct kobject *r, uint32_t line)
{
    return r == &res.obj && line >= 1 && line <= res.nlines;
}

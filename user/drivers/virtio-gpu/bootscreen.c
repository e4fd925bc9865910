// The boot screen (bootscreen.h).
#include "bootscreen.h"

static const uint32_t square_colors[BOOT_SQUARES] = { 0xe03030, 0x30c050, 0x3060e0, 0xf0c020 };

uint32_t boot_background(uint32_t y, uint32_t height)
{
    uint32_t g = 0x20 + 0x40 * y / height, b = 0x40 + 0x80 * y / height;
    return 0x10u << 16 | g << 8 | b;
}

struct gpu_rect boot_square(unsigned i, uint32_t width, uint32_t height)
{
    uint32_t row = BOOT_SQUARES * BOOT_SQUARE + (BOOT_SQUARES - 1) * BOOT_GAP;
    uint32_t x0 = width > row ? (width - row) / 2 : 0;
    uint32_t y0 = height > BOOT_SQUARE ? (height - BOOT_SQUARE) / 2 : 0;
    return (struct gpu_rect){ x0 + i * (BOOT_SQUARE + BOOT_GAP), y0, BOOT_SQUARE, BOOT_SQUARE };
}

uint32_t boot_square_color(unsigned i)
{
    return square_colors[i];
}

void boot_draw_background(uint32_t *fb, uint32_t width, uint32_t height)
{
    for (uint32_t y = 0; y < height; y++) {
        struct gpu_rect line = { 0, y, width, 1 };
        boot_fill(fb, width, &line, boot_background(y, height));
    }
}

void boot_fill(uint32_t *fb, uint32_t width, const struct gpu_rect *r, uint32_t color)
{
    for (uint32_t y = r->y; y < r->y + r->height; y++) {
        uint32_t *p = fb + (size_t)y * width + r->x;
        for (uint32_t x = 0; x < r->width; x++)
            p[x] = color;
    }
}

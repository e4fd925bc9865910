#pragma once
// The boot screen the driver draws until a compositor owns the display (docs/graphics.md,
// "Boot screen"): a vertical gradient, then BOOT_SQUARES coloured squares in a row in the
// middle. Pure drawing into a framebuffer of 0x00RRGGBB pixels (host-tested); the QEMU test
// checks the same pixels on QEMU's screen.
#include <stddef.h>
#include <stdint.h>
#include "gpu_proto.h"

#define BOOT_SQUARES 4
#define BOOT_SQUARE 160  // side, pixels
#define BOOT_GAP 40      // between squares

// The background's pixel on row y of a screen height rows high.
uint32_t boot_background(uint32_t y, uint32_t height);
// Square i's place on a width x height screen (not clipped) and colour.
struct gpu_rect boot_square(unsigned i, uint32_t width, uint32_t height);
uint32_t boot_square_color(unsigned i);
// Draw the background over the whole width x height framebuffer fb.
void boot_draw_background(uint32_t *fb, uint32_t width, uint32_t height);
// Fill r (already clipped to the screen) of fb, width pixels a row, with color.
void boot_fill(uint32_t *fb, uint32_t width, const struct gpu_rect *r, uint32_t color);

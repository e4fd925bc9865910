#pragma once
// Files for the graphics library's host tests and fuzz targets: whole files read into
// memory (fonts), surfaces written to and read from PNG (golden images) through stb_image and
// stb_image_write of Debian's libstb-dev, and written to PPM (tests/host/termshot.c).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/gfx.h>

#define DEJAVU_DIR "/usr/share/fonts/truetype/dejavu/"
#define DEJAVU_SANS DEJAVU_DIR "DejaVuSans.ttf"
#define DEJAVU_MONO DEJAVU_DIR "DejaVuSansMono.ttf"

// The whole file (malloc'd; free it), or NULL.
uint8_t *gfx_read_file(const char *path, size_t *size);
// Writes the surface as an 8-bit RGB PNG; false on failure.
bool gfx_write_png(const char *path, const struct nx_gfx_surface *s);
// Writes the surface as a binary PPM (P6, what QEMU's screendump writes); false on failure.
bool gfx_write_ppm(const char *path, const struct nx_gfx_surface *s);
// A PNG read as 0xffRRGGBB pixels, w x h, rows w apart (malloc'd), or NULL.
uint32_t *gfx_read_png(const char *path, int *w, int *h);

// Files for the graphics tests (gfx_files.h).
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include "gfx_files.h"

#define STBI_ONLY_PNG
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb_image.h>
#include <stb_image_write.h>
#pragma GCC diagnostic pop

uint8_t *gfx_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *data = NULL;
    long len;
    if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        data = malloc((size_t)len);
        if (data && fread(data, 1, (size_t)len, f) != (size_t)len) {
            free(data);
            data = NULL;
        }
        *size = (size_t)len;
    }
    fclose(f);
    return data;
}

// The surface's pixels as 8-bit RGB bytes, row after row (malloc'd), or NULL.
static uint8_t *surface_rgb(const struct nx_gfx_surface *s)
{
    size_t n = (size_t)s->width * (size_t)s->height;
    uint8_t *rgb = malloc(n * 3);
    if (!rgb)
        return NULL;
    for (int y = 0; y < s->height; y++)
        for (int x = 0; x < s->width; x++) {
            uint32_t p = s->pixels[(size_t)y * (size_t)s->stride + (size_t)x];
            uint8_t *o = rgb + ((size_t)y * (size_t)s->width + (size_t)x) * 3;
            o[0] = (uint8_t)(p >> 16);
            o[1] = (uint8_t)(p >> 8);
            o[2] = (uint8_t)p;
        }
    return rgb;
}

bool gfx_write_png(const char *path, const struct nx_gfx_surface *s)
{
    uint8_t *rgb = surface_rgb(s);
    int ok = rgb && stbi_write_png(path, s->width, s->height, 3, rgb, s->width * 3);
    free(rgb);
    return ok != 0;
}

bool gfx_write_ppm(const char *path, const struct nx_gfx_surface *s)
{
    uint8_t *rgb = surface_rgb(s);
    FILE *f = rgb ? fopen(path, "wb") : NULL;
    size_t n = (size_t)s->width * (size_t)s->height * 3;
    bool ok = f && fprintf(f, "P6\n%d %d\n255\n", s->width, s->height) > 0 &&
              fwrite(rgb, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = false;
    free(rgb);
    return ok;
}

uint32_t *gfx_read_png(const char *path, int *w, int *h)
{
    int channels;
    uint8_t *rgb = stbi_load(path, w, h, &channels, 3);
    if (!rgb)
        return NULL;
    size_t n = (size_t)*w * (size_t)*h;
    uint32_t *px = malloc(n * 4);
    for (size_t i = 0; px && i < n; i++)
        px[i] = 0xff000000u | (uint32_t)rgb[3 * i] << 16 | (uint32_t)rgb[3 * i + 1] << 8 | rgb[3 * i + 2];
    stbi_image_free(rgb);
    return px;
}

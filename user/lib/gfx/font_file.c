// Fonts from files and glyph caches from the heap (nx/text.h): what every program that draws
// text does first.
#include <fcntl.h>
#include <stdlib.h>
#include <nexus/errors.h>
#include <nx/file.h>
#include <nx/text.h>

long nx_font_map(const char *path, struct nx_font *font)
{
    int fd = open(path, O_RDONLY);
    const void *data;
    uint64_t size;
    long err = fd < 0 ? NX_ERR_NOT_FOUND : nx_file_map(fd, &data, &size);
    return err ? err : nx_font_init(font, data, (size_t)size);
}

long nx_glyph_cache_alloc(struct nx_glyph_cache *c, size_t size)
{
    void *mem = aligned_alloc(8, size);
    return mem ? nx_glyph_cache_init(c, mem, size) : NX_ERR_NO_MEMORY;
}

// libFuzzer target: fdt_parse must survive any bytes. The input is copied into a buffer of
// exactly its size so ASan sees over-reads, and on success the output must be coherent.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/fdt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fdt_info info;
    uint8_t *copy = malloc(size ? size : 1);
    int r;

    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    r = fdt_parse(copy, size, &info);
    if (r > FDT_OK || r < FDT_E_TOODEEP)
        abort();  // not a documented result
    if (r == FDT_OK && (info.nharts > FDT_MAX_HARTS || info.nvirtio > FDT_MAX_VIRTIO ||
                        info.nreserved > FDT_MAX_RESERVED ||
                        memchr(info.isa, 0, sizeof info.isa) == NULL ||
                        memchr(info.bootargs, 0, sizeof info.bootargs) == NULL))
        abort();
    free(copy);
    return 0;
}

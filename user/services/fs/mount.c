// What every mount shares.
#include <string.h>
#include <nexus/errors.h>
#include "mount.h"

long fs_dirent_put(uint8_t *out, size_t cap, size_t *len, const char *name, size_t namelen,
                   uint8_t type, uint32_t ino)
{
    size_t rec = (sizeof(struct nx_fs_dirent) + namelen + 1 + 7) & ~(size_t)7;
    if (namelen > NX_FS_NAME_MAX || *len + rec > cap)
        return NX_ERR_NO_SPACE;
    struct nx_fs_dirent *d = (struct nx_fs_dirent *)(out + *len);
    memset(d, 0, rec);
    *d = (struct nx_fs_dirent){ (uint16_t)rec, type, (uint8_t)namelen, ino };
    memcpy(d->name, name, namelen);
    *len += rec;
    return NX_OK;
}

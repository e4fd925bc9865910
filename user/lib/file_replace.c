// Replacing a file whole or not at all (nx/file.h: nx_file_replace).
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>

// "dir/.name" + suffix: beside path, so the rename over it stays in one directory (and one
// directory handle).
static long temp_path(const char *path, const char *suffix, char out[NX_FS_PATH_MAX])
{
    const char *slash = strrchr(path, '/');
    int dir = slash ? (int)(slash + 1 - path) : 0;
    if (1 + strlen(path + dir) + strlen(suffix) > NX_FS_NAME_MAX)
        return NX_ERR_TOO_BIG;
    int n = snprintf(out, NX_FS_PATH_MAX, "%.*s.%s%s", dir, path, path + dir, suffix);
    return n < NX_FS_PATH_MAX ? NX_OK : NX_ERR_TOO_BIG;
}

// Every part from the file's start: each write, then more while they come short.
static long write_parts(int fd, const struct nx_file_part *parts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t off = 0; off < parts[i].len;) {
            long w = nx_file_write(fd, (const char *)parts[i].data + off, parts[i].len - off);
            if (w < 0)
                return w;
            off += (size_t)w;
        }
    return NX_OK;
}

long nx_file_replace(const char *path, const char *suffix, const struct nx_file_part *parts,
                     size_t n, bool *created)
{
    char tmp[NX_FS_PATH_MAX];
    *created = false;
    long err = temp_path(path, suffix, tmp);
    if (err)
        return err;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0)
        return NX_ERR_ACCESS;
    *created = true;
    err = write_parts(fd, parts, n);
    if (!err)
        err = nx_file_fsync(fd);
    if (close(fd) < 0 && !err)
        err = NX_ERR_IO;
    if (!err)
        err = nx_fs_rename(tmp, path);
    if (err) {
        nx_fs_unlink(tmp);
        return err;
    }
    return nx_fs_sync();   // the rename durable too
}

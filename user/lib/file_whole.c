// Small files read and replaced whole (nx/file.h): what the services that own a file on the
// disk (users, settings) keep their state in.
#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>
#include <nexus/errors.h>
#include <nx/file.h>

long nx_file_read_whole(const char *path, void *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NX_ERR_NOT_FOUND;
    ssize_t n = read(fd, buf, cap);
    close(fd);
    return n < 0 ? NX_ERR_IO : (long)n;
}

long nx_file_write_whole(const char *path, const void *data, size_t len)
{
    struct nx_file_part part = { data, len };
    bool created;
    long err = nx_file_replace(path, ".new", &part, 1, &created);
    return err == NX_ERR_ACCESS && !created ? NX_ERR_IO : err;
}

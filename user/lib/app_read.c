// Reading an app manifest file (nx/app.h): the parser's rules, over what the file holds.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <nexus/errors.h>
#include <nx/app.h>

static long failed(struct nx_app_error *err, long code, const char *why)
{
    err->line = 0;
    snprintf(err->why, sizeof err->why, "%s", why);
    return code;
}

long nx_app_read(const char *path, struct nx_app *app, struct nx_app_error *err)
{
    char text[NX_APP_FILE_MAX + 1];  // one byte more: a file too long shows as such
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return errno == ENOENT ? failed(err, NX_ERR_NOT_FOUND, "no such file")
                               : failed(err, NX_ERR_IO, "cannot open it");
    ssize_t n = read(fd, text, sizeof text);
    close(fd);
    if (n < 0)
        return failed(err, NX_ERR_IO, "cannot read it");
    return nx_app_parse(text, (size_t)n, app, err);
}

// Helpers of the small command-line programs (see nx/tool.h).
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/tool.h>

int nx_tool_error(const char *prog, const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
    return 1;
}

// fn on one input (stdin is not closed after).
static int one_input(const char *prog, const char *name,
                     int (*fn)(FILE *, const char *, void *), void *ctx, int *status)
{
    bool std = !strcmp(name, "-");
    FILE *in = std ? stdin : fopen(name, "r");
    if (!in) {
        *status = nx_tool_error(prog, name);
        return 0;
    }
    int r = fn(in, std ? "(standard input)" : name, ctx);
    if (r > 0)
        *status = 1;
    if (!std)
        fclose(in);
    return r;
}

int nx_tool_each_input(const char *prog, int argc, char **argv, int first,
                       int (*fn)(FILE *in, const char *name, void *ctx), void *ctx)
{
    int status = 0;
    if (first >= argc)
        one_input(prog, "-", fn, ctx, &status);
    for (int i = first; i < argc; i++)
        if (one_input(prog, argv[i], fn, ctx, &status) < 0)
            break;
    return status;
}

long nx_tool_getline(FILE *in, char **line, size_t *cap)
{
    size_t len = 0;
    for (int c; (c = getc(in)) != EOF;) {
        if (len + 2 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 128;
            char *p = realloc(*line, ncap);
            if (!p)
                return -1;
            *line = p;
            *cap = ncap;
        }
        (*line)[len++] = (char)c;
        if (c == '\n')
            break;
    }
    if (ferror(in))
        return -1;
    if (len)
        (*line)[len] = '\0';
    return (long)len;
}

bool nx_tool_write_all(int fd, const void *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        ssize_t n = write(fd, (const char *)buf + done, len - done);
        if (n <= 0)
            return false;
        done += (size_t)n;
    }
    return true;
}

bool nx_tool_count(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < 0)
        return false;
    *out = v;
    return true;
}

long nx_tool_read(FILE *in, void *buf, size_t n)
{
    if (in == stdin)
        return read(0, buf, n);
    size_t got = fread(buf, 1, n, in);
    return got == 0 && ferror(in) ? -1 : (long)got;
}

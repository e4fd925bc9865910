// tee [-a] FILE...: stdin to stdout and to every FILE (truncated, or appended to with -a).
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <nx/tool.h>

#define FILES_MAX 8

int main(int argc, char **argv)
{
    static char buf[65536];
    int fds[FILES_MAX], nfds = 0, status = 0, mode = O_TRUNC;
    for (int c; (c = getopt(argc, argv, "a")) != -1;) {
        if (c == '?' || argc - optind > FILES_MAX) {
            fprintf(stderr, "usage: tee [-a] FILE... (at most %d)\n", FILES_MAX);
            return 1;
        }
        mode = O_APPEND;
    }
    for (int i = optind; i < argc; i++) {
        int fd = open(argv[i], O_WRONLY | O_CREAT | mode, 0644);
        if (fd < 0)
            status = nx_tool_error("tee", argv[i]);
        else
            fds[nfds++] = fd;
    }
    long n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        if (!nx_tool_write_all(1, buf, (size_t)n) && errno != EPIPE)
            status = nx_tool_error("tee", "stdout");
        for (int i = 0; i < nfds; i++)
            if (fds[i] >= 0 && !nx_tool_write_all(fds[i], buf, (size_t)n)) {
                status = nx_tool_error("tee", argv[optind + i]);
                close(fds[i]);
                fds[i] = -1;
            }
    }
    if (n < 0)
        status = nx_tool_error("tee", "stdin");
    for (int i = 0; i < nfds; i++)
        if (fds[i] >= 0 && close(fds[i]) < 0)
            status = nx_tool_error("tee", argv[optind + i]);
    return status;
}

// nc HOST PORT: connect, then copy stdin to the connection and the connection to stdout, both
// ways at once (poll over the socket and stdin). When stdin ends, nc sends FIN and goes on
// receiving until the peer closes; when the peer closes first, nc ends, unless stdin is a
// file (`< FILE`): then the rest of it is sent first. nc -l PORT: wait for one connection on
// PORT, then the same.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <unistd.h>
#include <nx/socket.h>
#include <nx/tool.h>

#define CHUNK 4096

static int usage(void)
{
    fprintf(stderr, "usage: nc HOST PORT    connect to HOST (a name or an address) on PORT\n"
                    "       nc -l PORT      accept one connection on PORT\n");
    return 2;
}

static int answer(const char *port)
{
    struct sockaddr_in at;
    if (nx_net_resolve("nc", NULL, port, SOCK_STREAM, &at))
        return -1;
    at.sin_addr.s_addr = htonl(INADDR_ANY);
    int l = socket(AF_INET, SOCK_STREAM, 0), fd = -1;
    if (l < 0)
        nx_net_error("nc", "socket");
    else if (bind(l, (struct sockaddr *)&at, sizeof at) < 0 || listen(l, 1) < 0)
        nx_net_error("nc", "listen");
    else if ((fd = accept(l, NULL, NULL)) < 0)
        nx_net_error("nc", "accept");
    if (l >= 0)
        close(l);
    return fd;
}

// Copy what is there from `from` to `to`: false at the end of `from` or on an error.
static bool pump(int from, int to, char *buf, const char *what)
{
    ssize_t n = read(from, buf, CHUNK);
    if (n < 0)
        nx_net_error("nc", what);
    if (n <= 0)
        return false;
    if (!nx_tool_write_all(to, buf, (size_t)n)) {
        nx_net_error("nc", to == 1 ? "stdout" : "send");
        return false;
    }
    return true;
}

static int relay(int fd)
{
    static char buf[CHUNK];
    struct pollfd p[2] = { { fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
    bool rx = true, tx = true;
    while (rx && tx) {
        if (poll(p, 2, -1) < 0)
            return nx_net_error("nc", "poll");
        if (p[0].revents && !pump(fd, 1, buf, "receive")) {
            rx = false;   // the peer closed (or the connection failed: said)
            p[0].fd = -1;
        }
        if (p[1].revents && !pump(0, fd, buf, "stdin")) {
            shutdown(fd, SHUT_WR);   // our end is done; the peer's may still come
            tx = false;
            p[1].fd = -1;
        }
    }
    while (tx && getenv("NX_STDIN_FILE") && pump(0, fd, buf, "stdin"))
        ;
    while (rx && pump(fd, 1, buf, "receive"))
        ;
    return 0;
}

int main(int argc, char **argv)
{
    int fd;
    if (argc == 3 && !strcmp(argv[1], "-l"))
        fd = answer(argv[2]);
    else if (argc == 3 && argv[1][0] != '-')
        fd = nx_net_dial("nc", argv[1], argv[2]);
    else
        return usage();
    if (fd < 0)
        return 1;
    int status = relay(fd);
    fflush(stdout);
    close(fd);
    return status;
}

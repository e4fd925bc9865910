// nc HOST PORT: connect, then copy stdin to the connection and the connection to stdout, both
// ways at once (poll over the socket and stdin). When stdin ends, nc sends FIN and goes on
// receiving until the peer closes; when the peer closes first, nc ends, unless stdin is a
// file (`< FILE`): then the rest of it is sent first. nc -l PORT: wait for one connection on
// PORT, then the same.
#include <errno.h>
#include <fcntl.h>
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

// Both ways at once without blocking in either: the socket is non-blocking, stdin is read
// only once what it gave before is sent, so two nc's sending to each other never both wait
// for room the other would make by reading.
struct relay {
    int fd;
    bool rx, tx, shut;       // the peer may still send; stdin may still give; FIN sent
    char in[CHUNK];          // stdin's bytes not sent yet: in[off .. off + pend)
    size_t off, pend;
    char out[CHUNK];
};

// The connection's bytes to stdout: false on an error (said).
static bool receive(struct relay *r)
{
    ssize_t n = read(r->fd, r->out, CHUNK);
    if (n > 0 && !nx_tool_write_all(1, r->out, (size_t)n))
        return nx_net_error("nc", "stdout") && false;
    if (n < 0 && errno != EAGAIN)
        return nx_net_error("nc", "receive") && false;
    r->rx = n != 0;
    return true;
}

static bool transmit(struct relay *r)
{
    ssize_t k = write(r->fd, r->in + r->off, r->pend);
    if (k < 0 && errno != EAGAIN)
        return nx_net_error("nc", "send") && false;
    if (k > 0) {
        r->off += (size_t)k;
        r->pend -= (size_t)k;
    }
    return true;
}

static void from_stdin(struct relay *r)
{
    ssize_t n = read(0, r->in, CHUNK);
    if (n < 0)
        nx_net_error("nc", "stdin");
    r->off = 0;
    r->pend = n > 0 ? (size_t)n : 0;
    r->tx = n > 0;
}

static int relay(int fd)
{
    static struct relay r;
    r = (struct relay){ .fd = fd, .rx = true, .tx = true };
    bool file = getenv("NX_STDIN_FILE") != NULL;   // a file on stdin is sent whole
    fcntl(fd, F_SETFL, O_NONBLOCK);
    for (;;) {
        if (!r.tx && !r.pend && !r.shut) {
            shutdown(fd, SHUT_WR);   // our end is done; the peer's may still come
            r.shut = true;
        }
        if (!r.rx && (!file || (!r.tx && !r.pend)))
            return 0;
        struct pollfd p[2] = { { fd, (short)((r.rx ? POLLIN : 0) | (r.pend ? POLLOUT : 0)), 0 },
                               { r.tx && !r.pend ? 0 : -1, POLLIN, 0 } };
        if (poll(p, 2, -1) < 0)
            return nx_net_error("nc", "poll");
        if (r.rx && (p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !receive(&r))
            return 1;
        if (r.pend && (p[0].revents & (POLLOUT | POLLHUP | POLLERR)) && !transmit(&r))
            return 1;
        if (p[1].revents)
            from_stdin(&r);
    }
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

// socktest PORT: libnx sockets against the real stack on QEMU's user network, each result
// printed as "socktest: WHAT ok" or "... WRONG (got X, want Y)". The host runs an echo server
// on 127.0.0.1:PORT (the guest reaches it as 10.0.2.2:PORT); port 1 on the host is closed;
// QEMU's name server is 10.0.2.3. Checks: socket()'s argument errors, a refused connection
// (blocking, and non-blocking through poll and SO_ERROR), read/write/close on a socket
// descriptor, end of stream and EPIPE, a UDP exchange with the name server, getaddrinfo
// numeric and through DNS, the per-process limit (EMFILE) and descriptors that are no socket.
#define TEST_NAME "socktest"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <poll.h>
#include <unistd.h>
#include <nx/socket.h>
#include "expect.h"

static struct sockaddr_in host_addr(int port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "10.0.2.2", &a.sin_addr);
    return a;
}

// The errno of a call that must fail (0 if it did not).
static long err_of(long r)
{
    return r < 0 ? errno : 0;
}

static void bad_arguments(void)
{
    expect("AF_INET6 is EAFNOSUPPORT", err_of(socket(AF_INET6, SOCK_STREAM, 0)), EAFNOSUPPORT);
    expect("SOCK_RAW is EINVAL", err_of(socket(AF_INET, SOCK_RAW, 0)), EINVAL);
    expect("TCP over UDP is EPROTONOSUPPORT", err_of(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)),
           EPROTONOSUPPORT);
    char b;
    expect("recv on no descriptor is EBADF", err_of(recv(NX_SOCKET_FD_BASE + 5, &b, 1, 0)), EBADF);
    expect("recv on stdin is ENOTSOCK", err_of(recv(0, &b, 1, 0)), ENOTSOCK);
}

static void refused(void)
{
    struct sockaddr_in a = host_addr(1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    expect("connect to a closed port is ECONNREFUSED",
           err_of(connect(fd, (struct sockaddr *)&a, sizeof a)), ECONNREFUSED);
    expect("close", close(fd), 0);
    expect("close again is EBADF", err_of(close(fd)), EBADF);

    fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    expect("non-blocking connect is EINPROGRESS",
           err_of(connect(fd, (struct sockaddr *)&a, sizeof a)), EINPROGRESS);
    struct pollfd p = { fd, POLLOUT, 0 };
    expect("poll says it ended", poll(&p, 1, 10000), 1);
    expect("with POLLHUP", (p.revents & POLLHUP) != 0, 1);
    int e = -1;
    socklen_t len = sizeof e;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
    expect("SO_ERROR is ECONNREFUSED", e, ECONNREFUSED);
    close(fd);
}

static void stream(int port)
{
    struct sockaddr_in a = host_addr(port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    expect("connect to the host's echo server", connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    expect("getpeername", getpeername(fd, (struct sockaddr *)&peer, &len), 0);
    expect("the peer's port", ntohs(peer.sin_port), port);
    static char out[200000], in[sizeof out];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (char)(i * 7 + i / 251);
    expect("write() takes it all", write(fd, out, sizeof out), (long)sizeof out);
    expect("shutdown(SHUT_WR)", shutdown(fd, SHUT_WR), 0);
    size_t got = 0;
    for (ssize_t n; (n = read(fd, in + got, sizeof in - got)) > 0;)
        got += (size_t)n;
    expect("read() gets the echo back, then end of stream", (long)got, (long)sizeof out);
    expect("the same bytes", memcmp(in, out, sizeof out), 0);
    expect("write after shutdown is EPIPE", err_of(write(fd, "x", 1)), EPIPE);
    expect("close", close(fd), 0);
}

// A DNS query (RFC 1035) for a name no server knows, to QEMU's name server over UDP.
static void datagram(void)
{
    static const uint8_t q[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                 5, 'n', 'e', 'x', 'u', 's', 7, 'i', 'n', 'v', 'a', 'l', 'i', 'd', 0,
                                 0, 1, 0, 1 };
    struct sockaddr_in ns = { .sin_family = AF_INET, .sin_port = htons(53) };
    inet_pton(AF_INET, "10.0.2.3", &ns.sin_addr);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct timeval tv = { 10, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    expect("send without an address is EDESTADDRREQ", err_of(send(fd, q, sizeof q, 0)),
           EDESTADDRREQ);
    static char big[NX_NET_DGRAM_MAX + 1];
    expect("a datagram over the limit is EMSGSIZE",
           err_of(sendto(fd, big, sizeof big, 0, (struct sockaddr *)&ns, sizeof ns)), EMSGSIZE);
    expect("sendto the name server", sendto(fd, q, sizeof q, 0, (struct sockaddr *)&ns, sizeof ns),
           (long)sizeof q);
    uint8_t r[512];
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, r, sizeof r, 0, (struct sockaddr *)&from, &len);
    expect("an answer came", n >= 12, 1);
    expect("with the query's id", n >= 2 && r[0] == 0x12 && r[1] == 0x34, 1);
    expect("from port 53", ntohs(from.sin_port), 53);
    close(fd);
}

static void names(void)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
    expect("getaddrinfo numeric", getaddrinfo("10.0.2.2", "80", &hints, &res), 0);
    freeaddrinfo(res);
    expect("getaddrinfo of an unknown name is EAI_NONAME",
           getaddrinfo("nexus.invalid", "80", &hints, &res), EAI_NONAME);
}

// The per-process limit: NX_SOCKET_MAX sockets, then EMFILE; all of them close.
// (Before any connection: the stack keeps a closed one's slot until its FIN is through.)
static void limit(void)
{
    int fds[NX_SOCKET_MAX + 1], n = 0;
    while (n <= NX_SOCKET_MAX && (fds[n] = socket(AF_INET, SOCK_DGRAM, 0)) >= 0)
        n++;
    // libnx's table holds NX_SOCKET_MAX; the stack counts per grant (badge), which a shell
    // shares with everything it runs, and may say EMFILE first.
    nx_printf("socktest: %d sockets at once\n", n);
    expect("the limit came", n > 0 && n <= NX_SOCKET_MAX, 1);
    expect("one more is EMFILE", errno, EMFILE);
    int closed = 0;
    for (int i = 0; i < n; i++)
        closed += close(fds[i]) == 0;
    expect("all closed", closed, n);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    expect("a socket after them", fd >= NX_SOCKET_FD_BASE, 1);
    close(fd);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: socktest PORT\n");
        return 2;
    }
    limit();   // first: the stack may still count closed connections a while
    bad_arguments();
    refused();
    stream(atoi(argv[1]));
    datagram();
    names();
    nx_printf("socktest: %s\n", failures ? "FAILED" : "all passed");
    return failures != 0;
}

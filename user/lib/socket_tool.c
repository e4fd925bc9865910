// Helpers for the network programs (nx/socket.h): clear errors and name resolution.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netdb.h>
#include <unistd.h>
#include <nx/socket.h>

int nx_net_error(const char *prog, const char *what)
{
    int e = errno;
    // picolibc's text for ENETDOWN speaks of an interface; here it means the stack is gone.
    const char *why = e == ENETDOWN ? "network is down" : strerror(e);
    const char *hint = e == EACCES   ? " (this program has no `net` grant, or the policy "
                                       "refuses it)"
                       : e == ENETDOWN ? " (the network stack is gone or not running)"
                                       : "";
    fprintf(stderr, "%s: %s: %s%s\n", prog, what, why, hint);
    return 1;
}

int nx_net_resolve(const char *prog, const char *host, const char *port, int socktype,
                   struct sockaddr_in *out)
{
    struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = socktype }, *res;
    int err = getaddrinfo(host, port, &hints, &res);
    if (err == EAI_SYSTEM)
        return nx_net_error(prog, host);
    if (err) {
        fprintf(stderr, "%s: %s%s%s: %s\n", prog, host, port ? " port " : "", port ? port : "",
                gai_strerror(err));
        return 1;
    }
    memcpy(out, res->ai_addr, sizeof *out);
    freeaddrinfo(res);
    return 0;
}

int nx_net_dial(const char *prog, const char *host, const char *port)
{
    struct sockaddr_in to;
    if (nx_net_resolve(prog, host, port, SOCK_STREAM, &to))
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        nx_net_error(prog, "socket");
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) {
        char what[NX_NET_NAME_MAX + 32];
        snprintf(what, sizeof what, "connect to %s port %s", host, port);
        nx_net_error(prog, what);
        close(fd);
        return -1;
    }
    return fd;
}

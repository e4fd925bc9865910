#pragma once
// poll() over sockets (sys/socket.h) and stdin (descriptor 0: libnx reads it in a thread of
// its own once polled, nx/socket.h); other descriptors are POLLNVAL. One wait on the
// process's socket notification: no busy polling.
typedef unsigned int nfds_t;

struct pollfd {
    int fd;
    short events;
    short revents;
};

#define POLLIN 0x001
#define POLLPRI 0x002
#define POLLOUT 0x004
#define POLLERR 0x008
#define POLLHUP 0x010
#define POLLNVAL 0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100

int poll(struct pollfd *fds, nfds_t n, int timeout_ms);

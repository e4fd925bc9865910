// Socket data (sys/socket.h): bytes and datagrams through the rings of each socket's VMO,
// and poll(). Control requests are socket.c's.
#include <errno.h>
#include <string.h>
#include <nx/nx.h>
#include "socket_impl.h"

static uint64_t copied;

uint64_t nx_socket_bytes_copied(void)
{
    return copied;
}

static ssize_t fail(int e)
{
    errno = e;
    return -1;
}

// Wait until `deadline` for what the caller needs (0: do not wait).
static uint64_t io_deadline(const struct nx_sock *s, int flags, uint64_t timeout_ns)
{
    return s->nonblock || (flags & MSG_DONTWAIT) ? 0 : nx_sock_deadline(timeout_ns);
}

static bool rx_ready(struct nx_sock *s)
{
    uint32_t st = nx_sock_state(s);
    return s->dead || __atomic_load_n(&s->rx.sh->head, __ATOMIC_ACQUIRE) != s->rx.pos ||
           (st != NX_NET_ST_CONNECTED && st != NX_NET_ST_CONNECTING);
}

static bool tx_ready(struct nx_sock *s)
{
    return s->dead || nx_sock_state(s) == NX_NET_ST_CLOSED ||
           s->tx.pos - __atomic_load_n(&s->tx.sh->tail, __ATOMIC_ACQUIRE) < s->tx.size;
}

// ---- streams ----

// Bytes now, or the end: > 0 bytes, 0 end of stream, -errno; -EAGAIN: wait.
static long stream_take(struct nx_sock *s, void *buf, size_t n)
{
    uint32_t st = nx_sock_state(s);   // before the ring: bytes that came before a close count
    bool wake;
    long got = nx_ring_get_bytes(&s->rx, buf, n, &wake);
    if (wake)
        nx_sock_kick(s);
    if (got < 0)
        return -EIO;   // the stack wrote an impossible index
    if (got > 0 || n == 0 || s->shut_rd || st == NX_NET_ST_PEER_CLOSED)
        return got;
    if (st == NX_NET_ST_CLOSED)
        return s->sh->error ? -nx_sock_closed_errno(s) : 0;
    if (st == NX_NET_ST_NEW || st == NX_NET_ST_LISTENING)
        return -ENOTCONN;
    return -EAGAIN;
}

static ssize_t stream_recv(struct nx_sock *s, void *buf, size_t n, int flags)
{
    uint64_t dl = io_deadline(s, flags, s->rcv_timeout_ns);
    size_t done = 0;
    for (;;) {
        long got = stream_take(s, (char *)buf + done, n - done);
        if (got > 0) {
            done += (size_t)got;
            copied += (uint64_t)got;
            if (done == n || !(flags & MSG_WAITALL))
                return (ssize_t)done;
            continue;
        }
        if (got != -EAGAIN)
            return got == 0 || done ? (ssize_t)done : fail((int)-got);
        int e = nx_sock_sleep(s, dl, rx_ready, false);
        if (e)
            return done ? (ssize_t)done : fail(e);
    }
}

// Why a stream cannot take more bytes now (0: it can).
static int stream_blocked(struct nx_sock *s)
{
    uint32_t st = nx_sock_state(s);
    if (s->shut_wr)
        return EPIPE;
    if (st == NX_NET_ST_CLOSED)
        return s->sh->error ? nx_sock_closed_errno(s) : EPIPE;
    if (st == NX_NET_ST_NEW || st == NX_NET_ST_LISTENING)
        return ENOTCONN;
    return 0;
}

static ssize_t stream_send(struct nx_sock *s, const void *buf, size_t n, int flags)
{
    uint64_t dl = io_deadline(s, flags, s->snd_timeout_ns);
    size_t done = 0;
    while (done < n) {
        int e = stream_blocked(s);
        if (e)
            return done ? (ssize_t)done : fail(e);
        bool wake;
        long put = nx_ring_put_bytes(&s->tx, (const char *)buf + done, n - done, &wake);
        if (wake)
            nx_sock_kick(s);
        if (put < 0)
            return done ? (ssize_t)done : fail(EIO);
        done += (size_t)put;
        copied += (uint64_t)put;
        if (put == 0 && (e = nx_sock_sleep(s, dl, tx_ready, true)))
            return done ? (ssize_t)done : fail(e);
    }
    return (ssize_t)done;
}

// ---- datagrams (UDP, ICMP echo, DNS) ----

ssize_t nx_sock_dgram_send(struct nx_sock *s, const void *buf, size_t n,
                           const struct nx_net_addr *to)
{
    uint8_t rec[sizeof(struct nx_net_dgram) + NX_NET_DGRAM_MAX];
    if (n > NX_NET_DGRAM_MAX)
        return fail(EMSGSIZE);
    struct nx_net_dgram h = { to ? *to : (struct nx_net_addr){ 0 } };
    memcpy(rec, &h, sizeof h);
    memcpy(rec + sizeof h, buf, n);
    long r = nx_ring_push(&s->tx, rec, sizeof h + n);
    if (r == 1)
        nx_sock_kick(s);
    if (r == NX_ERR_NO_SPACE)
        return fail(ENOBUFS);   // the stack has not taken the datagrams before it yet
    if (r < 0)
        return fail(EIO);
    copied += n;
    return (ssize_t)n;
}

ssize_t nx_sock_dgram_recv(struct nx_sock *s, void *buf, size_t n, int flags,
                           struct nx_net_addr *from)
{
    uint64_t dl = io_deadline(s, flags, s->rcv_timeout_ns);
    uint8_t rec[NX_RING_RECORD_MAX];
    for (;;) {
        size_t len;
        long r = nx_ring_pop(&s->rx, rec, sizeof rec, &len);
        if (r == NX_OK && len >= sizeof(struct nx_net_dgram)) {
            struct nx_net_dgram h;
            memcpy(&h, rec, sizeof h);
            size_t payload = len - sizeof h, k = payload < n ? payload : n;
            memcpy(buf, rec + sizeof h, k);
            copied += k;
            if (from)
                *from = h.addr;
            return (ssize_t)(flags & MSG_TRUNC ? payload : k);
        }
        if (r == NX_OK || (r != NX_ERR_NOT_FOUND))
            return fail(EIO);   // a record too short to be one, or an impossible ring
        if (s->shut_rd)
            return 0;
        if (nx_sock_state(s) == NX_NET_ST_CLOSED)
            return fail(s->sh->error ? nx_sock_closed_errno(s) : ENOTCONN);
        int e = nx_sock_sleep(s, dl, rx_ready, false);
        if (e)
            return fail(e);
    }
}

// ---- the POSIX calls ----

ssize_t sendto(int fd, const void *buf, size_t n, int flags, const struct sockaddr *to,
               socklen_t tolen)
{
    struct nx_sock *s = nx_sock_live(fd);
    if (!s)
        return -1;
    if (s->type == NX_NET_SOCK_STREAM)
        return to ? fail(EISCONN) : stream_send(s, buf, n, flags);
    struct nx_net_addr a;
    int e = to ? nx_sock_addr_in(to, tolen, &a) : s->connecting ? 0 : EDESTADDRREQ;
    if (e)
        return fail(e);
    return nx_sock_dgram_send(s, buf, n, to ? &a : NULL);
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
    return sendto(fd, buf, n, flags, NULL, 0);
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, struct sockaddr *from,
                 socklen_t *fromlen)
{
    struct nx_sock *s = nx_sock_live(fd);
    if (!s)
        return -1;
    if (flags & MSG_PEEK)
        return fail(EOPNOTSUPP);
    if (s->type == NX_NET_SOCK_STREAM) {
        ssize_t r = stream_recv(s, buf, n, flags);
        if (r >= 0 && from)
            nx_sock_addr_out(&s->sh->peer, from, fromlen);
        return r;
    }
    struct nx_net_addr a;
    ssize_t r = nx_sock_dgram_recv(s, buf, n, flags, &a);
    if (r >= 0)
        nx_sock_addr_out(&a, from, fromlen);
    return r;
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
    return recvfrom(fd, buf, n, flags, NULL, NULL);
}

ssize_t nx_socket_read(int fd, void *buf, size_t n)
{
    return recvfrom(fd, buf, n, 0, NULL, NULL);
}

ssize_t nx_socket_write(int fd, const void *buf, size_t n)
{
    return sendto(fd, buf, n, 0, NULL, 0);
}

// ---- poll ----

static short revents(const struct pollfd *p)
{
    if (p->fd < 0)
        return 0;
    if (p->fd == 0)
        return nx_sock_stdin_revents(p->events);
    struct nx_sock *s = nx_sock_of_fd(nx_socks, NX_SOCKET_MAX, p->fd);
    return s ? nx_sock_revents(s, p->events) : POLLNVAL;
}

static int scan(struct pollfd *fds, nfds_t n)
{
    int ready = 0;
    for (nfds_t i = 0; i < n; i++)
        ready += (fds[i].revents = revents(&fds[i])) != 0;
    return ready;
}

// Announce (on: true) or withdraw that we may sleep on every polled socket's rings.
static void announce_all(struct pollfd *fds, nfds_t n, bool on)
{
    for (nfds_t i = 0; i < n; i++) {
        struct nx_sock *s = nx_sock_of_fd(nx_socks, NX_SOCKET_MAX, fds[i].fd);
        if (!s || s->dead)
            continue;
        uint64_t *flags[2] = { &s->rx.sh->reader_waiting, &s->tx.sh->writer_waiting };
        bool want[2] = { (fds[i].events & POLLIN) != 0, (fds[i].events & POLLOUT) != 0 };
        for (int k = 0; k < 2; k++)
            if (want[k] && on)
                nx_sock_announce(flags[k]);
            else if (want[k])
                __atomic_store_n(flags[k], 0, __ATOMIC_RELAXED);
    }
}

int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    uint64_t dl = timeout_ms < 0 ? NX_DEADLINE_NEVER
                                 : (uint64_t)nx_clock_get() + (uint64_t)timeout_ms * 1000000ull;
    for (;;) {
        int ready = scan(fds, n);
        if (ready || timeout_ms == 0)
            return ready;
        announce_all(fds, n, true);
        ready = scan(fds, n);
        long err = ready ? NX_OK : nx_sock_wait(dl);
        announce_all(fds, n, false);
        if (ready)
            return ready;
        if (err == NX_ERR_TIMED_OUT)
            return scan(fds, n);
        if (err)
            return (int)fail(ENOMEM);
    }
}

// Sockets' bookkeeping without system calls (host-tested): the descriptor table, the rings
// in a socket's VMO, what the stack's shared state means for poll() and errno.
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <nexus/errors.h>
#include "socket_impl.h"

int nx_sock_slot_free(const struct nx_sock *table, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!table[i].used)
            return (int)i;
    return -1;
}

struct nx_sock *nx_sock_of_fd(struct nx_sock *table, size_t n, int fd)
{
    if (fd < NX_SOCKET_FD_BASE)
        return NULL;
    size_t i = (size_t)(fd - NX_SOCKET_FD_BASE);
    return i < n && table[i].used ? &table[i] : NULL;
}

long nx_sock_rings(struct nx_sock *s, void *mem, bool format)
{
    uint8_t *m = mem;
    s->mem = m;
    s->sh = mem;
    if (format) {
        memset(s->sh, 0, sizeof *s->sh);
        long err = nx_ring_format(&s->rx, m + NX_NET_RX_OFF, NX_NET_RING_MEM);
        return err ? err : nx_ring_format(&s->tx, m + NX_NET_TX_OFF, NX_NET_RING_MEM);
    }
    long err = nx_ring_attach(&s->rx, m + NX_NET_RX_OFF, NX_NET_RING_MEM, NX_RING_READER);
    return err ? err : nx_ring_attach(&s->tx, m + NX_NET_TX_OFF, NX_NET_RING_MEM, NX_RING_WRITER);
}

uint32_t nx_sock_state(const struct nx_sock *s)
{
    uint32_t st = __atomic_load_n(&s->sh->state, __ATOMIC_ACQUIRE);
    return st <= NX_NET_ST_CLOSED ? st : NX_NET_ST_CLOSED;
}

int nx_sock_closed_errno(const struct nx_sock *s)
{
    int32_t e = __atomic_load_n(&s->sh->error, __ATOMIC_ACQUIRE);
    return e > 0 && e < 4096 ? (int)e : EIO;
}

// Bytes (or record bytes) waiting in rx; anything impossible counts as "there is something"
// so the reader looks, and finds the corruption.
static bool rx_ready(const struct nx_sock *s)
{
    return __atomic_load_n(&s->rx.sh->head, __ATOMIC_ACQUIRE) != s->rx.pos;
}

// Room in tx for one more write: a byte for streams, a largest record for datagrams.
static bool tx_room(const struct nx_sock *s)
{
    uint64_t used = s->tx.pos - __atomic_load_n(&s->tx.sh->tail, __ATOMIC_ACQUIRE);
    uint64_t need = s->type == NX_NET_SOCK_STREAM
                        ? 1 : (4 + sizeof(struct nx_net_dgram) + NX_NET_DGRAM_MAX + 7) & ~7ull;
    return used <= s->tx.size && s->tx.size - used >= need;
}

static short stream_revents(struct nx_sock *s, uint32_t st)
{
    short r = 0;
    if (st == NX_NET_ST_LISTENING)
        return __atomic_load_n(&s->sh->accept_pending, __ATOMIC_ACQUIRE) ? POLLIN : 0;
    if (rx_ready(s) || st == NX_NET_ST_PEER_CLOSED || st == NX_NET_ST_CLOSED || s->shut_rd)
        r |= POLLIN;
    if ((st == NX_NET_ST_CONNECTED || st == NX_NET_ST_PEER_CLOSED) && tx_room(s))
        r |= POLLOUT;
    if (st == NX_NET_ST_CLOSED || (st == NX_NET_ST_NEW && !s->connecting))
        r |= POLLHUP | POLLOUT;
    if (st == NX_NET_ST_CLOSED && __atomic_load_n(&s->sh->error, __ATOMIC_ACQUIRE))
        r |= POLLERR;
    return r;
}

short nx_sock_revents(struct nx_sock *s, short events)
{
    short r;
    if (s->dead)
        r = POLLIN | POLLOUT | POLLERR | POLLHUP;
    else if (s->type == NX_NET_SOCK_STREAM)
        r = stream_revents(s, nx_sock_state(s));
    else
        r = (short)((rx_ready(s) || s->shut_rd ? POLLIN : 0) | (tx_room(s) ? POLLOUT : 0) |
                    (nx_sock_state(s) == NX_NET_ST_CLOSED ? POLLERR : 0));
    if (r & POLLIN)
        r |= POLLRDNORM;
    if (r & POLLOUT)
        r |= POLLWRNORM;
    return (short)(r & (events | POLLERR | POLLHUP));
}

int nx_sock_errno(long err)
{
    switch (err) {
    case NX_ERR_ACCESS: return EACCES;
    case NX_ERR_NO_SPACE: return EMFILE;
    case NX_ERR_NO_MEMORY: return ENOMEM;
    case NX_ERR_INVALID: return EINVAL;
    case NX_ERR_TOO_BIG: return EMSGSIZE;
    case NX_ERR_BAD_STATE: return EADDRINUSE;
    case NX_ERR_NOT_FOUND: return EBADF;
    case NX_ERR_TIMED_OUT: return ETIMEDOUT;
    case NX_ERR_PEER_CLOSED: case NX_ERR_BAD_HANDLE: return ENETDOWN;
    default: return EIO;
    }
}

int nx_sock_type(int type, int protocol, int *err)
{
    switch (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
    case SOCK_STREAM:
        if (protocol == 0 || protocol == IPPROTO_TCP)
            return NX_NET_SOCK_STREAM;
        break;
    case SOCK_DGRAM:
        if (protocol == 0 || protocol == IPPROTO_UDP)
            return NX_NET_SOCK_DGRAM;
        if (protocol == IPPROTO_ICMP)
            return NX_NET_SOCK_ICMP;
        break;
    default:
        *err = EINVAL;   // as Linux: no such type
        return 0;
    }
    *err = EPROTONOSUPPORT;
    return 0;
}

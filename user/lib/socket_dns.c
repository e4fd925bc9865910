// Name resolution through the stack (nx/net.h, NX_NET_SOCK_DNS): the name goes as one record
// on a DNS socket's tx ring, the answer comes as one struct nx_net_dns_answer on rx.
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <nx/nx.h>
#include "socket_impl.h"

// The stack gives up on a name server well before this.
#define DNS_TIMEOUT_NS 15000000000ull

static bool answered(struct nx_sock *s)
{
    return s->dead || __atomic_load_n(&s->rx.sh->head, __ATOMIC_ACQUIRE) != s->rx.pos ||
           nx_sock_state(s) == NX_NET_ST_CLOSED;
}

// Send the name, wait for the answer: 0 and *ip, or an errno.
static int ask(struct nx_sock *s, const char *name, uint32_t *ip)
{
    long r = nx_ring_push(&s->tx, name, strlen(name));
    if (r == 1)
        nx_sock_kick(s);
    if (r < 0)
        return EIO;
    uint64_t dl = nx_sock_deadline(DNS_TIMEOUT_NS);
    for (;;) {
        struct nx_net_dns_answer a;
        size_t len;
        r = nx_ring_pop(&s->rx, &a, sizeof a, &len);
        if (r == NX_OK && len == sizeof a) {
            *ip = a.ip;
            return a.error > 0 ? a.error : a.error < 0 ? EIO : 0;
        }
        if (r != NX_ERR_NOT_FOUND)
            return EIO;
        if (nx_sock_state(s) == NX_NET_ST_CLOSED)
            return s->sh->error ? nx_sock_closed_errno(s) : EIO;
        int e = nx_sock_sleep(s, dl, answered, false);
        if (e)
            return e;
    }
}

int nx_dns_resolve(const char *name, uint32_t *ip)
{
    int fd = nx_sock_open(NX_NET_SOCK_DNS);
    if (fd < 0)
        return errno;
    int e = ask(&nx_socks[fd - NX_SOCKET_FD_BASE], name, ip);
    close(fd);
    return e;
}

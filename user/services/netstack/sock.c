// Sockets (nx/net.h): each is a VMO the application made, mapped here, with an rx ring the
// stack writes and a tx ring it reads, over one lwIP pcb.
//
// TCP moves bytes with one copy each way. Transmit: the tx ring's bytes go to tcp_write by
// reference (PBUF_ROM over the mapping, no TCP_WRITE_FLAG_COPY), split where the ring wraps;
// the ring's tail advances only when the peer acknowledged them (tcp_sent), so the bytes stay
// put while lwIP may retransmit them; the one copy is the netif's, into a tx slot. Receive:
// tcp_recv copies the pbufs (still the driver's arena slots) into the rx ring and the window
// is credited (tcp_recved) only as the application reads, so the peer never sends more than
// the ring holds (TCP_WND <= NX_NET_RING_BYTES).
//
// Nothing in the shared VMO is trusted: an impossible ring index resets that socket alone.
#include <errno.h>
#include <string.h>
#include <lwip/dns.h>
#include <lwip/icmp.h>
#include <lwip/inet_chksum.h>
#include <lwip/ip4.h>
#include <lwip/prot/icmp.h>
#include <lwip/raw.h>
#include <lwip/tcp.h>
#include <lwip/udp.h>
#include <nx/nx.h>
#include "link.h"
#include "stack.h"
#include "timers.h"

struct sock;

// A connection a listener took (accept callback) that the application has not accepted yet.
struct pending {
    struct tcp_pcb *pcb;   // NULL: the slot is free
    struct sock *listener;
    uint32_t order;        // accepted in this order
};

// An application's notification, shared by the sockets signalling it (a listener and the
// connections accepted from it: the handle cannot be duplicated, it has SIGNAL alone).
struct notif_ref {
    nx_handle_t h;
    uint32_t refs;
};

struct sock {
    bool used;
    bool closing;          // the application closed it: waiting for TCP to release its tx bytes
    bool reset;            // its pcb is gone (reset, or its ring was corrupt): nothing more moves
    bool tx_blocked;       // lwIP took no more (segments out): tcp_sent or tcp_poll retries
    bool rd_shut, wr_shut, wr_shut_done, close_done;
    bool wake;             // signal the application at the end of the round
    uint8_t type;
    uint16_t gen;          // bumped on each reuse: stale DNS answers are dropped
    uint16_t icmp_id;
    uint32_t app_bit;
    struct client *client;
    nx_handle_t vmo;
    struct notif_ref *app_notif;
    uint8_t *map;
    struct nx_net_sock_shared *sh;
    struct nx_ring rx, tx;  // rx: the stack writes; tx: the stack reads
    union {
        struct tcp_pcb *tcp;
        struct udp_pcb *udp;
        struct raw_pcb *raw;
    } pcb;
    uint64_t tx_queued;     // tx ring index up to which bytes went to tcp_write
    uint64_t rx_credited;   // rx ring tail up to which the window was credited
    uint32_t backlog, next_order;
    struct pending pend[NX_NET_BACKLOG_MAX];
};

static struct sock socks[NX_NET_SOCKETS_MAX];
static struct notif_ref notifs[NX_NET_SOCKETS_MAX];
// The pcb last aborted: a callback that aborted its own pcb must return ERR_ABRT.
static struct tcp_pcb *aborted;

#define TCP_PCB(s) ((s)->pcb.tcp)

static uint32_t sock_id(const struct sock *s)
{
    return (uint32_t)(s - socks);
}

uint32_t sock_count(void)
{
    uint32_t n = 0;
    for (size_t i = 0; i < NX_NET_SOCKETS_MAX; i++)
        n += socks[i].used;
    return n;
}

struct nx_net_sock_shared *sock_shared(struct sock *s)
{
    return s->sh;
}

struct client *sock_client(struct sock *s)
{
    return s->client;
}

struct sock *sock_find(uint64_t badge, uint32_t id)
{
    if (id >= NX_NET_SOCKETS_MAX)
        return NULL;
    struct sock *s = &socks[id];
    return s->used && !s->closing && s->client->badge == badge ? s : NULL;
}

static void publish_state(struct sock *s, uint32_t state, int32_t error)
{
    __atomic_store_n(&s->sh->error, error, __ATOMIC_RELAXED);
    __atomic_store_n(&s->sh->state, state, __ATOMIC_RELEASE);
    s->wake = true;
}

static void publish_addr(struct nx_net_addr *dst, const ip_addr_t *ip, uint16_t port)
{
    struct nx_net_addr a = { .ip = ip ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0,
                             .port = lwip_htons(port), .family = 2 };
    memcpy(dst, &a, sizeof a);
}

static void publish_tcp_addrs(struct sock *s)
{
    publish_addr(&s->sh->local, &TCP_PCB(s)->local_ip, TCP_PCB(s)->local_port);
    publish_addr(&s->sh->peer, &TCP_PCB(s)->remote_ip, TCP_PCB(s)->remote_port);
}

// ---- the socket's end ----

static void detach_tcp(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    if (pcb->state == LISTEN) {
        tcp_accept(pcb, NULL);
        return;
    }
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
}

static void abort_pending(struct sock *l)
{
    for (size_t i = 0; i < NX_NET_BACKLOG_MAX; i++) {
        if (l->pend[i].pcb) {
            detach_tcp(l->pend[i].pcb);
            tcp_abort(l->pend[i].pcb);
            l->pend[i].pcb = NULL;
        }
    }
}

// Drop the lwIP side at once (TCP: a reset).
static void drop_pcb(struct sock *s)
{
    switch (s->type) {
    case NX_NET_SOCK_STREAM:
        abort_pending(s);
        if (TCP_PCB(s)) {
            detach_tcp(TCP_PCB(s));
            if (TCP_PCB(s)->state == LISTEN)
                tcp_close(TCP_PCB(s));
            else
                aborted = TCP_PCB(s), tcp_abort(TCP_PCB(s)), S.tcp_resets++;
        }
        break;
    case NX_NET_SOCK_DGRAM:
        if (s->pcb.udp)
            udp_remove(s->pcb.udp);
        break;
    case NX_NET_SOCK_ICMP:
        if (s->pcb.raw)
            raw_remove(s->pcb.raw);
        break;
    }
    s->pcb.tcp = NULL;
}

// The socket's slot returns: the mapping and the handles go.
static void sock_free(struct sock *s)
{
    nx_vm_unmap(nx_self, (uint64_t)(uintptr_t)s->map, NX_NET_SOCK_VMO_SIZE);
    nx_handle_close(s->vmo);
    if (s->app_notif && --s->app_notif->refs == 0) {
        nx_handle_close(s->app_notif->h);
        s->app_notif->h = NX_HANDLE_INVALID;
    }
    struct client *c = s->client;
    uint16_t gen = s->gen;
    memset(s, 0, sizeof *s);
    s->gen = (uint16_t)(gen + 1);
    if (--c->sockets == 0)
        client_release(c);
}

// The socket cannot go on (its ring is corrupt, or the application is gone): reset it.
static void sock_reset(struct sock *s, int32_t error)
{
    drop_pcb(s);
    s->reset = true;
    if (s->closing) {
        sock_free(s);
        return;
    }
    publish_state(s, NX_NET_ST_CLOSED, error);
}

void sock_close_client(struct client *c)
{
    for (size_t i = 0; i < NX_NET_SOCKETS_MAX; i++) {
        struct sock *s = &socks[i];
        if (s->used && s->client == c) {
            s->closing = true;
            sock_reset(s, ECONNRESET);   // the last one may release c
        }
    }
}

// ---- rings ----

// The bytes the application wrote to tx: head checked against what the stack took and
// queued (an index moved back or past the size is NX_ERR_BAD_STATE).
static long tx_unqueued(struct sock *s)
{
    uint64_t head = __atomic_load_n(&s->tx.sh->head, __ATOMIC_ACQUIRE);
    uint64_t used = head - s->tx.pos, queued = s->tx_queued - s->tx.pos;
    if (used > s->tx.size || used < queued)
        return NX_ERR_BAD_STATE;
    return (long)(used - queued);
}

// The peer acknowledged n tx bytes: they leave the ring (the application may reuse them).
static void tx_release(struct sock *s, uint64_t n)
{
    s->tx.pos += n;
    __atomic_store_n(&s->tx.sh->tail, s->tx.pos, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&s->tx.sh->writer_waiting, __ATOMIC_RELAXED))
        s->wake = true;
}

static void signal_push(struct sock *s, long r)
{
    if (r == 1)
        s->wake = true;
}

// Push one record onto rx: header then payload (copied; counted).
static void rx_record(struct sock *s, const void *hdr, size_t hlen, const void *data, size_t n)
{
    uint8_t rec[NX_RING_RECORD_MAX];
    if (hlen + n > sizeof rec)
        return;
    memcpy(rec, hdr, hlen);
    memcpy(rec + hlen, data, n);
    S.sock_bytes_copied += n;
    long r = nx_ring_push(&s->rx, rec, hlen + n);
    if (r == NX_ERR_BAD_STATE)
        sock_reset(s, EIO);
    else
        signal_push(s, r);
}

// ---- TCP ----

static void tcp_finish_close(struct sock *s);

// Hand lwIP the tx bytes it has room for, by reference; then the FIN the application asked
// for (shutdown, close) once every byte is queued.
static void tcp_push_tx(struct sock *s)
{
    struct tcp_pcb *pcb = TCP_PCB(s);
    if (!pcb || pcb->state == LISTEN)
        return;
    long avail = tx_unqueued(s);
    if (avail < 0) {
        sock_reset(s, EIO);
        return;
    }
    bool wrote = false;
    s->tx_blocked = false;
    while (avail > 0 && !s->wr_shut_done && tcp_sndbuf(pcb) > 0) {
        size_t off = s->tx_queued & (s->tx.size - 1);
        size_t n = (size_t)avail;
        if (n > s->tx.size - off)
            n = s->tx.size - off;
        if (n > tcp_sndbuf(pcb))
            n = tcp_sndbuf(pcb);
        uint8_t more = (size_t)avail > n ? TCP_WRITE_FLAG_MORE : 0;
        if (tcp_write(pcb, s->tx.data + off, (u16_t)n, more) != ERR_OK) {
            s->tx_blocked = true;   // out of segments: tcp_sent or tcp_poll calls again
            break;
        }
        s->tx_queued += n;
        avail -= (long)n;
        wrote = true;
    }
    if (avail == 0 && s->closing && !s->close_done) {
        // lwIP would answer unread data with a reset and free the pcb under us: do it here.
        if (s->rx.pos != s->rx_credited || pcb->refused_data) {
            sock_reset(s, 0);
            return;
        }
        if (tcp_close(pcb) == ERR_OK)
            s->close_done = s->wr_shut_done = true;
    } else if (avail == 0 && s->wr_shut && !s->wr_shut_done) {
        if (tcp_shutdown(pcb, 0, 1) == ERR_OK)
            s->wr_shut_done = wrote = true;
    }
    if (wrote)
        tcp_output(pcb);
    if (s->close_done && s->tx.pos == s->tx_queued)
        tcp_finish_close(s);
}

// A closed socket whose tx bytes were all acknowledged: lwIP ends the connection alone (FIN
// exchange, TIME_WAIT) without touching the mapping, which goes now.
static void tcp_finish_close(struct sock *s)
{
    if (s->pcb.tcp)
        detach_tcp(s->pcb.tcp);
    s->pcb.tcp = NULL;
    sock_free(s);
}

// The application read rx: credit the window by what it took.
static void tcp_credit_rx(struct sock *s)
{
    uint64_t tail = __atomic_load_n(&s->rx.sh->tail, __ATOMIC_ACQUIRE);
    if (s->rx.pos - tail > s->rx.size || tail - s->rx_credited > s->rx.pos - s->rx_credited) {
        sock_reset(s, EIO);
        return;
    }
    uint64_t n = tail - s->rx_credited;
    s->rx_credited = tail;
    while (n > 0 && TCP_PCB(s)) {
        u16_t k = n > 0xffff ? 0xffff : (u16_t)n;
        tcp_recved(TCP_PCB(s), k);
        n -= k;
    }
}

static err_t on_tcp_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct sock *s = arg;
    (void)err;
    if (!p) {
        publish_state(s, NX_NET_ST_PEER_CLOSED, 0);
        return ERR_OK;
    }
    if (s->rd_shut) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    uint64_t used = s->rx.pos - __atomic_load_n(&s->rx.sh->tail, __ATOMIC_ACQUIRE);
    if (used > s->rx.size) {
        sock_reset(s, EIO);
        return ERR_ABRT;
    }
    if (s->rx.size - used < p->tot_len)
        return ERR_MEM;   // lwIP keeps it and offers it again (cannot happen: window <= room)
    for (struct pbuf *q = p; q; q = q->next) {
        bool wake;
        nx_ring_put_bytes(&s->rx, q->payload, q->len, &wake);
        s->wake |= wake;
    }
    S.sock_bytes_copied += p->tot_len;
    pbuf_free(p);
    return ERR_OK;
}

static err_t on_tcp_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    struct sock *s = arg;
    (void)pcb;
    aborted = NULL;
    tx_release(s, len);
    tcp_push_tx(s);
    return aborted == pcb ? ERR_ABRT : ERR_OK;
}

static int32_t errno_of(err_t err, bool connecting)
{
    switch (err) {
    case ERR_RST: return connecting ? ECONNREFUSED : ECONNRESET;
    case ERR_ABRT: return ETIMEDOUT;
    case ERR_CLSD: return 0;
    default: return EIO;
    }
}

// The pcb is gone (lwIP freed it): reset by the peer, timed out.
static void on_tcp_err(void *arg, err_t err)
{
    struct sock *s = arg;
    bool connecting = __atomic_load_n(&s->sh->state, __ATOMIC_RELAXED) == NX_NET_ST_CONNECTING;
    s->pcb.tcp = NULL;
    s->reset = true;
    if (err == ERR_RST)
        S.tcp_resets++;
    if (s->closing)
        sock_free(s);
    else
        publish_state(s, NX_NET_ST_CLOSED, errno_of(err, connecting));
}

// Every second while the connection lives (lwIP's slow timer runs anyway then): retry what
// lwIP could not take for want of segments.
static err_t on_tcp_poll(void *arg, struct tcp_pcb *pcb)
{
    struct sock *s = arg;
    if (!s->tx_blocked)
        return ERR_OK;
    aborted = NULL;
    tcp_push_tx(s);
    return aborted == pcb ? ERR_ABRT : ERR_OK;
}

static void tcp_attach(struct sock *s, struct tcp_pcb *pcb)
{
    TCP_PCB(s) = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_tcp_recv);
    tcp_sent(pcb, on_tcp_sent);
    tcp_err(pcb, on_tcp_err);
    tcp_poll(pcb, on_tcp_poll, 2);
}

static err_t on_tcp_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct sock *s = arg;
    (void)err;
    S.tcp_active++;
    publish_tcp_addrs(s);
    publish_state(s, NX_NET_ST_CONNECTED, 0);
    aborted = NULL;
    tcp_push_tx(s);
    return aborted == pcb ? ERR_ABRT : ERR_OK;
}

// A pending connection keeps what it receives until it is accepted (lwIP holds it as
// refused data and offers it again every fast timer tick).
static err_t on_pending_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg, (void)pcb, (void)err;
    return p ? ERR_MEM : ERR_OK;
}

static void on_pending_err(void *arg, err_t err)
{
    struct pending *pd = arg;
    (void)err;
    pd->pcb = NULL;
    pd->listener->sh->accept_pending--;
}

static err_t on_tcp_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct sock *l = arg;
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    struct pending *pd = NULL;
    for (size_t i = 0; i < l->backlog && !pd; i++)
        if (!l->pend[i].pcb)
            pd = &l->pend[i];
    if (!pd) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    // Counted against the listener's backlog until accepted: more SYNs are refused.
    tcp_backlog_delayed(pcb);
    *pd = (struct pending){ .pcb = pcb, .listener = l, .order = l->next_order++ };
    tcp_arg(pcb, pd);
    tcp_recv(pcb, on_pending_recv);
    tcp_err(pcb, on_pending_err);
    l->sh->accept_pending++;
    l->wake = true;
    S.tcp_passive++;
    return ERR_OK;
}

// ---- datagrams: UDP, ICMP echo, DNS ----

static void on_udp_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
                        u16_t port)
{
    struct sock *s = arg;
    (void)pcb;
    uint8_t data[NX_NET_DGRAM_MAX];
    if (!s->rd_shut && p->tot_len <= sizeof data) {
        struct nx_net_dgram h;
        publish_addr(&h.addr, addr, port);
        uint16_t n = pbuf_copy_partial(p, data, p->tot_len, 0);
        S.sock_bytes_copied += n;
        rx_record(s, &h, sizeof h, data, n);
    }
    pbuf_free(p);
}

// Echo replies carrying this socket's id are its own.
static u8_t on_icmp_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    struct sock *s = arg;
    (void)pcb;
    uint8_t msg[NX_NET_DGRAM_MAX];
    const struct ip_hdr *iph = p->payload;
    if (p->len < IP_HLEN)
        return 0;
    uint16_t hlen = IPH_HL_BYTES(iph);
    if (p->tot_len < hlen + sizeof(struct icmp_echo_hdr) || (size_t)(p->tot_len - hlen) > sizeof msg)
        return 0;
    uint16_t n = pbuf_copy_partial(p, msg, (u16_t)(p->tot_len - hlen), hlen);
    const struct icmp_echo_hdr *e = (const struct icmp_echo_hdr *)msg;
    if (e->type != ICMP_ER || e->id != s->icmp_id)
        return 0;
    struct nx_net_dgram h;
    publish_addr(&h.addr, addr, 0);
    S.sock_bytes_copied += n;
    rx_record(s, &h, sizeof h, msg, n);
    pbuf_free(p);
    return 1;
}

static void dns_answer(struct sock *s, int32_t error, uint32_t ip)
{
    struct nx_net_dns_answer a = { .error = error, .ip = ip };
    long r = nx_ring_push(&s->rx, &a, sizeof a);
    if (r == NX_ERR_BAD_STATE)
        sock_reset(s, EIO);
    else
        signal_push(s, r);
}

static void on_dns_found(const char *name, const ip_addr_t *ip, void *arg)
{
    (void)name;
    timers_dns_pending--;
    timers_dns_answered();
    uintptr_t token = (uintptr_t)arg;
    struct sock *s = &socks[token & 0xffff];
    if (!s->used || s->closing || s->gen != (uint16_t)(token >> 16))
        return;   // the socket closed meanwhile
    dns_answer(s, ip ? 0 : ENOENT, ip ? ip4_addr_get_u32(ip_2_ip4(ip)) : 0);
}

static void dns_ask(struct sock *s, const uint8_t *rec, size_t len)
{
    char name[NX_NET_NAME_MAX + 1];
    if (len > NX_NET_NAME_MAX || memchr(rec, 0, len)) {
        dns_answer(s, EINVAL, 0);
        return;
    }
    memcpy(name, rec, len);
    name[len] = 0;
    ip_addr_t ip;
    uintptr_t token = ((uintptr_t)s->gen << 16) | sock_id(s);
    err_t err = dns_gethostbyname(name, &ip, on_dns_found, (void *)token);
    if (err == ERR_INPROGRESS)
        timers_dns_pending++;
    else if (err == ERR_OK)
        dns_answer(s, 0, ip4_addr_get_u32(ip_2_ip4(&ip)));
    else
        dns_answer(s, err == ERR_MEM ? EAGAIN : ENOENT, 0);
}

// An ICMP echo request goes out with this socket's id (replies are matched by it).
static err_t icmp_send(struct sock *s, uint8_t *msg, size_t n, const ip_addr_t *to)
{
    struct icmp_echo_hdr *e = (struct icmp_echo_hdr *)msg;
    if (n < sizeof *e || e->type != ICMP_ECHO || e->code != 0)
        return ERR_VAL;
    e->id = s->icmp_id;
    e->chksum = 0;
    e->chksum = inet_chksum(msg, (u16_t)n);
    struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)n, PBUF_REF);
    if (!p)
        return ERR_MEM;
    p->payload = msg;
    err_t err = raw_sendto(s->pcb.raw, p, to);
    pbuf_free(p);
    return err;
}

// One datagram record from tx (the payload referenced, not copied again: lwIP copies a
// PBUF_REF it must keep, e.g. while ARP resolves).
static void dgram_send(struct sock *s, uint8_t *rec, size_t len)
{
    struct nx_net_dgram h;
    if (len < sizeof h || len - sizeof h > NX_NET_DGRAM_MAX)
        return;
    memcpy(&h, rec, sizeof h);
    uint8_t *data = rec + sizeof h;
    size_t n = len - sizeof h;
    ip_addr_t to;
    ip_addr_set_ip4_u32(&to, h.addr.ip);
    if (s->type == NX_NET_SOCK_ICMP) {
        icmp_send(s, data, n, &to);
        return;
    }
    if (h.addr.ip && !policy_connect(s->client))
        return;
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)n, PBUF_REF);
    if (!p)
        return;
    p->payload = data;
    if (h.addr.ip)
        udp_sendto(s->pcb.udp, p, &to, lwip_ntohs(h.addr.port));
    else
        udp_send(s->pcb.udp, p);
    pbuf_free(p);
}

// Take every record the application wrote to tx (datagram, ICMP and DNS sockets).
static void records_take(struct sock *s)
{
    uint8_t rec[NX_RING_RECORD_MAX];
    size_t len;
    long r;
    while (!s->reset && (r = nx_ring_pop(&s->tx, rec, sizeof rec, &len)) != NX_ERR_NOT_FOUND) {
        if (r == NX_ERR_BAD_STATE) {
            sock_reset(s, EIO);
            return;
        }
        S.sock_bytes_copied += len;
        if (s->type == NX_NET_SOCK_DNS)
            dns_ask(s, rec, len);
        else
            dgram_send(s, rec, len);
    }
    if (!s->reset)
        tx_release(s, 0);   // the application may wait for room
}

// ---- the socket's life ----

static long make_pcb(struct sock *s)
{
    switch (s->type) {
    case NX_NET_SOCK_STREAM: {
        struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
        if (!pcb)
            return NX_ERR_NO_MEMORY;
        tcp_attach(s, pcb);
        return NX_OK;
    }
    case NX_NET_SOCK_DGRAM:
        s->pcb.udp = udp_new_ip_type(IPADDR_TYPE_V4);
        if (!s->pcb.udp)
            return NX_ERR_NO_MEMORY;
        udp_recv(s->pcb.udp, on_udp_recv, s);
        return NX_OK;
    case NX_NET_SOCK_ICMP:
        s->pcb.raw = raw_new(IP_PROTO_ICMP);
        if (!s->pcb.raw)
            return NX_ERR_NO_MEMORY;
        s->icmp_id = lwip_htons((u16_t)(0x4e00 + sock_id(s)));
        raw_recv(s->pcb.raw, on_icmp_recv, s);
        return NX_OK;
    default:
        return NX_OK;   // DNS: lwIP's resolver, no pcb of its own
    }
}

// Map the application's VMO and check its rings (formatted by the application, the data
// areas NX_NET_RING_BYTES each).
static long map_shared(struct sock *s, nx_handle_t vmo)
{
    long size = nx_vmo_size(vmo);
    if (size < 0)
        return NX_ERR_INVALID;
    if ((size_t)size < NX_NET_SOCK_VMO_SIZE)
        return NX_ERR_TOO_BIG;
    long va = nx_vm_map(nx_self, vmo, 0, 0, NX_NET_SOCK_VMO_SIZE, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0)
        return va == NX_ERR_ACCESS ? NX_ERR_INVALID : va;
    s->map = (uint8_t *)va;
    s->sh = (struct nx_net_sock_shared *)s->map;
    if (nx_ring_attach(&s->rx, s->map + NX_NET_RX_OFF, NX_NET_RING_MEM, NX_RING_WRITER) ||
        nx_ring_attach(&s->tx, s->map + NX_NET_TX_OFF, NX_NET_RING_MEM, NX_RING_READER) ||
        s->rx.size != NX_NET_RING_BYTES || s->tx.size != NX_NET_RING_BYTES) {
        nx_vm_unmap(nx_self, (uint64_t)va, NX_NET_SOCK_VMO_SIZE);
        return NX_ERR_INVALID;
    }
    s->rx_credited = s->rx.pos;
    s->tx_queued = s->tx.pos;
    memset(s->sh, 0, sizeof *s->sh);
    return NX_OK;
}

static struct sock *free_slot(void)
{
    for (size_t i = 0; i < NX_NET_SOCKETS_MAX; i++)
        if (!socks[i].used)
            return &socks[i];
    return NULL;
}

// A slot with the VMO mapped and the notification kept; the pcb is the caller's to make.
static long sock_new(struct client *c, uint32_t type, uint32_t bit, nx_handle_t vmo,
                     struct notif_ref *app_notif, struct sock **out)
{
    if (c->sockets >= NX_NET_CLIENT_SOCKETS_MAX)
        return NX_ERR_NO_SPACE;
    struct sock *s = free_slot();
    if (!s)
        return NX_ERR_NO_SPACE;
    long err = map_shared(s, vmo);
    if (err)
        return err;
    s->used = true;
    s->type = (uint8_t)type;
    s->app_bit = bit;
    s->client = c;
    s->vmo = vmo;
    s->app_notif = app_notif;
    app_notif->refs++;
    c->sockets++;
    *out = s;
    return NX_OK;
}

long sock_open(struct client *c, uint32_t type, uint32_t bit, nx_handle_t vmo,
               nx_handle_t app_notif, uint32_t *id)
{
    struct notif_ref *ref = NULL;
    for (size_t i = 0; i < NX_NET_SOCKETS_MAX && !ref; i++)
        if (notifs[i].refs == 0)
            ref = &notifs[i];
    if (!ref)
        return NX_ERR_NO_SPACE;
    ref->h = app_notif;
    struct sock *s;
    long err = sock_new(c, type, bit, vmo, ref, &s);
    if (err)
        return err;
    err = make_pcb(s);
    if (err) {
        ref->refs++;                    // the handles stay the caller's to close
        s->vmo = NX_HANDLE_INVALID;
        sock_free(s);
        ref->refs = 0;
        return err;
    }
    if (type != NX_NET_SOCK_STREAM)
        publish_state(s, NX_NET_ST_CONNECTED, 0);
    *id = sock_id(s);
    return NX_OK;
}

long sock_bind(struct sock *s, const struct nx_net_addr *a)
{
    ip_addr_t ip;
    ip_addr_set_ip4_u32(&ip, a->ip);
    uint16_t port = lwip_ntohs(a->port);
    err_t err;
    switch (s->type) {
    case NX_NET_SOCK_STREAM:
        if (!TCP_PCB(s) || TCP_PCB(s)->state != CLOSED)
            return NX_ERR_BAD_STATE;
        err = tcp_bind(TCP_PCB(s), &ip, port);
        if (err == ERR_OK)
            publish_addr(&s->sh->local, &TCP_PCB(s)->local_ip, TCP_PCB(s)->local_port);
        break;
    case NX_NET_SOCK_DGRAM:
        err = udp_bind(s->pcb.udp, &ip, port);
        if (err == ERR_OK)
            publish_addr(&s->sh->local, &s->pcb.udp->local_ip, s->pcb.udp->local_port);
        break;
    default:
        return NX_ERR_INVALID;
    }
    return err == ERR_OK ? NX_OK : err == ERR_USE ? NX_ERR_BAD_STATE : NX_ERR_INVALID;
}

long sock_listen(struct sock *s, uint32_t backlog)
{
    if (s->type != NX_NET_SOCK_STREAM || !TCP_PCB(s) || TCP_PCB(s)->state != CLOSED)
        return NX_ERR_BAD_STATE;
    if (backlog == 0 || backlog > NX_NET_BACKLOG_MAX)
        backlog = NX_NET_BACKLOG_MAX;
    err_t err;
    struct tcp_pcb *lp = tcp_listen_with_backlog_and_err(TCP_PCB(s), (u8_t)backlog, &err);
    if (!lp)
        return err == ERR_USE ? NX_ERR_BAD_STATE : NX_ERR_NO_MEMORY;
    TCP_PCB(s) = lp;   // the old pcb is freed
    s->backlog = backlog;
    tcp_arg(lp, s);
    tcp_accept(lp, on_tcp_accept);
    publish_addr(&s->sh->local, &lp->local_ip, lp->local_port);
    publish_state(s, NX_NET_ST_LISTENING, 0);
    return NX_OK;
}

// The peer's FIN came while the connection waited to be accepted: lwIP told only
// on_pending_recv, so the accepted socket must start at end of stream. (With data still
// refused, the FIN rides on it and reaches on_tcp_recv after the data.)
static bool fin_while_pending(const struct tcp_pcb *pcb)
{
    return pcb->state == CLOSE_WAIT && !pcb->refused_data;
}

static struct pending *oldest_pending(struct sock *l)
{
    struct pending *best = NULL;
    for (size_t i = 0; i < l->backlog; i++)
        if (l->pend[i].pcb && (!best || (int32_t)(l->pend[i].order - best->order) < 0))
            best = &l->pend[i];
    return best;
}

long sock_accept(struct sock *l, nx_handle_t vmo, uint32_t bit, bool own_bit,
                 struct nx_net_socket_rep *rep)
{
    if (l->type != NX_NET_SOCK_STREAM || !TCP_PCB(l) || TCP_PCB(l)->state != LISTEN)
        return NX_ERR_BAD_STATE;
    struct pending *pd = oldest_pending(l);
    if (!pd)
        return NX_ERR_TIMED_OUT;
    struct sock *s;
    long err = sock_new(l->client, NX_NET_SOCK_STREAM, own_bit ? bit : l->app_bit, vmo,
                        l->app_notif, &s);
    if (err)
        return err;
    struct tcp_pcb *pcb = pd->pcb;
    pd->pcb = NULL;
    l->sh->accept_pending--;
    tcp_backlog_accepted(pcb);
    tcp_attach(s, pcb);
    publish_tcp_addrs(s);
    publish_state(s, fin_while_pending(pcb) ? NX_NET_ST_PEER_CLOSED : NX_NET_ST_CONNECTED, 0);
    *rep = (struct nx_net_socket_rep){ .id = sock_id(s) };
    memcpy(&rep->peer, &s->sh->peer, sizeof rep->peer);
    return NX_OK;
}

long sock_connect(struct sock *s, const struct nx_net_addr *a)
{
    ip_addr_t ip;
    ip_addr_set_ip4_u32(&ip, a->ip);
    uint16_t port = lwip_ntohs(a->port);
    if (s->type == NX_NET_SOCK_DGRAM) {
        if (udp_connect(s->pcb.udp, &ip, port) != ERR_OK)
            return NX_ERR_INVALID;
        publish_addr(&s->sh->peer, &ip, port);
        publish_addr(&s->sh->local, &s->pcb.udp->local_ip, s->pcb.udp->local_port);
        return NX_OK;
    }
    if (s->type != NX_NET_SOCK_STREAM || !TCP_PCB(s) || TCP_PCB(s)->state != CLOSED)
        return NX_ERR_BAD_STATE;
    if (a->ip == 0 || port == 0)
        return NX_ERR_INVALID;
    err_t err = tcp_connect(TCP_PCB(s), &ip, port, on_tcp_connected);
    if (err == ERR_RTE) {
        publish_state(s, NX_NET_ST_CLOSED, ENETUNREACH);
        return NX_OK;
    }
    if (err != ERR_OK)
        return err == ERR_USE ? NX_ERR_BAD_STATE : NX_ERR_NO_MEMORY;
    publish_tcp_addrs(s);
    publish_state(s, NX_NET_ST_CONNECTING, 0);
    return NX_OK;
}

long sock_shutdown(struct sock *s, uint32_t how)
{
    if (how > 2)
        return NX_ERR_INVALID;
    if (how != 1)
        s->rd_shut = true;
    if (how != 0)
        s->wr_shut = true;
    if (s->type == NX_NET_SOCK_STREAM)
        tcp_push_tx(s);
    return NX_OK;
}

// The application is done with it. A stream's unsent bytes still go, then FIN; the mapping
// stays until the peer acknowledged them. Unread received bytes: a reset (as lwIP does).
void sock_close(struct sock *s)
{
    s->closing = true;
    if (s->type != NX_NET_SOCK_STREAM || !TCP_PCB(s) || TCP_PCB(s)->state == LISTEN ||
        TCP_PCB(s)->state == CLOSED || TCP_PCB(s)->state == SYN_SENT) {
        sock_reset(s, 0);
        return;
    }
    tcp_credit_rx(s);
    if (!s->used)
        return;
    if (s->rx.pos != s->rx_credited) {
        sock_reset(s, 0);
        return;
    }
    tcp_push_tx(s);
}

// ---- events ----

static void sock_service_one(struct sock *s)
{
    if (s->reset)
        return;
    if (s->type == NX_NET_SOCK_STREAM) {
        if (TCP_PCB(s) && TCP_PCB(s)->state != LISTEN) {
            tcp_credit_rx(s);
            if (s->used)
                tcp_push_tx(s);
        }
    } else {
        records_take(s);
    }
}

void sock_service(uint64_t bits)
{
    for (uint32_t i = 0; i < NX_NET_SOCKETS_MAX; i++)
        if (socks[i].used && (bits & NX_NET_STACK_BIT(i)))
            sock_service_one(&socks[i]);
}

// Announce on tx (the stack reads it) and, for a stream with uncredited window, on rx's
// room (the stack waits for the application to read).
static bool announce(uint64_t *flag, bool still)
{
    __atomic_store_n(flag, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return still;
}

static bool sock_quiet(struct sock *s)
{
    if (s->type != NX_NET_SOCK_STREAM)
        return nx_ring_prepare_sleep(&s->tx);
    if (!TCP_PCB(s) || TCP_PCB(s)->state == LISTEN)
        return true;   // a listener's rings carry nothing
    bool quiet = true;
    if (s->rx.pos != s->rx_credited)
        quiet = announce(&s->rx.sh->writer_waiting,
                         __atomic_load_n(&s->rx.sh->tail, __ATOMIC_ACQUIRE) == s->rx_credited);
    // Bytes to send wait for a connection that can take them (and for room in lwIP).
    enum tcp_state st = TCP_PCB(s)->state;
    bool can_send = (st == ESTABLISHED || st == CLOSE_WAIT) && !s->wr_shut_done &&
                    !s->tx_blocked && tcp_sndbuf(TCP_PCB(s)) > 0;
    quiet &= announce(&s->tx.sh->reader_waiting, !can_send || tx_unqueued(s) == 0);
    return quiet;
}

bool sock_prepare_sleep(void)
{
    bool quiet = true;
    for (uint32_t i = 0; i < NX_NET_SOCKETS_MAX; i++) {
        struct sock *s = &socks[i];
        if (s->used && !s->closing && !s->reset && !sock_quiet(s)) {
            sock_service_one(s);
            quiet = false;
        }
    }
    return quiet;
}

void sock_flush_signals(void)
{
    for (uint32_t i = 0; i < NX_NET_SOCKETS_MAX; i++) {
        struct sock *s = &socks[i];
        if (s->used && s->wake) {
            s->wake = false;
            if (!s->closing)
                nx_notify_signal(s->app_notif->h, 1ull << s->app_bit);
        }
    }
}

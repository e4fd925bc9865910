// The stack's requests (nx/net.h) and its clients: each process holding sockets is known by
// its badge, watched (its sockets are reset when it ends) and asked about by the policy
// service once per permission (the answers are cached while it holds sockets).
#include <stdio.h>
#include <string.h>
#include <lwip/dhcp.h>
#include <lwip/dns.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include "link.h"
#include "server.h"
#include "stack.h"

#define POLICY_TIMEOUT_NS 2000000000ull
#define CLIENTS_MAX NX_NET_SOCKETS_MAX

static struct client clients[CLIENTS_MAX];

// ---- policy ----

static uint8_t policy_ask(uint64_t badge, const char *name)
{
    struct nx_policy_check chk = { .badge = (uint32_t)badge };
    snprintf(chk.service, sizeof chk.service, "%s", name);
    struct nx_policy_rights rights;
    long err = nx_rpc_call(S.policy, NX_POLICY_CHECK, &chk, sizeof chk, &rights, sizeof rights,
                           (uint64_t)nx_clock_get() + POLICY_TIMEOUT_NS);
    if (err == NX_OK)
        return YES;
    return err == NX_ERR_ACCESS ? NO : ASK;   // no answer: asked again next time
}

bool policy_connect(struct client *c)
{
    if (c->connect == ASK)
        c->connect = policy_ask(c->badge, NX_NET_POLICY_CONNECT);
    return c->connect == YES;
}

static uint8_t *listen_entry(struct client *c, uint16_t port)
{
    for (size_t i = 0; i < LISTEN_CACHE; i++)
        if (c->listen[i].answer != ASK && c->listen[i].port == port)
            return &c->listen[i].answer;
    for (size_t i = 0; i < LISTEN_CACHE; i++)
        if (c->listen[i].answer == ASK) {
            c->listen[i].port = port;
            return &c->listen[i].answer;
        }
    c->listen[port % LISTEN_CACHE].port = port;   // full: one answer is forgotten
    return &c->listen[port % LISTEN_CACHE].answer;
}

// Listening on port (0: any the stack picks) needs "net.in.<port>" or "net.in.*".
bool policy_listen(struct client *c, uint16_t port)
{
    if (port) {
        uint8_t *a = listen_entry(c, port);
        if (*a != YES) {
            char name[NX_SVC_NAME_MAX];
            snprintf(name, sizeof name, "%s%u", NX_NET_POLICY_LISTEN, port);
            *a = policy_ask(c->badge, name);
        }
        if (*a == YES)
            return true;
    }
    if (c->listen_any == ASK)
        c->listen_any = policy_ask(c->badge, NX_NET_POLICY_LISTEN "*");
    return c->listen_any == YES;
}

// ---- clients ----

// A client is a process (by pid) calling through a handle (by badge): a handle handed on to a
// child keeps its badge, and each process's sockets must end with that process.
static struct client *client_find(uint64_t badge, uint32_t pid)
{
    for (size_t i = 0; i < CLIENTS_MAX; i++)
        if (clients[i].used && clients[i].badge == badge && clients[i].pid == pid)
            return &clients[i];
    return NULL;
}

// The caller's client, made on its first socket with its process (watched) kept.
static struct client *client_get(uint64_t badge, struct nx_rpc_handles *hs, long *err)
{
    struct nx_process_info info;
    *err = nx_process_info(hs->h[2], &info);
    if (*err)
        return NULL;
    struct client *c = client_find(badge, info.pid);
    if (c)
        return c;
    for (size_t i = 0; i < CLIENTS_MAX; i++) {
        if (clients[i].used)
            continue;
        *err = nx_process_watch(hs->h[2], S.notif, BIT_CLIENT_GONE);
        if (*err)
            return NULL;
        c = &clients[i];
        *c = (struct client){ .used = true, .badge = badge, .pid = info.pid, .proc = hs->h[2] };
        hs->h[2] = NX_HANDLE_INVALID;
        return c;
    }
    *err = NX_ERR_NO_SPACE;
    return NULL;
}

void client_release(struct client *c)
{
    nx_handle_close(c->proc);
    memset(c, 0, sizeof *c);
}

void clients_reap(void)
{
    for (size_t i = 0; i < CLIENTS_MAX; i++) {
        long status;
        if (clients[i].used && nx_process_status(clients[i].proc, &status) == NX_OK)
            sock_close_client(&clients[i]);   // releases the client with its last socket
    }
}

// ---- requests ----

static long reply_stack_handles(struct nx_rpc_req *req)
{
    // Sent on with TRANSFER dropped: the client can signal, not pass the stack's handles on.
    long n = nx_handle_duplicate(S.notif, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
    if (n < 0)
        return n;
    long p = nx_handle_duplicate(nx_self, NX_RIGHT_READ | NX_RIGHT_TRANSFER);
    if (p < 0) {
        nx_handle_close((nx_handle_t)n);
        return p;
    }
    req->reply_handles = (struct nx_rpc_handles){
        2, { (nx_handle_t)n, (nx_handle_t)p }, { NX_RIGHT_SIGNAL, NX_RIGHT_READ } };
    return NX_OK;
}

static long op_socket(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_net_socket_req r;
    memcpy(&r, req->data, sizeof r);
    if (r.type < NX_NET_SOCK_STREAM || r.type > NX_NET_SOCK_DNS || r.bit >= NX_NET_APP_BITS ||
        req->handles.count != 3)
        return NX_ERR_INVALID;
    long err = NX_OK;
    struct client *c = client_get(req->badge, &req->handles, &err);
    if (!c)
        return err == NX_ERR_NO_SPACE ? err : NX_ERR_INVALID;
    bool needs_connect = r.type == NX_NET_SOCK_ICMP || r.type == NX_NET_SOCK_DNS;
    uint32_t id;
    if (needs_connect && !policy_connect(c))
        err = NX_ERR_ACCESS;
    else
        err = sock_open(c, r.type, r.bit, req->handles.h[0], req->handles.h[1], &id);
    if (err) {
        if (c->sockets == 0)
            client_release(c);
        return err;
    }
    req->handles.h[0] = req->handles.h[1] = NX_HANDLE_INVALID;   // the socket's now
    struct nx_net_socket_rep rep = { .id = id };
    memcpy(req->reply, &rep, sizeof rep);
    req->reply_len = sizeof rep;
    return reply_stack_handles(req);
}

// The caller's socket named by the request's first word.
static struct sock *caller_sock(const struct nx_rpc_req *req)
{
    struct nx_net_id id;
    memcpy(&id, req->data, sizeof id);
    return sock_find(req->badge, id.id);
}

static long op_bind(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_net_bind_req r;
    memcpy(&r, req->data, sizeof r);
    struct sock *s = caller_sock(req);
    if (!s)
        return NX_ERR_NOT_FOUND;
    if (r.addr.port && !policy_listen(sock_client(s), lwip_ntohs(r.addr.port)))
        return NX_ERR_ACCESS;
    return sock_bind(s, &r.addr);
}

static long op_listen(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_net_listen_req r;
    memcpy(&r, req->data, sizeof r);
    struct sock *s = caller_sock(req);
    if (!s)
        return NX_ERR_NOT_FOUND;
    struct nx_net_sock_shared *sh = sock_shared(s);
    if (!policy_listen(sock_client(s), lwip_ntohs(sh->local.port)))
        return NX_ERR_ACCESS;
    return sock_listen(s, r.backlog);
}

// Request: struct nx_net_id, optionally followed by the new socket's own notification bit
// (struct nx_net_accept_req); without it the new socket shares its listener's bit.
static long op_accept(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_net_accept_req r = { 0 };
    memcpy(&r, req->data, req->len);
    bool own_bit = req->len == sizeof r;
    struct sock *l = caller_sock(req);
    if (!l)
        return NX_ERR_NOT_FOUND;
    if (req->handles.count != 1 || (own_bit && r.bit >= NX_NET_APP_BITS))
        return NX_ERR_INVALID;
    struct nx_net_socket_rep rep;
    long err = sock_accept(l, req->handles.h[0], r.bit, own_bit, &rep);
    if (err)
        return err;
    req->handles.h[0] = NX_HANDLE_INVALID;
    memcpy(req->reply, &rep, sizeof rep);
    req->reply_len = sizeof rep;
    return NX_OK;
}

static long op_connect(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_net_connect_req r;
    memcpy(&r, req->data, sizeof r);
    struct sock *s = caller_sock(req);
    if (!s)
        return NX_ERR_NOT_FOUND;
    if (!policy_connect(sock_client(s)))
        return NX_ERR_ACCESS;
    return sock_connect(s, &r.addr);
}

static long op_shutdown(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_net_shutdown_req r;
    memcpy(&r, req->data, sizeof r);
    struct sock *s = caller_sock(req);
    return s ? sock_shutdown(s, r.how) : NX_ERR_NOT_FOUND;
}

static long op_close(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct sock *s = caller_sock(req);
    if (!s)
        return NX_ERR_NOT_FOUND;
    sock_close(s);
    return NX_OK;
}

static long op_ifconfig(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_net_ifconfig ic = { .link_up = netif_is_link_up(&nic.netif) ? 1 : 0,
                                  .dhcp_bound = dhcp_supplied_address(&nic.netif) ? 1 : 0,
                                  .mtu = nic.netif.mtu };
    memcpy(ic.mac, nic.netif.hwaddr, sizeof ic.mac);
    ic.ip = ip4_addr_get_u32(netif_ip4_addr(&nic.netif));
    ic.netmask = ip4_addr_get_u32(netif_ip4_netmask(&nic.netif));
    ic.gateway = ip4_addr_get_u32(netif_ip4_gw(&nic.netif));
    ic.dns = ip4_addr_get_u32(ip_2_ip4(dns_getserver(0)));
    ic.sockets_open = sock_count();
    struct nx_netdev_stats st;
    memcpy(&st, &nic.ctl->stats, sizeof st);   // the driver's: numbers only, unchecked
    ic.rx_packets = st.rx_packets, ic.rx_bytes = st.rx_bytes;
    ic.rx_drops = st.rx_drops + nic.stats.rx_no_memory, ic.rx_errors = st.rx_errors;
    ic.tx_packets = st.tx_packets, ic.tx_bytes = st.tx_bytes;
    ic.tx_drops = st.tx_drops + nic.stats.tx_no_slot, ic.tx_errors = st.tx_errors;
    ic.driver_bytes_copied = st.bytes_copied;
    ic.stack_bytes_copied = nic.stats.bytes_copied + S.sock_bytes_copied;
    ic.tcp_active = S.tcp_active, ic.tcp_passive = S.tcp_passive, ic.tcp_resets = S.tcp_resets;
    memcpy(req->reply, &ic, sizeof ic);
    req->reply_len = sizeof ic;
    return NX_OK;
}

const struct nx_rpc_op net_ops[] = {
    { NX_NET_SOCKET, sizeof(struct nx_net_socket_req), sizeof(struct nx_net_socket_req), op_socket },
    { NX_NET_BIND, sizeof(struct nx_net_bind_req), sizeof(struct nx_net_bind_req), op_bind },
    { NX_NET_LISTEN, sizeof(struct nx_net_listen_req), sizeof(struct nx_net_listen_req), op_listen },
    { NX_NET_ACCEPT, sizeof(struct nx_net_id), sizeof(struct nx_net_accept_req), op_accept },
    { NX_NET_CONNECT, sizeof(struct nx_net_connect_req), sizeof(struct nx_net_connect_req), op_connect },
    { NX_NET_SHUTDOWN, sizeof(struct nx_net_shutdown_req), sizeof(struct nx_net_shutdown_req), op_shutdown },
    { NX_NET_CLOSE, sizeof(struct nx_net_id), sizeof(struct nx_net_id), op_close },
    { NX_NET_IFCONFIG, 0, 0, op_ifconfig },
};
const size_t net_nops = sizeof net_ops / sizeof net_ops[0];

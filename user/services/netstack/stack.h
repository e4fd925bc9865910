#pragma once
// The TCP/IP stack service (service `net`, program `netstack`; docs/network.md): lwIP's raw
// API in one thread (NO_SYS), the netif over the driver (nic.h), sockets over rings shared
// with the applications (nx/net.h). Everything happens in one event loop: requests on the
// endpoint, and through the notification bound to it, the driver's records, the one timer,
// clients' deaths and the sockets' rings.
#include <stdbool.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/net.h>
#include <nx/ring.h>

// The stack's own notification bits (0..7; sockets use 8.., nx/net.h).
#define BIT_DRIVER NX_NETDEV_BIT_TO_STACK   // records from the driver
#define BIT_TIMER (1ull << 1)               // lwIP's next timeout is due
#define BIT_CLIENT_GONE (1ull << 2)         // a watched client process ended
#define SOCK_BITS (~0xffull)

// What the policy said about one name (cached per client: 0 unknown).
enum { ASK = 0, YES = 1, NO = 2 };
#define LISTEN_CACHE 8

// A process holding sockets, known by the badge of its handle to our endpoint.
struct client {
    bool used;
    uint64_t badge;
    uint32_t pid;
    nx_handle_t proc;        // watched: BIT_CLIENT_GONE when it ends
    uint32_t sockets;
    uint8_t connect;         // policy cache: NX_NET_POLICY_CONNECT
    uint8_t listen_any;      // NX_NET_POLICY_LISTEN "*"
    struct { uint16_t port; uint8_t answer; } listen[LISTEN_CACHE];
};

struct stack {
    nx_handle_t serve, notif, policy, netdev, timer, driver_notif;
    uint64_t timer_deadline;   // what the timer is armed for (NX_DEADLINE_NEVER: disarmed)
    bool addr_logged;
    uint64_t dns_ip;
    uint64_t tcp_active, tcp_passive, tcp_resets;
    uint64_t sock_bytes_copied;   // rx: pbuf -> ring; datagrams both ways
};
extern struct stack S;

// ---- clients and policy (server.c) ----
// May the client do `what` (NX_NET_POLICY_CONNECT, or a listen on port, 0 for any)?
bool policy_connect(struct client *c);
bool policy_listen(struct client *c, uint16_t port);
void client_release(struct client *c);

// ---- sockets (sock.c) ----
struct sock;
struct sock *sock_find(uint64_t badge, uint32_t id);
long sock_open(struct client *c, uint32_t type, uint32_t bit, nx_handle_t vmo,
               nx_handle_t app_notif, uint32_t *id);
long sock_bind(struct sock *s, const struct nx_net_addr *a);
long sock_listen(struct sock *s, uint32_t backlog);
long sock_accept(struct sock *l, nx_handle_t vmo, uint32_t bit, bool own_bit,
                 struct nx_net_socket_rep *rep);
long sock_connect(struct sock *s, const struct nx_net_addr *a);
long sock_shutdown(struct sock *s, uint32_t how);
void sock_close(struct sock *s);
// Reset every socket of a client (it ended).
void sock_close_client(struct client *c);
uint32_t sock_count(void);
struct nx_net_sock_shared *sock_shared(struct sock *s);
struct client *sock_client(struct sock *s);
// The sockets whose stack bits are set: take what their applications wrote or read.
void sock_service(uint64_t bits);
// Before sleeping: announce it on every socket's rings; false if work came meanwhile.
bool sock_prepare_sleep(void);
// Signal the applications that have something new (batched once per round).
void sock_flush_signals(void);

#pragma once
// The TCP/IP stack's protocol (service `net`, program `netstack`; docs/network.md): what
// libnx's sockets (sys/socket.h) ask of the stack. Control follows nx/rpc.h; socket data never
// travels in messages.
//
// A socket is a VMO the *application* makes (its pages are charged to the application) and
// hands the stack with NX_NET_SOCKET or NX_NET_ACCEPT; both map it:
//   [0, 4096)                           struct nx_net_sock_shared: the stack writes, the
//                                       application reads (state, error, addresses)
//   [NX_NET_RX_OFF, + ring mem)         rx ring: the stack writes, the application reads
//   [NX_NET_TX_OFF, + ring mem)         tx ring: the application writes, the stack reads
// The rings are nx/ring.h rings of NX_NET_RING_BYTES data bytes each. A stream socket's rings
// carry bytes (nx_ring_put_bytes / get_bytes); a datagram socket's carry records, each a
// struct nx_net_dgram header followed by the payload (at most NX_NET_DGRAM_MAX bytes). A DNS
// socket (NX_NET_SOCK_DNS) takes a name as one record on tx and answers with one record of
// struct nx_net_dns_answer on rx.
//
// Wake-ups: the application's notification (handed over with NX_NET_SOCKET) is signalled with
// the socket's own bit (chosen by the application, < NX_NET_APP_BITS) whenever data, room, a
// connection to accept or a state change came; the stack's notification (handed back) with
// the bit NX_NET_STACK_BIT(id) when the application wrote to tx or read from rx. Both follow
// the nx/ring.h rule: signal only a side that said it sleeps (and always on a state change).
//
// Death on either side. The stack hands back its own process (READ): libnx watches it
// (nx_process_watch, bit NX_NET_APP_BIT_STACK_GONE) and fails every socket of a dead stack
// with ENETDOWN; new sockets reach the restarted stack behind the same endpoint. The
// application hands its own process (READ) with every NX_NET_SOCKET: the stack watches it and
// closes its sockets when it ends (connections are reset, pages and slots return).
//
// Authority: the endpoint handle is the grant (`grant=net` in the manifest, or handed on by a
// parent). What a holder may do is the policy's: the manifest's `net CLIENT [connect]
// [listen=PORT[,PORT...]|listen=*]` lines become policy rules for the pseudo-services below,
// which the stack asks the policy service about (NX_POLICY_CHECK with the caller's badge,
// answers cached per badge): NX_NET_POLICY_CONNECT for NX_NET_CONNECT, sendto and ICMP/DNS
// sockets; NX_NET_POLICY_LISTEN "80" (or "*", any port) for NX_NET_BIND to a port and
// NX_NET_LISTEN. A refused operation fails with NX_ERR_ACCESS (EACCES); no rule, no use.
//
// Limits: NX_NET_SOCKETS_MAX sockets in the stack, NX_NET_CLIENT_SOCKETS_MAX per client
// process (NX_ERR_NO_SPACE: EMFILE / ENFILE), NX_NET_BACKLOG_MAX pending connections per
// listener (more SYNs are refused).
#include <stdint.h>

#define NX_NET_SERVICE "net"
#define NX_NET_POLICY_CONNECT "net.out"
#define NX_NET_POLICY_LISTEN "net.in."      // + the port in decimal, or "*" (any port)
// The stack maps each socket's VMO, and the kernel gives a process at most 64 mappings
// (kernel/aspace.h): 48 sockets leave the stack room for its own (arena, control, heap).
#define NX_NET_SOCKETS_MAX 48
#define NX_NET_CLIENT_SOCKETS_MAX 32
#define NX_NET_BACKLOG_MAX 16
#define NX_NET_RING_BYTES (64u * 1024u)
#define NX_NET_DGRAM_MAX 1000u   // payload bytes of one datagram (a ring record is <= 1024)
#define NX_NET_NAME_MAX 253u     // a DNS name

// Socket VMO layout.
#define NX_NET_SHARED_SIZE 4096u
#define NX_NET_RING_MEM (((64u + NX_NET_RING_BYTES) + 4095u) & ~4095u)  // one ring, in pages
#define NX_NET_RX_OFF NX_NET_SHARED_SIZE
#define NX_NET_TX_OFF (NX_NET_SHARED_SIZE + NX_NET_RING_MEM)
#define NX_NET_SOCK_VMO_SIZE (NX_NET_SHARED_SIZE + 2 * NX_NET_RING_MEM)

// The application's notification: bit i (< NX_NET_APP_BITS) is its socket i; the top bit
// is "the stack is gone".
#define NX_NET_APP_BITS 63
#define NX_NET_APP_BIT_STACK_GONE (1ull << 63)
// The stack's notification: bits 0..7 are its own (driver, timer, client deaths); socket id
// s is signalled on bit 8 + s % 56 (the stack then looks at every socket sharing the bit).
#define NX_NET_STACK_BIT(id) (1ull << (8 + (id) % 56))

enum nx_net_sock_type {
    NX_NET_SOCK_STREAM = 1,  // TCP
    NX_NET_SOCK_DGRAM = 2,   // UDP
    NX_NET_SOCK_ICMP = 3,    // ICMP echo (ping): records are ICMP messages (header + data)
    NX_NET_SOCK_DNS = 4,     // name resolution (above)
};

// States the stack publishes in struct nx_net_sock_shared.state.
enum nx_net_sock_state {
    NX_NET_ST_NEW = 0,        // made, not connected or listening
    NX_NET_ST_CONNECTING = 1,
    NX_NET_ST_CONNECTED = 2,  // (datagram sockets: bound/usable)
    NX_NET_ST_LISTENING = 3,
    NX_NET_ST_PEER_CLOSED = 4,// the peer sent FIN: rx ends once drained
    NX_NET_ST_CLOSED = 5,     // ended; `error` says why (0: orderly)
};

// IPv4 addresses and ports are in network byte order everywhere below.
struct nx_net_addr {
    uint32_t ip;
    uint16_t port;
    uint16_t family;   // 2 (AF_INET)
};

struct nx_net_sock_shared {
    uint32_t state;            // enum nx_net_sock_state
    int32_t error;             // an errno value (ECONNREFUSED, ECONNRESET, ETIMEDOUT...) or 0
    uint32_t accept_pending;   // listeners: connections waiting for NX_NET_ACCEPT
    uint32_t reserved;
    struct nx_net_addr local, peer;
};

struct nx_net_dgram {          // before each datagram record's payload
    struct nx_net_addr addr;   // rx: where it came from; tx: where it goes (0: connected peer)
};

struct nx_net_dns_answer {
    int32_t error;             // 0, or EAI_NONAME-like errno (ENOENT: no such name,
                               // ETIMEDOUT: no answer)
    uint32_t ip;               // the first IPv4 address
};

enum {
    // Request: struct nx_net_socket_req; handles: the socket VMO (READ, WRITE, MAP; at least
    // NX_NET_SOCK_VMO_SIZE bytes, rings formatted by the application), the application's
    // notification (SIGNAL) and its own process (READ). Reply: struct nx_net_socket_rep;
    // handles: the stack's notification (SIGNAL) and the stack's process (READ).
    // Errors: NX_ERR_INVALID (type, bit, handles), NX_ERR_TOO_BIG (VMO too small),
    // NX_ERR_NO_SPACE (limits), NX_ERR_ACCESS (the policy grants nothing this type needs).
    NX_NET_SOCKET = 0x4e100001,
    // Request: struct nx_net_bind_req. NX_ERR_ACCESS (policy: listening on that port),
    // NX_ERR_BAD_STATE (in use: EADDRINUSE), NX_ERR_NOT_FOUND (no such socket).
    NX_NET_BIND,
    // Request: struct nx_net_listen_req. State becomes LISTENING. NX_ERR_ACCESS (policy).
    NX_NET_LISTEN,
    // Request: struct nx_net_id, or struct nx_net_accept_req to give the new socket a
    // notification bit of its own (with nx_net_id alone it shares the listener's bit); one
    // handle: the new socket's VMO (formatted like for SOCKET). The new socket signals the
    // listener's notification. Reply: struct nx_net_socket_rep (the new socket's id; no
    // handles).
    // NX_ERR_TIMED_OUT: nothing pending (EAGAIN; wait for the listener's bit).
    NX_NET_ACCEPT,
    // Request: struct nx_net_connect_req. Stream: the connection starts (state CONNECTING,
    // then CONNECTED or CLOSED with error); datagram: sets the default peer. NX_ERR_ACCESS
    // (policy: connecting out).
    NX_NET_CONNECT,
    // Request: struct nx_net_shutdown_req (how: 0 read, 1 write, 2 both).
    NX_NET_SHUTDOWN,
    // Request: struct nx_net_id. The socket goes: a stream's unsent data is still sent, then
    // FIN (a reset if rx data was left unread); the stack unmaps the VMO.
    NX_NET_CLOSE,
    // Reply: struct nx_net_ifconfig. Anyone holding the endpoint may ask.
    NX_NET_IFCONFIG,
};

struct nx_net_id {
    uint32_t id;
};

struct nx_net_accept_req {
    uint32_t id;       // the listener
    uint32_t bit;      // the new socket's bit (< NX_NET_APP_BITS)
};

struct nx_net_socket_req {
    uint32_t type;     // enum nx_net_sock_type
    uint32_t bit;      // the application's notification bit for it (< NX_NET_APP_BITS)
};

struct nx_net_socket_rep {
    uint32_t id;
    uint32_t reserved;
    struct nx_net_addr peer;   // ACCEPT: who connected
};

struct nx_net_bind_req {
    uint32_t id;
    uint32_t reserved;
    struct nx_net_addr addr;   // ip 0: any; port 0: an ephemeral one
};

struct nx_net_listen_req {
    uint32_t id;
    uint32_t backlog;          // capped at NX_NET_BACKLOG_MAX
};

struct nx_net_connect_req {
    uint32_t id;
    uint32_t reserved;
    struct nx_net_addr addr;
};

struct nx_net_shutdown_req {
    uint32_t id;
    uint32_t how;
};

// What `ifconfig` shows. Addresses in network byte order.
struct nx_net_ifconfig {
    uint8_t mac[6];
    uint8_t link_up;
    uint8_t dhcp_bound;        // 1 once DHCP gave the address
    uint32_t mtu;
    uint32_t ip, netmask, gateway, dns;
    uint32_t sockets_open;
    uint32_t reserved;
    uint64_t rx_packets, rx_bytes, rx_drops, rx_errors;   // the driver's counters
    uint64_t tx_packets, tx_bytes, tx_drops, tx_errors;
    uint64_t driver_bytes_copied;   // the driver's packet copies (0 by design)
    uint64_t stack_bytes_copied;    // payload bytes the stack copied (rx: pbuf -> ring;
                                    // tx: ring -> tx slot)
    uint64_t tcp_active, tcp_passive, tcp_resets;          // connections opened out / in
};

#pragma once
// libnx sockets' internals (sys/socket.h, nx/socket.h): the descriptor table and the pure
// helpers shared by socket*.c and tests/host/test_socket.c.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netdb.h>
#include <poll.h>
#include <nexus/handle.h>
#include <nx/net.h>
#include <nx/ring.h>
#include <nx/socket.h>

// Notification bits of the process's socket notification: NX_SOCKET_MAX sockets' own, then
// the stdin reader's (socket_stdin.c), then the stack's death (nx/net.h).
#define NX_SOCK_BIT_STDIN (1ull << NX_SOCKET_MAX)
_Static_assert(NX_SOCKET_MAX < NX_NET_APP_BITS, "a bit for stdin below the stack's");

struct nx_sock {
    bool used;
    bool dead;             // its stack ended: every call fails with ENETDOWN
    bool nonblock;         // O_NONBLOCK
    bool shut_rd, shut_wr; // shutdown() so far
    bool connecting;       // a stream's connect() was sent
    uint8_t type;          // enum nx_net_sock_type
    uint32_t id;           // the stack's
    uint64_t rcv_timeout_ns, snd_timeout_ns;   // SO_RCVTIMEO, SO_SNDTIMEO (0: none)
    nx_handle_t vmo;
    uint8_t *mem;          // the VMO's mapping (NX_NET_SOCK_VMO_SIZE bytes)
    struct nx_net_sock_shared *sh;
    struct nx_ring rx, tx; // rx: we read; tx: we write
};

// ---- pure (host-tested) ----

// The free slot of table[0..n) with the lowest index, or -1.
int nx_sock_slot_free(const struct nx_sock *table, size_t n);
// The socket behind descriptor fd (NULL: none).
struct nx_sock *nx_sock_of_fd(struct nx_sock *table, size_t n, int fd);
// Format (format: true, a new socket) or attach to the rings in mem (NX_NET_SOCK_VMO_SIZE
// bytes): rx as reader, tx as writer.
long nx_sock_rings(struct nx_sock *s, void *mem, bool format);
// The state the stack publishes, bounded (an impossible value reads as CLOSED).
uint32_t nx_sock_state(const struct nx_sock *s);
// The errno of a closed socket (the stack's error if it is a plausible errno, else EIO).
int nx_sock_closed_errno(const struct nx_sock *s);
// poll(): the events of `events` (plus POLLERR, POLLHUP) that hold for s now.
short nx_sock_revents(struct nx_sock *s, short events);
// errno for an NX_ERR_* the stack answered.
int nx_sock_errno(long err);
// Socket type from socket()'s type (flags taken off) and protocol, 0 if unsupported
// (*err: EPROTONOSUPPORT, or EINVAL for a type that is none).
int nx_sock_type(int type, int protocol, int *err);

// sockaddr <-> the stack's address. 0 or an errno (EINVAL: too short, EAFNOSUPPORT).
int nx_sock_addr_in(const struct sockaddr *sa, socklen_t len, struct nx_net_addr *out);
// Fill *sa (at most *len bytes; *len becomes the full size).
void nx_sock_addr_out(const struct nx_net_addr *a, struct sockaddr *sa, socklen_t *len);

// getaddrinfo's pieces: the port of `service` (NULL: 0) in network order, or EAI_SERVICE /
// EAI_NONAME (AI_NUMERICSERV and a name).
int nx_gai_port(const char *service, int flags, uint16_t *port);
// One result per socket type hints allow (0: stream and datagram) for ip/port, in *res.
int nx_gai_list(uint32_t ip, uint16_t port, const struct addrinfo *hints, struct addrinfo **res);
// Resolve a name through the stack (socket_dns.c; the host test supplies its own):
// 0 and *ip, or an errno (ENOENT: no such name, ETIMEDOUT, EACCES, ENETDOWN...).
int nx_dns_resolve(const char *name, uint32_t *ip);

// ---- with system calls (socket.c) ----

// The process's socket table and its notification wait (socket_io.c, socket_stdin.c).
extern struct nx_sock nx_socks[NX_SOCKET_MAX];
// The socket of fd, its stack alive; NULL with errno set (EBADF: no such descriptor,
// ENOTSOCK: a file or standard stream, ENETDOWN: the stack died).
struct nx_sock *nx_sock_live(int fd);
// Take bits that came (stack death handled), waiting until deadline (0: do not wait).
// NX_OK (maybe nothing came: re-check) or NX_ERR_TIMED_OUT.
long nx_sock_wait(uint64_t deadline);
// The notification (made on first use), or NX_HANDLE_INVALID.
nx_handle_t nx_sock_notif(void);
// Wake the stack about s (its bit on the stack's notification).
void nx_sock_kick(const struct nx_sock *s);
// Set a ring's "may sleep" flag (reader_waiting / writer_waiting) with the fence nx/ring.h
// pairs with the other side's publish; check the condition after it.
void nx_sock_announce(uint64_t *flag);
// Announce on s's rx ring (writer: on its tx ring), then sleep unless ready(s), until a
// signal or the deadline (0: do not wait, NX_DEADLINE_NEVER). 0 (look again), or ENETDOWN,
// ETIMEDOUT, EAGAIN (deadline 0).
int nx_sock_sleep(struct nx_sock *s, uint64_t deadline_ns, bool (*ready)(struct nx_sock *),
                  bool writer);
// now + timeout_ns, or NX_DEADLINE_NEVER for 0 (no timeout).
uint64_t nx_sock_deadline(uint64_t timeout_ns);

// A new socket of the stack's type `kind` (enum nx_net_sock_type): its descriptor, or -1
// with errno set.
int nx_sock_open(int kind);

// POSIX calls on socket descriptors (file.c dispatches read, write and close here).
ssize_t nx_socket_read(int fd, void *buf, size_t n);
ssize_t nx_socket_write(int fd, const void *buf, size_t n);
int nx_socket_close(int fd);

// stdin for poll() (socket_stdin.c): fd 0's poll events (starting the reader thread).
short nx_sock_stdin_revents(short events);

#pragma once
// libnx's sockets beyond POSIX (sys/socket.h, netdb.h, poll.h; docs/network.md, "Sockets").
//
// The stack is the startup handle "net" (the manifest's `grant=net`, or a parent's) or else
// what svcmgr hands out for "net" if the policy lets this program have it; neither: EACCES.
// Sockets are descriptors NX_SOCKET_FD_BASE .. + NX_SOCKET_MAX - 1, apart from the files'
// (nx/file.h); read(), write(), close() and poll() take them.
#include <stdint.h>
#include <nx/net.h>

#define NX_SOCKET_FD_BASE 64
#define NX_SOCKET_MAX NX_NET_CLIENT_SOCKETS_MAX

// The stack's interface, addresses and counters (NX_NET_IFCONFIG): NX_OK or an NX_ERR_*
// (NX_ERR_ACCESS: no grant, NX_ERR_PEER_CLOSED / NX_ERR_TIMED_OUT: no stack answering).
long nx_net_ifconfig(struct nx_net_ifconfig *out);

// Bytes read() and recv() copied out of sockets' rings and into them by write() and send()
// in this process (the one copy on the application's side).
uint64_t nx_socket_bytes_copied(void);

// ---- for programs (user/lib/socket_tool.c) ----
#include <netinet/in.h>

// Print "prog: what: why" on stderr for errno, with what the user can do about the network's
// own errors (EACCES: no `net` grant or the policy refuses; ENETDOWN: no stack). Returns 1.
int nx_net_error(const char *prog, const char *what);
// The IPv4 address of host (numeric or a DNS name) and port (a number or a service name) for
// sockets of socktype: 0 and *out, or else prints why (nx_net_error, gai_strerror) and
// returns 1.
int nx_net_resolve(const char *prog, const char *host, const char *port, int socktype,
                   struct sockaddr_in *out);
// A TCP connection to host and port: the socket's descriptor, or -1 having printed why
// ("PROG: connect to HOST port PORT: Connection refused", a name not found...).
int nx_net_dial(const char *prog, const char *host, const char *port);

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

#pragma once
// The stack's requests (nx/net.h) for nx_rpc_serve, and the clients' deaths.
#include <stddef.h>
#include <nx/rpc.h>

extern const struct nx_rpc_op net_ops[];
extern const size_t net_nops;
// Reset the sockets of every client process that ended (BIT_CLIENT_GONE).
void clients_reap(void);

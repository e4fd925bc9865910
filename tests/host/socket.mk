# Host test for libnx sockets' pure parts: addresses, getaddrinfo (the DNS step stubbed by
# the test), the descriptor table, poll's reading of a socket's shared state and rings.
HOST_TESTS += socket
socket_SRCS := user/lib/socket_addr.c user/lib/socket_table.c user/lib/ring.c

#pragma once
// picolibc's arpa/inet.h (htonl, htons, ntohl, ntohs) plus the address conversions it lacks
// (libnx, user/lib/socket_addr.c). IPv4 only: AF_INET6 is EAFNOSUPPORT.
#include_next <arpa/inet.h>
#include <netinet/in.h>

int inet_pton(int af, const char *src, void *dst);
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
in_addr_t inet_addr(const char *cp);
int inet_aton(const char *cp, struct in_addr *inp);
char *inet_ntoa(struct in_addr in);

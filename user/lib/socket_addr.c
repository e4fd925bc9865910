// Addresses and names for sockets, without system calls (host-tested): inet_pton and
// friends, sockaddr conversion, and getaddrinfo (the DNS step is nx_dns_resolve,
// socket_dns.c).
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "socket_impl.h"

// Dotted quad "a.b.c.d", each 0..255 in decimal without leading zeros: the address in
// network order, or false.
static bool parse_ipv4(const char *s, uint32_t *out)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
            v = v * 10 + (unsigned)(*s - '0');
        if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[-(int)digits] == '0'))
            return false;
        b[i] = (uint8_t)v;
        if (*s != (i < 3 ? '.' : '\0'))
            return false;
        s++;
    }
    memcpy(out, b, 4);
    return true;
}

int inet_pton(int af, const char *src, void *dst)
{
    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    uint32_t ip;
    if (!parse_ipv4(src, &ip))
        return 0;
    memcpy(dst, &ip, 4);
    return 1;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
    if (af != AF_INET) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    const uint8_t *b = src;
    char tmp[INET_ADDRSTRLEN];
    int n = snprintf(tmp, sizeof tmp, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    if (n < 0 || (socklen_t)n >= size) {
        errno = ENOSPC;
        return NULL;
    }
    return memcpy(dst, tmp, (size_t)n + 1);
}

int inet_aton(const char *cp, struct in_addr *inp)
{
    return inet_pton(AF_INET, cp, &inp->s_addr) == 1;
}

in_addr_t inet_addr(const char *cp)
{
    struct in_addr a;
    return inet_aton(cp, &a) ? a.s_addr : INADDR_NONE;
}

char *inet_ntoa(struct in_addr in)
{
    static char buf[INET_ADDRSTRLEN];
    return (char *)inet_ntop(AF_INET, &in.s_addr, buf, sizeof buf);
}

int nx_sock_addr_in(const struct sockaddr *sa, socklen_t len, struct nx_net_addr *out)
{
    if (!sa || len < sizeof(sa_family_t))
        return EINVAL;
    if (sa->sa_family != AF_INET)
        return EAFNOSUPPORT;
    if (len < sizeof(struct sockaddr_in))
        return EINVAL;
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    *out = (struct nx_net_addr){ in->sin_addr.s_addr, in->sin_port, AF_INET };
    return 0;
}

void nx_sock_addr_out(const struct nx_net_addr *a, struct sockaddr *sa, socklen_t *len)
{
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = a->port,
                              .sin_addr = { a->ip } };
    if (sa && len)
        memcpy(sa, &in, *len < sizeof in ? *len : sizeof in);
    if (len)
        *len = sizeof in;
}

// ---- getaddrinfo ----

static const struct { const char *name; uint16_t port; } services[] = {
    { "echo", 7 }, { "domain", 53 }, { "http", 80 }, { "https", 443 },
};

int nx_gai_port(const char *service, int flags, uint16_t *port)
{
    *port = 0;
    if (!service)
        return 0;
    char *end;
    errno = 0;
    unsigned long v = strtoul(service, &end, 10);
    if (*service >= '0' && *service <= '9' && *end == '\0') {
        if (v > 65535 || errno)
            return EAI_SERVICE;
        *port = htons((uint16_t)v);
        return 0;
    }
    if (flags & AI_NUMERICSERV)
        return EAI_NONAME;
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++)
        if (!strcmp(service, services[i].name)) {
            *port = htons(services[i].port);
            return 0;
        }
    return EAI_SERVICE;
}

// One result: the entry and its address in one allocation (freeaddrinfo frees each).
static struct addrinfo *entry(uint32_t ip, uint16_t port, int socktype, int protocol)
{
    struct both {
        struct addrinfo ai;
        struct sockaddr_in sin;
    } *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->sin = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = port, .sin_addr = { ip } };
    b->ai = (struct addrinfo){ .ai_family = AF_INET, .ai_socktype = socktype,
                               .ai_protocol = protocol, .ai_addrlen = sizeof b->sin,
                               .ai_addr = (struct sockaddr *)&b->sin };
    return &b->ai;
}

int nx_gai_list(uint32_t ip, uint16_t port, const struct addrinfo *hints, struct addrinfo **res)
{
    static const struct { int type, proto; } kinds[] = {
        { SOCK_STREAM, IPPROTO_TCP }, { SOCK_DGRAM, IPPROTO_UDP },
    };
    int want = hints ? hints->ai_socktype : 0;
    struct addrinfo *head = NULL, **tail = &head;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (want && want != kinds[i].type)
            continue;
        int proto = hints && hints->ai_protocol ? hints->ai_protocol : kinds[i].proto;
        if (!(*tail = entry(ip, port, kinds[i].type, proto))) {
            freeaddrinfo(head);
            return EAI_MEMORY;
        }
        tail = &(*tail)->ai_next;
    }
    *res = head;
    return 0;
}

static int check_hints(const struct addrinfo *h)
{
    const int known = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | AI_ALL |
                      AI_ADDRCONFIG | AI_NUMERICSERV;
    if (!h)
        return 0;
    if (h->ai_flags & ~known)
        return EAI_BADFLAGS;
    if (h->ai_family != AF_UNSPEC && h->ai_family != AF_INET)
        return EAI_FAMILY;
    if (h->ai_socktype != 0 && h->ai_socktype != SOCK_STREAM && h->ai_socktype != SOCK_DGRAM)
        return EAI_SOCKTYPE;
    return 0;
}

// The address of node: numeric, "localhost", or through DNS.
static int node_ip(const char *node, int flags, uint32_t *ip)
{
    if (!node) {
        *ip = flags & AI_PASSIVE ? htonl(INADDR_ANY) : htonl(INADDR_LOOPBACK);
        return 0;
    }
    if (inet_pton(AF_INET, node, ip) == 1)
        return 0;
    if (flags & AI_NUMERICHOST)
        return EAI_NONAME;
    if (!strcmp(node, "localhost")) {
        *ip = htonl(INADDR_LOOPBACK);
        return 0;
    }
    if (!*node || strlen(node) > NX_NET_NAME_MAX)
        return EAI_NONAME;
    int err = nx_dns_resolve(node, ip);
    if (err == ENOENT)
        return EAI_NONAME;
    if (err == ETIMEDOUT)
        return EAI_AGAIN;
    if (err) {
        errno = err;
        return EAI_SYSTEM;
    }
    return 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **res)
{
    int flags = hints ? hints->ai_flags : 0;
    uint16_t port;
    uint32_t ip;
    int err = check_hints(hints);
    if (!err && !node && !service)
        err = EAI_NONAME;
    if (!err)
        err = nx_gai_port(service, flags, &port);
    if (!err)
        err = node_ip(node, flags, &ip);
    return err ? err : nx_gai_list(ip, port, hints, res);
}

void freeaddrinfo(struct addrinfo *res)
{
    while (res) {
        struct addrinfo *next = res->ai_next;
        free(res);
        res = next;
    }
}

const char *gai_strerror(int err)
{
    switch (err) {
    case 0: return "success";
    case EAI_BADFLAGS: return "bad flags";
    case EAI_NONAME: return "no such name";
    case EAI_AGAIN: return "no answer from the name server (try again)";
    case EAI_FAIL: return "name lookup failed";
    case EAI_FAMILY: return "address family not supported";
    case EAI_SOCKTYPE: return "socket type not supported";
    case EAI_SERVICE: return "unknown service";
    case EAI_MEMORY: return "out of memory";
    case EAI_SYSTEM: return strerror(errno);
    default: return "unknown getaddrinfo error";
    }
}

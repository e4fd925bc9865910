// Host unit tests for libnx sockets' pure parts (user/lib/socket_addr.c, socket_table.c):
// inet_pton/ntop at their limits, sockaddr conversion, getaddrinfo's numeric path, hints and
// the errors of its DNS step (the resolver is this file's: the real one needs the stack),
// the descriptor table, and what poll() reads from a socket's VMO. The stack's side of the
// rings is a second view of the same memory, as its mapping of the VMO is.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nexus/errors.h>
#include "socket_impl.h"

// ---- the DNS step: names this resolver knows ----
static int dns_calls;

int nx_dns_resolve(const char *name, uint32_t *ip)
{
    dns_calls++;
    if (!strcmp(name, "host.test")) {
        *ip = htonl(0x0a000202);
        return 0;
    }
    return !strcmp(name, "slow.test") ? ETIMEDOUT : !strcmp(name, "denied.test") ? EACCES
                                                                                 : ENOENT;
}

static uint32_t ip_of(const char *s)
{
    uint32_t ip;
    assert_int_equal(inet_pton(AF_INET, s, &ip), 1);
    return ip;
}

static void inet_pton_takes_dotted_quads_only(void **state)
{
    (void)state;
    uint32_t ip = 0;
    assert_int_equal(inet_pton(AF_INET, "10.0.2.15", &ip), 1);
    assert_int_equal(ntohl(ip), 0x0a00020f);
    assert_int_equal(inet_pton(AF_INET, "255.255.255.255", &ip), 1);
    assert_int_equal(ip, 0xffffffffu);
    assert_int_equal(inet_pton(AF_INET, "0.0.0.0", &ip), 1);
    const char *bad[] = { "", "1", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4.", ".1.2.3",
                          "01.2.3.4", "1..2.3", "1.2.3.-4", " 1.2.3.4", "1.2.3.4 ", "1.2.3.0004",
                          "a.b.c.d", "1.2.3.1000", "99999999999.1.1.1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ip = 0x12345678;
        assert_int_equal(inet_pton(AF_INET, bad[i], &ip), 0);
        assert_int_equal(ip, 0x12345678);   // untouched
    }
    errno = 0;
    assert_int_equal(inet_pton(AF_INET6, "::1", &ip), -1);
    assert_int_equal(errno, EAFNOSUPPORT);
    assert_int_equal(inet_addr("1.2.3.4"), ip_of("1.2.3.4"));
    assert_int_equal(inet_addr("1.2.3"), INADDR_NONE);
}

static void inet_ntop_fits_or_says_enospc(void **state)
{
    (void)state;
    uint32_t ip = ip_of("255.255.255.255");
    char buf[INET_ADDRSTRLEN];
    assert_string_equal(inet_ntop(AF_INET, &ip, buf, sizeof buf), "255.255.255.255");
    errno = 0;
    assert_null(inet_ntop(AF_INET, &ip, buf, 15));   // one short of the NUL
    assert_int_equal(errno, ENOSPC);
    assert_null(inet_ntop(AF_INET6, &ip, buf, sizeof buf));
    struct in_addr a = { ip_of("10.0.2.2") };
    assert_string_equal(inet_ntoa(a), "10.0.2.2");
}

static void sockaddr_conversion_checks_length_and_family(void **state)
{
    (void)state;
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(80),
                              .sin_addr = { ip_of("10.0.2.2") } };
    struct nx_net_addr a;
    assert_int_equal(nx_sock_addr_in((struct sockaddr *)&in, sizeof in, &a), 0);
    assert_int_equal(a.ip, in.sin_addr.s_addr);
    assert_int_equal(a.port, htons(80));
    assert_int_equal(a.family, AF_INET);
    assert_int_equal(nx_sock_addr_in((struct sockaddr *)&in, sizeof in - 1, &a), EINVAL);
    assert_int_equal(nx_sock_addr_in((struct sockaddr *)&in, 1, &a), EINVAL);
    assert_int_equal(nx_sock_addr_in(NULL, sizeof in, &a), EINVAL);
    in.sin_family = AF_INET6;
    assert_int_equal(nx_sock_addr_in((struct sockaddr *)&in, sizeof in, &a), EAFNOSUPPORT);

    // Out: truncated to the caller's length, which then says the full size.
    struct sockaddr_in out;
    memset(&out, 0xee, sizeof out);
    socklen_t len = 4;
    nx_sock_addr_out(&a, (struct sockaddr *)&out, &len);
    assert_int_equal(len, sizeof out);
    assert_int_equal(out.sin_family, AF_INET);
    assert_int_equal(out.sin_port, htons(80));
    assert_int_equal(out.sin_addr.s_addr, 0xeeeeeeeeu);   // past the 4 bytes: untouched
    nx_sock_addr_out(&a, (struct sockaddr *)&out, &len);
    assert_int_equal(out.sin_addr.s_addr, a.ip);
}

static void services_are_ports_or_known_names(void **state)
{
    (void)state;
    uint16_t port;
    assert_int_equal(nx_gai_port("80", 0, &port), 0);
    assert_int_equal(port, htons(80));
    assert_int_equal(nx_gai_port("65535", 0, &port), 0);
    assert_int_equal(port, htons(65535));
    assert_int_equal(nx_gai_port("0", 0, &port), 0);
    assert_int_equal(nx_gai_port("65536", 0, &port), EAI_SERVICE);
    assert_int_equal(nx_gai_port("99999999999999999999999", 0, &port), EAI_SERVICE);
    assert_int_equal(nx_gai_port("80x", 0, &port), EAI_SERVICE);
    assert_int_equal(nx_gai_port("http", 0, &port), 0);
    assert_int_equal(port, htons(80));
    assert_int_equal(nx_gai_port("gopher", 0, &port), EAI_SERVICE);
    assert_int_equal(nx_gai_port("http", AI_NUMERICSERV, &port), EAI_NONAME);
    assert_int_equal(nx_gai_port(NULL, 0, &port), 0);
    assert_int_equal(port, 0);
}

static int count(const struct addrinfo *ai)
{
    int n = 0;
    for (; ai; ai = ai->ai_next)
        n++;
    return n;
}

static void getaddrinfo_numeric(void **state)
{
    (void)state;
    struct addrinfo *res, hints = { .ai_socktype = SOCK_STREAM };
    dns_calls = 0;
    assert_int_equal(getaddrinfo("10.0.2.2", "8080", &hints, &res), 0);
    assert_int_equal(count(res), 1);
    const struct sockaddr_in *in = (const struct sockaddr_in *)res->ai_addr;
    assert_int_equal(res->ai_family, AF_INET);
    assert_int_equal(res->ai_protocol, IPPROTO_TCP);
    assert_int_equal(res->ai_addrlen, sizeof *in);
    assert_int_equal(in->sin_addr.s_addr, ip_of("10.0.2.2"));
    assert_int_equal(in->sin_port, htons(8080));
    freeaddrinfo(res);

    assert_int_equal(getaddrinfo("1.2.3.4", NULL, NULL, &res), 0);   // both types
    assert_int_equal(count(res), 2);
    assert_int_equal(res->ai_socktype, SOCK_STREAM);
    assert_int_equal(res->ai_next->ai_socktype, SOCK_DGRAM);
    assert_int_equal(res->ai_next->ai_protocol, IPPROTO_UDP);
    freeaddrinfo(res);

    hints = (struct addrinfo){ .ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM };
    assert_int_equal(getaddrinfo(NULL, "80", &hints, &res), 0);
    assert_int_equal(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr, INADDR_ANY);
    freeaddrinfo(res);
    hints.ai_flags = 0;
    assert_int_equal(getaddrinfo(NULL, "80", &hints, &res), 0);
    assert_int_equal(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr,
                     htonl(INADDR_LOOPBACK));
    freeaddrinfo(res);
    assert_int_equal(getaddrinfo("localhost", "80", &hints, &res), 0);
    assert_int_equal(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr,
                     htonl(INADDR_LOOPBACK));
    freeaddrinfo(res);
    assert_int_equal(dns_calls, 0);   // none of these asked the stack
}

static void getaddrinfo_rejects_bad_hints(void **state)
{
    (void)state;
    struct addrinfo *res = NULL, hints = { .ai_family = AF_INET6 };
    assert_int_equal(getaddrinfo("1.2.3.4", "80", &hints, &res), EAI_FAMILY);
    hints = (struct addrinfo){ .ai_socktype = SOCK_RAW };
    assert_int_equal(getaddrinfo("1.2.3.4", "80", &hints, &res), EAI_SOCKTYPE);
    hints = (struct addrinfo){ .ai_flags = 0x10000 };
    assert_int_equal(getaddrinfo("1.2.3.4", "80", &hints, &res), EAI_BADFLAGS);
    assert_int_equal(getaddrinfo(NULL, NULL, NULL, &res), EAI_NONAME);
    assert_int_equal(getaddrinfo("1.2.3.4", "nosuch", NULL, &res), EAI_SERVICE);
    assert_null(res);
    assert_string_equal(gai_strerror(EAI_NONAME), "no such name");
}

static void getaddrinfo_names_go_to_dns(void **state)
{
    (void)state;
    struct addrinfo *res, hints = { .ai_socktype = SOCK_STREAM };
    dns_calls = 0;
    assert_int_equal(getaddrinfo("host.test", "http", &hints, &res), 0);
    assert_int_equal(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr, ip_of("10.0.2.2"));
    freeaddrinfo(res);
    assert_int_equal(getaddrinfo("nosuch.test", "80", &hints, &res), EAI_NONAME);
    assert_int_equal(getaddrinfo("slow.test", "80", &hints, &res), EAI_AGAIN);
    errno = 0;
    assert_int_equal(getaddrinfo("denied.test", "80", &hints, &res), EAI_SYSTEM);
    assert_int_equal(errno, EACCES);
    assert_int_equal(dns_calls, 4);

    // Refused before the stack: numeric only, empty, and a name past DNS's 253 bytes.
    hints.ai_flags = AI_NUMERICHOST;
    assert_int_equal(getaddrinfo("host.test", "80", &hints, &res), EAI_NONAME);
    hints.ai_flags = 0;
    assert_int_equal(getaddrinfo("", "80", &hints, &res), EAI_NONAME);
    char longname[NX_NET_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(getaddrinfo(longname, "80", &hints, &res), EAI_NONAME);
    longname[NX_NET_NAME_MAX] = '\0';   // exactly the limit: asked
    assert_int_equal(getaddrinfo(longname, "80", &hints, &res), EAI_NONAME);
    assert_int_equal(dns_calls, 5);
}

static void descriptor_table_at_its_limits(void **state)
{
    (void)state;
    static struct nx_sock t[NX_SOCKET_MAX];
    memset(t, 0, sizeof t);
    assert_int_equal(nx_sock_slot_free(t, NX_SOCKET_MAX), 0);
    for (int i = 0; i < NX_SOCKET_MAX; i++)
        t[i].used = true;
    assert_int_equal(nx_sock_slot_free(t, NX_SOCKET_MAX), -1);   // socket() says EMFILE
    t[NX_SOCKET_MAX - 1].used = false;
    assert_int_equal(nx_sock_slot_free(t, NX_SOCKET_MAX), NX_SOCKET_MAX - 1);
    assert_null(nx_sock_of_fd(t, NX_SOCKET_MAX, NX_SOCKET_FD_BASE + NX_SOCKET_MAX - 1));
    assert_ptr_equal(nx_sock_of_fd(t, NX_SOCKET_MAX, NX_SOCKET_FD_BASE), &t[0]);
    assert_null(nx_sock_of_fd(t, NX_SOCKET_MAX, NX_SOCKET_FD_BASE - 1));
    assert_null(nx_sock_of_fd(t, NX_SOCKET_MAX, NX_SOCKET_FD_BASE + NX_SOCKET_MAX));
    assert_null(nx_sock_of_fd(t, NX_SOCKET_MAX, -1));
    assert_null(nx_sock_of_fd(t, NX_SOCKET_MAX, 0));
}

// A socket as libnx has it, and the stack's views of its rings.
struct pair {
    void *mem;
    struct nx_sock s;
    struct nx_ring stack_rx, stack_tx;   // stack: writes rx, reads tx
};

static struct pair *make(int type)
{
    struct pair *p = calloc(1, sizeof *p);
    p->mem = aligned_alloc(4096, NX_NET_SOCK_VMO_SIZE);
    memset(p->mem, 0xa5, NX_NET_SOCK_VMO_SIZE);
    p->s = (struct nx_sock){ .used = true, .type = (uint8_t)type };
    assert_int_equal(nx_sock_rings(&p->s, p->mem, true), NX_OK);
    assert_int_equal(p->s.sh->state, NX_NET_ST_NEW);
    uint8_t *m = p->mem;
    assert_int_equal(nx_ring_attach(&p->stack_rx, m + NX_NET_RX_OFF, NX_NET_RING_MEM,
                                    NX_RING_WRITER), NX_OK);
    assert_int_equal(nx_ring_attach(&p->stack_tx, m + NX_NET_TX_OFF, NX_NET_RING_MEM,
                                    NX_RING_READER), NX_OK);
    assert_int_equal(p->s.rx.size, NX_NET_RING_BYTES);
    return p;
}

static void destroy(struct pair *p)
{
    free(p->mem);
    free(p);
}

static const short ALL = POLLIN | POLLOUT;

static void poll_reads_a_streams_state(void **state)
{
    (void)state;
    struct pair *p = make(NX_NET_SOCK_STREAM);
    struct nx_sock *s = &p->s;
    assert_int_equal(nx_sock_revents(s, ALL), POLLOUT | POLLHUP);   // never connected
    s->connecting = true;
    s->sh->state = NX_NET_ST_CONNECTING;
    assert_int_equal(nx_sock_revents(s, ALL), 0);
    s->sh->state = NX_NET_ST_CONNECTED;
    assert_int_equal(nx_sock_revents(s, ALL), POLLOUT);
    assert_int_equal(nx_sock_revents(s, POLLIN), 0);

    bool wake;
    assert_int_equal(nx_ring_put_bytes(&p->stack_rx, "hi", 2, &wake), 2);
    assert_int_equal(nx_sock_revents(s, ALL), POLLIN | POLLOUT);
    char buf[4];
    assert_int_equal(nx_ring_get_bytes(&s->rx, buf, sizeof buf, &wake), 2);
    assert_int_equal(nx_sock_revents(s, POLLIN), 0);

    // tx full: no POLLOUT until the stack takes a byte.
    static char big[NX_NET_RING_BYTES];
    assert_int_equal(nx_ring_put_bytes(&s->tx, big, sizeof big, &wake), NX_NET_RING_BYTES);
    assert_int_equal(nx_sock_revents(s, ALL), 0);
    assert_int_equal(nx_ring_get_bytes(&p->stack_tx, buf, 1, &wake), 1);
    assert_int_equal(nx_sock_revents(s, POLLOUT), POLLOUT);

    s->sh->state = NX_NET_ST_PEER_CLOSED;   // end of stream reads now
    assert_int_equal(nx_sock_revents(s, POLLIN), POLLIN);
    s->sh->state = NX_NET_ST_CLOSED;
    s->sh->error = ECONNRESET;
    assert_int_equal(nx_sock_revents(s, POLLIN), POLLIN | POLLHUP | POLLERR);
    assert_int_equal(nx_sock_closed_errno(s), ECONNRESET);
    s->sh->error = -5;   // nonsense from the stack
    assert_int_equal(nx_sock_closed_errno(s), EIO);
    s->sh->state = 77;
    assert_int_equal(nx_sock_state(s), NX_NET_ST_CLOSED);

    s->dead = true;   // the stack died: everything at once, so the caller finds ENETDOWN
    assert_int_equal(nx_sock_revents(s, POLLIN), POLLIN | POLLHUP | POLLERR);
    destroy(p);
}

static void poll_reads_a_listener(void **state)
{
    (void)state;
    struct pair *p = make(NX_NET_SOCK_STREAM);
    p->s.sh->state = NX_NET_ST_LISTENING;
    assert_int_equal(nx_sock_revents(&p->s, ALL), 0);
    p->s.sh->accept_pending = 1;
    assert_int_equal(nx_sock_revents(&p->s, ALL), POLLIN);
    destroy(p);
}

static void poll_reads_datagram_rings(void **state)
{
    (void)state;
    struct pair *p = make(NX_NET_SOCK_DGRAM);
    struct nx_sock *s = &p->s;
    s->sh->state = NX_NET_ST_CONNECTED;
    assert_int_equal(nx_sock_revents(s, ALL), POLLOUT);
    uint8_t rec[sizeof(struct nx_net_dgram) + NX_NET_DGRAM_MAX] = { 0 };
    assert_true(nx_ring_push(&p->stack_rx, rec, sizeof rec) >= 0);
    assert_int_equal(nx_sock_revents(s, ALL), POLLIN | POLLOUT);
    // tx: POLLOUT only while a largest datagram still fits.
    int n = 0;
    while (nx_ring_push(&s->tx, rec, sizeof rec) >= 0)
        n++;
    assert_int_equal(n, NX_NET_RING_BYTES / ((4 + sizeof rec + 7) & ~7ul));   // 64
    assert_int_equal(nx_sock_revents(s, POLLOUT), 0);
    size_t len;
    assert_int_equal(nx_ring_pop(&p->stack_tx, rec, sizeof rec, &len), NX_OK);
    assert_int_equal(nx_sock_revents(s, POLLOUT), POLLOUT);
    destroy(p);
}

static void socket_types_and_errors(void **state)
{
    (void)state;
    int e = 0;
    assert_int_equal(nx_sock_type(SOCK_STREAM, 0, &e), NX_NET_SOCK_STREAM);
    assert_int_equal(nx_sock_type(SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP, &e),
                     NX_NET_SOCK_STREAM);
    assert_int_equal(nx_sock_type(SOCK_DGRAM, 0, &e), NX_NET_SOCK_DGRAM);
    assert_int_equal(nx_sock_type(SOCK_DGRAM, IPPROTO_ICMP, &e), NX_NET_SOCK_ICMP);
    assert_int_equal(nx_sock_type(SOCK_STREAM, IPPROTO_UDP, &e), 0);
    assert_int_equal(e, EPROTONOSUPPORT);
    assert_int_equal(nx_sock_type(SOCK_RAW, 0, &e), 0);
    assert_int_equal(e, EINVAL);
    assert_int_equal(nx_sock_errno(NX_ERR_ACCESS), EACCES);
    assert_int_equal(nx_sock_errno(NX_ERR_NO_SPACE), EMFILE);
    assert_int_equal(nx_sock_errno(NX_ERR_BAD_STATE), EADDRINUSE);
    assert_int_equal(nx_sock_errno(NX_ERR_PEER_CLOSED), ENETDOWN);
    assert_int_equal(nx_sock_errno(NX_ERR_TIMED_OUT), ETIMEDOUT);
    assert_int_equal(nx_sock_errno(-999), EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(inet_pton_takes_dotted_quads_only),
        cmocka_unit_test(inet_ntop_fits_or_says_enospc),
        cmocka_unit_test(sockaddr_conversion_checks_length_and_family),
        cmocka_unit_test(services_are_ports_or_known_names),
        cmocka_unit_test(getaddrinfo_numeric),
        cmocka_unit_test(getaddrinfo_rejects_bad_hints),
        cmocka_unit_test(getaddrinfo_names_go_to_dns),
        cmocka_unit_test(descriptor_table_at_its_limits),
        cmocka_unit_test(poll_reads_a_streams_state),
        cmocka_unit_test(poll_reads_a_listener),
        cmocka_unit_test(poll_reads_datagram_rings),
        cmocka_unit_test(socket_types_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

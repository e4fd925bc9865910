// The TCP/IP stack end to end (service net, nx/net.h spoken directly, no socket library):
// DHCP's lease from QEMU's user network, a TCP echo server on port 7 that the host reaches
// through a forwarded port, then a connection out to the host (10.0.2.2, the port the host
// names on the echo connection), a ping of the gateway, a numeric name resolved, a listen
// the policy refuses, and a ring the application scribbles over (that socket alone reset).
// Powers off.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nx/net.h>
#include <nx/nx.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define TEST_NAME "nstest"
#include "expect.h"
#include "services.h"

#define WAIT_NS 20000000000ull   // the host's side of each step
#define ECHO_PORT 7

struct tsock {
    uint32_t id, bit;
    uint8_t *map;
    struct nx_net_sock_shared *sh;
    struct nx_ring rx, tx;
};

static nx_handle_t net, notif, stack_notif;

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return __builtin_bswap32(a << 24 | b << 16 | c << 8 | d);
}

// A socket VMO mapped here with both rings formatted; *vmo is the handle to hand over.
static long sock_vmo(struct tsock *s, uint32_t bit, nx_handle_t *vmo)
{
    long v = nx_vmo_create(NX_NET_SOCK_VMO_SIZE);
    if (v < 0)
        return v;
    long va = nx_vm_map(nx_self, v, 0, 0, NX_NET_SOCK_VMO_SIZE, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0)
        return va;
    s->map = (uint8_t *)va;
    s->sh = (struct nx_net_sock_shared *)s->map;
    s->bit = bit;
    nx_ring_format(&s->rx, s->map + NX_NET_RX_OFF, NX_NET_RING_MEM);
    nx_ring_format(&s->tx, s->map + NX_NET_TX_OFF, NX_NET_RING_MEM);
    *vmo = (nx_handle_t)v;
    return NX_OK;
}

static long sock_open(struct tsock *s, uint32_t type, uint32_t bit)
{
    nx_handle_t vmo;
    long err = sock_vmo(s, bit, &vmo);
    if (err)
        return err;
    struct nx_net_socket_req req = { type, bit };
    struct nx_net_socket_rep rep;
    struct nx_rpc_call c = {
        .op = NX_NET_SOCKET, .req = &req, .req_len = sizeof req, .rep = &rep,
        .rep_cap = sizeof rep, .deadline = NX_DEADLINE_NEVER,
        .send = { 3, { vmo, (nx_handle_t)nx_handle_duplicate(notif, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER),
                       (nx_handle_t)nx_handle_duplicate(nx_self, NX_RIGHT_READ | NX_RIGHT_TRANSFER) },
                  { NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP, NX_RIGHT_SIGNAL, NX_RIGHT_READ } },
    };
    err = nx_rpc(net, &c);
    if (err == NX_OK && c.recv.count == 2) {
        if (!stack_notif)
            stack_notif = c.recv.h[0], c.recv.h[0] = NX_HANDLE_INVALID;
    }
    nx_rpc_close_handles(&c.recv);
    s->id = rep.id;
    return err;
}

static long call_id(uint32_t op, const void *req, size_t len)
{
    return nx_rpc_call(net, op, req, len, NULL, 0, NX_DEADLINE_NEVER);
}

static uint32_t state(const struct tsock *s)
{
    return __atomic_load_n(&s->sh->state, __ATOMIC_ACQUIRE);
}

// Sleep until the stack signals, at most until deadline: for rx bytes (or a state change),
// and with room_too for tx room as well. Each wait is announced on its ring first; a ring
// that changed meanwhile (bytes came, room was made) returns at once instead.
static void wait_signal_for(struct tsock *s, uint64_t deadline, bool room_too)
{
    uint64_t bits;
    if (!nx_ring_prepare_sleep(&s->rx))
        return;
    if (room_too && !nx_ring_writer_prepare_sleep(&s->tx)) {
        nx_ring_end_sleep(&s->rx);
        return;
    }
    nx_notify_wait_bits(notif, deadline, &bits);
    nx_ring_end_sleep(&s->rx);
    if (room_too)
        nx_ring_writer_end_sleep(&s->tx);
}

static void wait_signal(struct tsock *s, uint64_t deadline)
{
    wait_signal_for(s, deadline, false);
}

static bool wait_state(struct tsock *s, uint32_t want, uint64_t ns)
{
    uint64_t deadline = (uint64_t)nx_clock_get() + ns;
    while (state(s) != want && (uint64_t)nx_clock_get() < deadline)
        wait_signal(s, deadline);
    return state(s) == want;
}

static void kick(struct tsock *s)
{
    nx_notify_signal(stack_notif, NX_NET_STACK_BIT(s->id));
}

static void send_all(struct tsock *s, const void *buf, size_t n)
{
    uint64_t deadline = (uint64_t)nx_clock_get() + WAIT_NS;
    size_t done = 0;
    while (done < n && (uint64_t)nx_clock_get() < deadline) {
        bool wake;
        long k = nx_ring_put_bytes(&s->tx, (const uint8_t *)buf + done, n - done, &wake);
        if (k < 0)
            break;
        done += (size_t)k;
        kick(s);
        if (done < n)
            wait_signal_for(s, deadline, true);
    }
    if (done < n)
        nx_printf("nstest: sent %u bytes of %u WRONG\n", (unsigned)done, (unsigned)n);
}

// Until the peer acknowledged every byte written (the stack advanced tx's tail to its head).
static bool wait_tx_acked(struct tsock *s)
{
    uint64_t deadline = (uint64_t)nx_clock_get() + WAIT_NS;
    while (__atomic_load_n(&s->tx.sh->tail, __ATOMIC_ACQUIRE) != s->tx.pos &&
           (uint64_t)nx_clock_get() < deadline)
        nap(5);
    return __atomic_load_n(&s->tx.sh->tail, __ATOMIC_ACQUIRE) == s->tx.pos;
}

// Bytes from rx until n came or the peer closed: how many.
static size_t recv_some(struct tsock *s, void *buf, size_t n, uint64_t ns)
{
    uint64_t deadline = (uint64_t)nx_clock_get() + ns;
    size_t got = 0;
    while (got < n && (uint64_t)nx_clock_get() < deadline) {
        bool wake;
        long k = nx_ring_get_bytes(&s->rx, (uint8_t *)buf + got, n - got, &wake);
        if (k < 0)
            break;
        got += (size_t)k;
        if (k > 0) {
            kick(s);
            continue;
        }
        // The last bytes may have come between the read and the state: read once more.
        if (state(s) == NX_NET_ST_PEER_CLOSED || state(s) == NX_NET_ST_CLOSED) {
            k = nx_ring_get_bytes(&s->rx, (uint8_t *)buf + got, n - got, &wake);
            if (k > 0) {
                got += (size_t)k;
                kick(s);
            }
            break;
        }
        wait_signal(s, deadline);
    }
    return got;
}

static void sock_close(struct tsock *s)
{
    struct nx_net_id id = { s->id };
    call_id(NX_NET_CLOSE, &id, sizeof id);
    nx_vm_unmap(nx_self, (uint64_t)(uintptr_t)s->map, NX_NET_SOCK_VMO_SIZE);
}

static struct nx_net_ifconfig ifconfig(void)
{
    struct nx_net_ifconfig ic = { 0 };
    nx_rpc_call(net, NX_NET_IFCONFIG, NULL, 0, &ic, sizeof ic, NX_DEADLINE_NEVER);
    return ic;
}

static void wait_for_dhcp(void)
{
    struct nx_net_ifconfig ic = { 0 };
    uint64_t deadline = (uint64_t)nx_clock_get() + WAIT_NS;
    while ((uint64_t)nx_clock_get() < deadline) {
        if (nx_rpc_call(net, NX_NET_IFCONFIG, NULL, 0, &ic, sizeof ic, NX_DEADLINE_NEVER) == NX_OK &&
            ic.dhcp_bound)
            break;
        nap(100);
    }
    expect("DHCP gave the address", ic.dhcp_bound, 1);
    expect("10.0.2.15", ic.ip, ip4(10, 0, 2, 15));
    expect("gateway 10.0.2.2", ic.gateway, ip4(10, 0, 2, 2));
    expect("link up", ic.link_up, 1);
}

// The echo server: the host connects (forwarded port), sends "connect PORT\n" then data;
// everything comes back until the host closes. Returns the port the host named.
static unsigned echo_once(void)
{
    struct tsock l;
    expect("SOCKET stream", sock_open(&l, NX_NET_SOCK_STREAM, 1), NX_OK);
    struct nx_net_bind_req b = { .id = l.id, .addr = { 0, __builtin_bswap16(ECHO_PORT), 2 } };
    expect("BIND port 7", call_id(NX_NET_BIND, &b, sizeof b), NX_OK);
    struct nx_net_listen_req lr = { l.id, 4 };
    expect("LISTEN", call_id(NX_NET_LISTEN, &lr, sizeof lr), NX_OK);
    expect("state LISTENING", state(&l), NX_NET_ST_LISTENING);
    nx_printf("nstest: listening on %d\n", ECHO_PORT);

    uint64_t deadline = (uint64_t)nx_clock_get() + WAIT_NS;
    while (!__atomic_load_n(&l.sh->accept_pending, __ATOMIC_ACQUIRE) &&
           (uint64_t)nx_clock_get() < deadline)
        wait_signal(&l, deadline);
    struct tsock c;
    nx_handle_t vmo;
    sock_vmo(&c, 2, &vmo);
    struct nx_net_accept_req ar = { l.id, 2 };
    struct nx_net_socket_rep rep;
    struct nx_rpc_call call = { .op = NX_NET_ACCEPT, .req = &ar, .req_len = sizeof ar,
                                .rep = &rep, .rep_cap = sizeof rep, .deadline = NX_DEADLINE_NEVER,
                                .send = { 1, { vmo }, { NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP } } };
    expect("ACCEPT", nx_rpc(net, &call), NX_OK);
    c.id = rep.id;
    expect("the peer is the gateway (the host)", rep.peer.ip, ip4(10, 0, 2, 2));
    expect("accepted state CONNECTED", state(&c), NX_NET_ST_CONNECTED);

    struct nx_net_ifconfig before = ifconfig();
    static uint8_t buf[64 * 1024];
    size_t total = 0;
    unsigned port = 0;
    for (size_t n; (n = recv_some(&c, buf, sizeof buf, WAIT_NS)) > 0; total += n) {
        if (total == 0) {
            char line[32] = { 0 };
            memcpy(line, buf, n < sizeof line - 1 ? n : sizeof line - 1);
            sscanf(line, "connect %u", &port);
        }
        send_all(&c, buf, n);
    }
    nx_printf("nstest: echoed %u bytes\n", (unsigned)total);
    expect("every echoed byte acknowledged", wait_tx_acked(&c), true);
    // One copy each way in the stack: the payload into the rx ring, the frames into tx slots
    // (the payload and the headers; the host's ACKs and the stack's own add little).
    struct nx_net_ifconfig after = ifconfig();
    uint64_t copied = after.stack_bytes_copied - before.stack_bytes_copied;
    nx_printf("nstest: the stack copied %u bytes, the driver %u, for %u bytes each way\n",
              (unsigned)copied, (unsigned)after.driver_bytes_copied, (unsigned)total);
    expect("one copy each way in the stack", copied >= 2 * total && copied <= 2 * total + total / 10, true);
    expect("none in the driver", after.driver_bytes_copied, 0);
    expect("the host closed (PEER_CLOSED)", state(&c), NX_NET_ST_PEER_CLOSED);
    sock_close(&c);
    sock_close(&l);
    return port;
}

// A connection out to the host's listener (through the gateway): a line each way.
static void connect_out(unsigned port)
{
    struct tsock s;
    expect("SOCKET for the connection out", sock_open(&s, NX_NET_SOCK_STREAM, 3), NX_OK);
    struct nx_net_connect_req r = { s.id, 0, { ip4(10, 0, 2, 2), __builtin_bswap16((uint16_t)port), 2 } };
    expect("CONNECT", call_id(NX_NET_CONNECT, &r, sizeof r), NX_OK);
    expect("CONNECTED to the host", wait_state(&s, NX_NET_ST_CONNECTED, WAIT_NS), true);
    const char msg[] = "hello from nexus\n";
    send_all(&s, msg, sizeof msg - 1);
    char buf[64] = { 0 };
    recv_some(&s, buf, 12, WAIT_NS);
    expect("the host answered", strcmp(buf, "hello nexus\n"), 0);
    expect("the host closed", wait_state(&s, NX_NET_ST_PEER_CLOSED, WAIT_NS), true);
    sock_close(&s);
}

// Records: an ICMP echo to the gateway and its reply; a numeric name resolved.
static void ping_and_resolve(void)
{
    struct tsock p;
    expect("SOCKET icmp", sock_open(&p, NX_NET_SOCK_ICMP, 4), NX_OK);
    uint8_t rec[64] = { 0 };
    struct nx_net_dgram h = { { ip4(10, 0, 2, 2), 0, 2 } };
    memcpy(rec, &h, sizeof h);
    uint8_t *icmp = rec + sizeof h;
    icmp[0] = 8;                                  // echo request
    icmp[7] = 1;                                  // sequence 1
    memcpy(icmp + 8, "nexus", 5);
    nx_ring_push(&p.tx, rec, sizeof h + 13);
    kick(&p);
    uint64_t deadline = (uint64_t)nx_clock_get() + WAIT_NS / 4;
    size_t len = 0;
    while (nx_ring_pop(&p.rx, rec, sizeof rec, &len) != NX_OK && (uint64_t)nx_clock_get() < deadline)
        wait_signal(&p, deadline);
    expect("echo reply from the gateway", len >= sizeof h + 8 && rec[sizeof h] == 0, true);
    sock_close(&p);

    struct tsock d;
    expect("SOCKET dns", sock_open(&d, NX_NET_SOCK_DNS, 5), NX_OK);
    nx_ring_push(&d.tx, "10.0.2.2", 8);
    kick(&d);
    struct nx_net_dns_answer a = { -1, 0 };
    deadline = (uint64_t)nx_clock_get() + WAIT_NS / 4;
    while (nx_ring_pop(&d.rx, &a, sizeof a, &len) != NX_OK && (uint64_t)nx_clock_get() < deadline)
        wait_signal(&d, deadline);
    expect("a numeric name resolves", a.error == 0 && a.ip == ip4(10, 0, 2, 2), true);
    sock_close(&d);
}

// What the stack refuses: a port the policy does not grant; a ring scribbled over (that
// socket alone is reset).
static void refusals(void)
{
    struct tsock s;
    expect("SOCKET", sock_open(&s, NX_NET_SOCK_STREAM, 6), NX_OK);
    struct nx_net_bind_req b = { .id = s.id, .addr = { 0, __builtin_bswap16(8), 2 } };
    expect("BIND port 8: the policy refuses", call_id(NX_NET_BIND, &b, sizeof b), NX_ERR_ACCESS);
    sock_close(&s);

    struct tsock u;
    expect("SOCKET dgram", sock_open(&u, NX_NET_SOCK_DGRAM, 7), NX_OK);
    u.tx.sh->head = 1ull << 40;                   // impossible
    kick(&u);
    expect("a scribbled ring resets its socket", wait_state(&u, NX_NET_ST_CLOSED, WAIT_NS / 4), true);
    struct nx_net_id id = { 9999 };
    expect("CLOSE of no such socket", call_id(NX_NET_CLOSE, &id, sizeof id), NX_ERR_NOT_FOUND);
    sock_close(&u);
}

static uint32_t sockets_open(void)
{
    struct nx_net_ifconfig ic = { 0 };
    nx_rpc_call(net, NX_NET_IFCONFIG, NULL, 0, &ic, sizeof ic, NX_DEADLINE_NEVER);
    return ic.sockets_open;
}

// A child that opens sockets (one listening, one connecting out) and ends without closing
// them.
static void child_with_sockets(nx_handle_t arg)
{
    net = arg;
    notif = (nx_handle_t)nx_notification_create();
    stack_notif = NX_HANDLE_INVALID;
    struct tsock a, b;
    sock_open(&a, NX_NET_SOCK_STREAM, 1);
    struct nx_net_bind_req r = { .id = a.id, .addr = { 0, __builtin_bswap16(ECHO_PORT), 2 } };
    call_id(NX_NET_BIND, &r, sizeof r);
    struct nx_net_listen_req lr = { a.id, 4 };
    call_id(NX_NET_LISTEN, &lr, sizeof lr);
    sock_open(&b, NX_NET_SOCK_DGRAM, 2);
    nx_printf("nstest: the child holds %u sockets\n", sockets_open());
}

static void client_death(void)
{
    uint32_t before = sockets_open();
    long dup = nx_handle_duplicate(net, NX_RIGHTS_SAME);
    expect("the child ran", spawn_and_wait("nschild", 256, child_with_sockets, (nx_handle_t)dup), 0);
    uint64_t deadline = (uint64_t)nx_clock_get() + 2000000000ull;
    while (sockets_open() != before && (uint64_t)nx_clock_get() < deadline)
        nap(10);
    expect("its sockets closed when it ended", sockets_open(), before);
    // Port 7 is free again: its listener went with it.
    struct tsock l;
    sock_open(&l, NX_NET_SOCK_STREAM, 1);
    struct nx_net_bind_req r = { .id = l.id, .addr = { 0, __builtin_bswap16(ECHO_PORT), 2 } };
    expect("port 7 free again", call_id(NX_NET_BIND, &r, sizeof r), NX_OK);
    sock_close(&l);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "none")) {
        // No card: the stack said so and ended with status 0 (init logs it).
        uint64_t deadline = (uint64_t)nx_clock_get() + WAIT_NS;
        while (!log_has("no network device") && (uint64_t)nx_clock_get() < deadline)
            nap(50);
        expect("the stack said there is no device", log_gets("no network device"), true);
        expect("and exited with status 0", log_gets("net (pid"), true);
        nx_printf(TEST_NAME ": %d failures\n", failures);
        return (int)nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                                NX_DEADLINE_NEVER);
    }
    net = nx_startup_handle(NX_NET_SERVICE);
    notif = (nx_handle_t)nx_notification_create();
    wait_for_dhcp();
    unsigned port = echo_once();
    expect("the host named its port", port != 0, true);
    if (port)
        connect_out(port);
    ping_and_resolve();
    refusals();
    client_death();
    nx_printf(TEST_NAME ": %d failures\n", failures);
    return (int)nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                            NX_DEADLINE_NEVER);
}

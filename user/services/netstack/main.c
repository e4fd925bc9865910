// The TCP/IP stack (service `net`, program `netstack`; docs/network.md): lwIP 2.1.3 in one
// thread. It attaches to the network driver (handle `netdev`, nx/netdev.h), gets an address
// by DHCP and serves sockets (nx/net.h) on its endpoint. It sleeps in one receive: requests,
// and through the notification bound to the endpoint the driver's records, lwIP's next
// timeout (one kernel timer, armed for what lwIP says is due next, with slack), clients'
// deaths and the sockets' rings. No driver answering (no network device): it says so and
// exits with status 0.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lwip/dhcp.h>
#include <lwip/dns.h>
#include <lwip/init.h>
#include <lwip/timeouts.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/random.h>
#include <nx/startup.h>
#include "link.h"
#include "server.h"
#include "stack.h"
#include "timers.h"

// The driver answers ATTACH after resetting its device; it may still be starting.
#define ATTACH_TIMEOUT_NS 3000000000ull
// Timer slack: an eighth of the wait, within [1 ms, 100 ms] (lwIP's timeouts are coarse:
// TCP's fast timer is 250 ms, the others are seconds).
#define SLACK_MIN_NS 1000000ull
#define SLACK_MAX_NS 100000000ull
// Passes of one round (each takes every record and every ring's bytes it can).
#define ROUND_PASSES_MAX 64

struct stack S = { .timer_deadline = NX_DEADLINE_NEVER };

// ---- the port: clock, randomness, diagnostics (arch/cc.h, arch/sys_arch.h) ----

u32_t sys_now(void)
{
    return (u32_t)((uint64_t)nx_clock_get() / 1000000u);
}

static uint64_t rand_state;

// TCP's initial sequence numbers and ports, DHCP's and DNS's ids: xorshift64* seeded from
// the entropy service when the stack is granted `rng`, else from the clock and the
// instruction counter (unpredictable enough to avoid collisions, not against an attacker).
static void random_seed(void)
{
    nx_handle_t rng = nx_startup_handle("rng");
    struct nx_rng_read r = { sizeof rand_state };
    if (!rng || nx_rpc_call(rng, NX_RNG_READ, &r, sizeof r, &rand_state, sizeof rand_state,
                            (uint64_t)nx_clock_get() + 1000000000ull) != NX_OK)
        rand_state = (uint64_t)nx_clock_get() ^ (nx_rdinstret() << 21);
    rand_state |= 1;
}

uint32_t netstack_random(void)
{
    rand_state ^= rand_state >> 12;
    rand_state ^= rand_state << 25;
    rand_state ^= rand_state >> 27;
    return (uint32_t)((rand_state * 0x2545f4914f6cdd1dull) >> 32);
}

void netstack_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nx_vlog(NX_LOG_DEBUG, fmt, ap);
    va_end(ap);
}

void netstack_assert(const char *msg, const char *file, int line)
{
    nx_log(NX_LOG_ERROR, "lwIP assertion failed: %s (%s:%d)", msg, file, line);
    exit(2);
}

// ---- the loop ----

// The one timer, for lwIP's next timeout; disarmed when none is due.
static void timer_arm(void)
{
    u32_t ms = sys_timeouts_sleeptime();
    uint64_t deadline = NX_DEADLINE_NEVER, slack = 0;
    if (ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE) {
        uint64_t wait = (uint64_t)ms * 1000000u;
        slack = wait / 8 < SLACK_MIN_NS ? SLACK_MIN_NS : wait / 8 > SLACK_MAX_NS ? SLACK_MAX_NS : wait / 8;
        deadline = (uint64_t)nx_clock_get() + wait;
    }
    // Armed already for about then: no call.
    if (deadline == S.timer_deadline ||
        (deadline != NX_DEADLINE_NEVER && S.timer_deadline != NX_DEADLINE_NEVER &&
         S.timer_deadline >= deadline - slack && S.timer_deadline <= deadline))
        return;
    S.timer_deadline = deadline;
    nx_timer_set(S.timer, deadline, slack);
}

// Everything the bits and the last request started, until nothing moves; then the driver
// and the applications are signalled once each and the timer armed.
static void stack_round(uint64_t bits)
{
    if (bits & BIT_TIMER)
        S.timer_deadline = NX_DEADLINE_NEVER;
    nx_ring_end_sleep(&nic.to_stack);
    if (bits & BIT_CLIENT_GONE)
        clients_reap();
    sock_service(bits);
    // Until nothing moves, within a bound: what is left then is taken in the next round,
    // which the rings' signals (the announcements stay) or the timer start.
    for (int pass = 0; pass < ROUND_PASSES_MAX; pass++) {
        link_poll();
        sys_check_timeouts();
        if (link_prepare_sleep() && sock_prepare_sleep())
            break;
        if (pass == ROUND_PASSES_MAX - 1)
            nx_notify_signal(S.notif, BIT_DRIVER | SOCK_BITS);   // go on after the requests
    }
    if (nic.wake_driver) {
        nic.wake_driver = false;
        nx_notify_signal(S.driver_notif, NX_NETDEV_BIT_TO_DRIVER);
    }
    sock_flush_signals();
    timers_update();
    timer_arm();
}

static void on_signals(void *ctx, uint64_t bits)
{
    (void)ctx;
    stack_round(bits);
}

// Every request: its handler, then a round (a connect queued a SYN, a close a FIN...).
static struct nx_rpc_op ops[16];

static long handle(void *ctx, struct nx_rpc_req *req)
{
    long status = NX_ERR_INVALID;
    for (size_t i = 0; i < net_nops; i++)
        if (net_ops[i].op == req->op)
            status = net_ops[i].fn(ctx, req);
    stack_round(0);
    return status;
}

static unsigned prefix_len(uint32_t mask)
{
    return (unsigned)__builtin_popcount(mask);
}

static void on_netif_status(struct netif *netif)
{
    if (ip4_addr_isany(netif_ip4_addr(netif)) || !netif_is_up(netif) || S.addr_logged)
        return;
    S.addr_logged = true;
    char ip[16], gw[16], dns[16];
    ip4addr_ntoa_r(netif_ip4_addr(netif), ip, sizeof ip);
    ip4addr_ntoa_r(netif_ip4_gw(netif), gw, sizeof gw);
    ip4addr_ntoa_r(ip_2_ip4(dns_getserver(0)), dns, sizeof dns);
    unsigned prefix = prefix_len(ip4_addr_get_u32(netif_ip4_netmask(netif)));
    nx_log(NX_LOG_INFO, "address %s/%u gateway %s dns %s", ip, prefix, gw, dns);
    nx_printf("net: address %s/%u gateway %s dns %s\n", ip, prefix, gw, dns);  // the tests wait for it
}

// ATTACH to the driver: the arena and the control VMO mapped, the driver's notification kept.
static long attach(void)
{
    long dup = nx_handle_duplicate(S.notif, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
    if (dup < 0)
        return dup;
    struct nx_netdev_info info;
    struct nx_rpc_call c = { .op = NX_NETDEV_ATTACH, .rep = &info, .rep_cap = sizeof info,
                             .send = { 1, { (nx_handle_t)dup }, { NX_RIGHT_SIGNAL } },
                             .deadline = (uint64_t)nx_clock_get() + ATTACH_TIMEOUT_NS };
    long err = nx_rpc(S.netdev, &c);
    if (err < 0) {
        nx_log(NX_LOG_INFO, "ATTACH: error %ld", err);
        return err;
    }
    if (c.rep_len != sizeof info || c.recv.count != 3) {
        nx_rpc_close_handles(&c.recv);
        return NX_ERR_INVALID;
    }
    long arena_size = nx_vmo_size(c.recv.h[0]);
    long arena = arena_size < 0 ? arena_size
                                : nx_vm_map(nx_self, c.recv.h[0], 0, 0, (size_t)arena_size,
                                            NX_PROT_READ | NX_PROT_WRITE);
    long ctl = nx_vm_map(nx_self, c.recv.h[1], 0, 0, (NX_NETDEV_CTL_SIZE + 4095u) & ~4095u,
                         NX_PROT_READ | NX_PROT_WRITE);
    if (arena < 0 || ctl < 0) {
        nx_log(NX_LOG_ERROR, "cannot map the driver's arena (%ld) or control VMO (%ld)", arena, ctl);
        return NX_ERR_INVALID;
    }
    S.driver_notif = c.recv.h[2];
    err = link_attach((void *)arena, (size_t)arena_size, (void *)ctl, &info);
    if (err)
        return err;
    if (info.link_up)
        netif_set_link_up(&nic.netif);
    return NX_OK;
}

static long start(void)
{
    long n = nx_notification_create();
    if (n < 0)
        return n;
    S.notif = (nx_handle_t)n;
    long t = nx_timer_create(S.notif, BIT_TIMER);
    if (t < 0) {
        nx_log(NX_LOG_ERROR, "no timer: error %ld", t);
        return t;
    }
    S.timer = (nx_handle_t)t;
    lwip_init();
    timers_start();
    return attach();
}

// `addr=A.B.C.D/N` among the arguments: that address instead of DHCP's (no gateway, no DNS
// server; e.g. two systems joined by a cable of their own). *ok false if it is malformed.
static bool static_address(int argc, char **argv, ip4_addr_t *ip, ip4_addr_t *mask, bool *ok)
{
    *ok = true;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "addr=", 5))
            continue;
        char text[32];
        snprintf(text, sizeof text, "%s", argv[i] + 5);
        char *slash = strchr(text, '/');
        char *end = NULL;
        long prefix = slash ? strtol(slash + 1, &end, 10) : -1;
        if (slash)
            *slash = 0;
        *ok = slash && end && !*end && end != slash + 1 && prefix >= 1 && prefix <= 30 &&
              ip4addr_aton(text, ip);
        ip4_addr_set_u32(mask, lwip_htonl(prefix >= 1 && prefix <= 30 ? ~0u << (32 - prefix) : 0));
        return *ok;
    }
    return false;
}

int main(int argc, char **argv)
{
    S.serve = nx_startup_handle("serve");
    S.netdev = nx_startup_handle("netdev");
    S.policy = nx_startup_handle("policy");
    if (!S.serve || !S.policy) {
        nx_log(NX_LOG_ERROR, "not granted serve and policy");
        return 1;
    }
    random_seed();
    long err = S.netdev ? start() : NX_ERR_NOT_FOUND;
    if (err == NX_ERR_NOT_FOUND || err == NX_ERR_TIMED_OUT || err == NX_ERR_PEER_CLOSED) {
        nx_log(NX_LOG_INFO, "no network device: the driver does not answer");
        nx_printf("net: no network device\n");
        return 0;
    }
    if (err) {
        nx_log(NX_LOG_ERROR, "cannot start: error %ld", err);
        return 1;
    }
    if ((err = nx_endpoint_bind(S.serve, S.notif)) != NX_OK) {
        nx_log(NX_LOG_ERROR, "cannot bind the endpoint: error %ld", err);
        return 1;
    }
    ip4_addr_t ip, mask;
    bool ok;
    bool fixed = static_address(argc, argv, &ip, &mask, &ok);
    if (!ok) {
        nx_log(NX_LOG_ERROR, "bad addr= argument (want addr=A.B.C.D/N)");
        return 1;
    }
    netif_set_status_callback(&nic.netif, on_netif_status);
    netif_set_hostname(&nic.netif, "nexus");
    if (fixed)
        netif_set_addr(&nic.netif, &ip, &mask, IP4_ADDR_ANY4);
    netif_set_up(&nic.netif);
    if (!fixed)
        dhcp_start(&nic.netif);
    for (size_t i = 0; i < net_nops; i++)
        ops[i] = (struct nx_rpc_op){ net_ops[i].op, net_ops[i].min_len, net_ops[i].max_len, handle };
    stack_round(BIT_DRIVER);
    const struct nx_rpc_server server = { ops, net_nops, NULL, on_signals };
    nx_rpc_serve(S.serve, &server);
    return 1;
}

// make bench: the network's figures (docs/network.md, "Figures"). Listens on NETBENCH_PORT,
// which bench/run_bench.py reaches through QEMU's forwarded port, and on the one connection:
//   tx: sends TOTAL bytes, then waits for the host's 1-byte receipt;
//   rx: receives TOTAL bytes the host sends;
//   roundtrip: ROUNDS times 1 byte out, 1 byte back (the host echoes).
// Each figure is the whole guest's busy instructions (instret less the halted time: under
// -icount the hart's halted time is QEMU's host time waiting), and the bytes the stack and
// the kernel copied meanwhile (the driver's are in the stack's ifconfig reply).
// It listens only once the system has settled: the kernel's copy counter and the busy
// instructions are the whole machine's, and a first boot's work (the users service hashing
// the first accounts at priority 8, its heap's 7 MiB committed) ran into the transfers.
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <nx/net.h>
#include <nx/nx.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#define NETBENCH_PORT 5001
#define TOTAL (16u << 20)
#define CHUNK (64u << 10)
#define ROUNDS 1000
#define MS 1000000ull
#define SETTLE_WINDOW (100 * MS)
#define SETTLE_HALTED_PCT 95   // of the window, every hart halted
#define SETTLE_TRIES 600       // 60 s

static char buf[CHUNK];

struct mark {
    uint64_t instret, idle;
    long kernel_copied;
    struct nx_net_ifconfig ifc;
};

static void ask_counters(struct mark *m)
{
    nx_rpc_call(nx_startup_handle("net"), NX_NET_IFCONFIG, NULL, 0, &m->ifc, sizeof(m->ifc),
                NX_DEADLINE_NEVER);
}

// The counters are asked before the start and after the end, so that the kernel's count
// holds only what the transfer made it copy, not the counters' own replies.
static void mark_start(struct mark *m)
{
    ask_counters(m);
    m->kernel_copied = nx_system_info(NX_INFO_BYTES_COPIED);
    m->idle = (uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET);
    m->instret = nx_rdinstret();
}

static void mark_end(struct mark *m)
{
    m->instret = nx_rdinstret();
    m->idle = (uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET);
    m->kernel_copied = nx_system_info(NX_INFO_BYTES_COPIED);
    ask_counters(m);
}

// Busy instructions from a to b, per unit.
static unsigned long busy(const struct mark *a, const struct mark *b, unsigned long units)
{
    return (unsigned long)(((b->instret - a->instret) - (b->idle - a->idle)) / units);
}

static void report_copies(const char *what, const struct mark *a, const struct mark *b)
{
    printf("BENCH net_%s_driver_bytes_copied_per_mib %lu\n", what,
           (unsigned long)((b->ifc.driver_bytes_copied - a->ifc.driver_bytes_copied) /
                           (TOTAL >> 20)));
    printf("BENCH net_%s_stack_bytes_copied_per_mib %lu\n", what,
           (unsigned long)((b->ifc.stack_bytes_copied - a->ifc.stack_bytes_copied) /
                           (TOTAL >> 20)));
    printf("BENCH net_%s_kernel_bytes_copied_per_mib %lu\n", what,
           (unsigned long)(b->kernel_copied - a->kernel_copied) / (TOTAL >> 20));
}

// Wait until the harts have sat halted for SETTLE_HALTED_PCT of a SETTLE_WINDOW: nothing
// else runs. (Under -icount the halted instret is the halted virtual time.)
static void settle(void)
{
    nx_handle_t n = (nx_handle_t)nx_notification_create();
    long harts = nx_system_info(NX_INFO_HARTS);
    for (int i = 0; i < SETTLE_TRIES; i++) {
        uint64_t t0 = (uint64_t)nx_clock_get();
        uint64_t h0 = (uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET), bits;
        nx_notify_wait_bits(n, t0 + SETTLE_WINDOW, &bits);
        uint64_t halted = (uint64_t)nx_system_info(NX_INFO_IDLE_INSTRET) - h0;
        uint64_t span = ((uint64_t)nx_clock_get() - t0) * (uint64_t)harts;
        if (halted * 100 >= span * SETTLE_HALTED_PCT) {
            printf("netbench: settled after %d window(s)\n", i + 1);
            break;
        }
    }
    nx_handle_close(n);
}

static int send_all(int s, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(s, p, n, 0);
        if (w <= 0)
            return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

static int recv_all(int s, char *p, size_t n)
{
    while (n) {
        ssize_t r = recv(s, p, n, 0);
        if (r <= 0)
            return -1;
        p += r, n -= (size_t)r;
    }
    return 0;
}

static int accept_one(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(NETBENCH_PORT) };
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1)) {
        perror("netbench: listen");
        return -1;
    }
    printf("netbench: listening on %d\n", NETBENCH_PORT);
    fflush(stdout);
    int c = accept(l, NULL, NULL);
    close(l);
    return c;
}

static int transmit(int c)
{
    struct mark a, b;
    char receipt;
    mark_start(&a);
    for (unsigned done = 0; done < TOTAL; done += CHUNK)
        if (send_all(c, buf, CHUNK))
            return -1;
    if (recv_all(c, &receipt, 1))
        return -1;
    mark_end(&b);
    printf("BENCH tcp_tx_instr_per_mib %lu\n", busy(&a, &b, TOTAL >> 20));
    report_copies("tx", &a, &b);
    return 0;
}

static int receive(int c)
{
    struct mark a, b;
    mark_start(&a);
    for (unsigned done = 0; done < TOTAL; done += CHUNK)
        if (recv_all(c, buf, CHUNK))
            return -1;
    mark_end(&b);
    printf("BENCH tcp_rx_instr_per_mib %lu\n", busy(&a, &b, TOTAL >> 20));
    report_copies("rx", &a, &b);
    return 0;
}

static int roundtrips(int c)
{
    struct mark a, b;
    char byte = 'x';
    mark_start(&a);
    for (int i = 0; i < ROUNDS; i++)
        if (send_all(c, &byte, 1) || recv_all(c, &byte, 1))
            return -1;
    mark_end(&b);
    printf("BENCH tcp_roundtrip_instr %lu\n", busy(&a, &b, ROUNDS));
    return 0;
}

int main(void)
{
    for (unsigned i = 0; i < CHUNK; i++)
        buf[i] = (char)(i * 7 + 3);
    settle();
    int c = accept_one();
    if (c < 0 || transmit(c) || receive(c) || roundtrips(c))
        perror("netbench: failed");
    fflush(stdout);
    close(c);
    return (int)nx_rpc_call(nx_startup_handle("proc"), NX_PROC_POWEROFF, NULL, 0, NULL, 0,
                            NX_DEADLINE_NEVER);
}

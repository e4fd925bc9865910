// ping [-c COUNT] HOST: ICMP echo requests through an ICMP socket (SOCK_DGRAM, IPPROTO_ICMP:
// Linux's ping socket: the stack sends and delivers whole ICMP messages), one a second; each
// reply with its round-trip time, then a summary. Exit status 0 if a reply came.
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <unistd.h>
#include <nx/nx.h>
#include <nx/socket.h>

#define DATA 56
#define INTERVAL_NS 1000000000ull
#define COUNT_MAX 100000
#define ECHO_REQUEST 8
#define ECHO_REPLY 0

struct echo {
    uint8_t type, code;
    uint16_t sum;
    uint16_t id, seq;
    uint8_t fill[DATA];
};

static uint16_t checksum(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (n & 1)
        s += (uint32_t)b[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return htons((uint16_t)~s);
}

static int usage(void)
{
    fprintf(stderr, "usage: ping [-c COUNT] HOST   (COUNT 1..%d, default 4)\n", COUNT_MAX);
    return 2;
}

// Requests in flight: when each left (by sequence number mod WINDOW; a reply to an older
// one, or a second reply, is not counted).
#define WINDOW 64

struct stats {
    unsigned sent, received;
    uint64_t min_ns, max_ns, sum_ns;
    uint64_t sent_ns[WINDOW];
    uint32_t seq_of[WINDOW];   // seq + 1 while its reply is awaited, 0 after
};

static void sent_one(int fd, const struct sockaddr_in *to, uint16_t seq, struct stats *st)
{
    struct echo e = { .type = ECHO_REQUEST, .seq = htons(seq) };
    memset(e.fill, 'n', sizeof e.fill);
    e.sum = checksum(&e, sizeof e);
    st->sent_ns[seq % WINDOW] = (uint64_t)nx_clock_get();
    st->seq_of[seq % WINDOW] = 0;
    if (sendto(fd, &e, sizeof e, 0, (const struct sockaddr *)to, sizeof *to) < 0) {
        nx_net_error("ping", "send");
        return;
    }
    st->sent++;
    st->seq_of[seq % WINDOW] = (uint32_t)seq + 1;
}

// Take one reply (if it is one of ours) and print it.
static void got_one(int fd, struct stats *st)
{
    struct echo e;
    struct sockaddr_in from;
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd, &e, sizeof e, 0, (struct sockaddr *)&from, &len);
    if (n < 0) {
        nx_net_error("ping", "receive");
        return;
    }
    uint16_t seq = ntohs(e.seq);
    if ((size_t)n < 8 || e.type != ECHO_REPLY || st->seq_of[seq % WINDOW] != seq + 1u)
        return;
    st->seq_of[seq % WINDOW] = 0;
    uint64_t rtt = (uint64_t)nx_clock_get() - st->sent_ns[seq % WINDOW];
    char ip[INET_ADDRSTRLEN];
    printf("%zd bytes from %s: icmp_seq=%u time=%" PRIu64 ".%03" PRIu64 " ms\n", n,
           inet_ntop(AF_INET, &from.sin_addr, ip, sizeof ip), seq, rtt / 1000000,
           rtt / 1000 % 1000);
    st->received++;
    st->sum_ns += rtt;
    st->min_ns = st->received == 1 || rtt < st->min_ns ? rtt : st->min_ns;
    st->max_ns = rtt > st->max_ns ? rtt : st->max_ns;
}

static void summary(const char *host, const struct stats *st)
{
    printf("--- %s ping statistics ---\n%u packets transmitted, %u received, %u%% packet loss\n",
           host, st->sent,
           st->received, st->sent ? (st->sent - st->received) * 100 / st->sent : 0);
    if (st->received)
        printf("rtt min/avg/max = %.3f/%.3f/%.3f ms\n", st->min_ns / 1e6,
               st->sum_ns / 1e6 / st->received, st->max_ns / 1e6);
}

int main(int argc, char **argv)
{
    long count = 4;
    int a = 1;
    if (a + 1 < argc && !strcmp(argv[a], "-c")) {
        char *end;
        count = strtol(argv[a + 1], &end, 10);
        if (*end || count < 1 || count > COUNT_MAX)
            return usage();
        a += 2;
    }
    if (a + 1 != argc || argv[a][0] == '-')
        return usage();
    const char *host = argv[a];
    struct sockaddr_in to;
    if (nx_net_resolve("ping", host, NULL, SOCK_DGRAM, &to))
        return 1;
    int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (fd < 0)
        return nx_net_error("ping", "socket");
    char ip[INET_ADDRSTRLEN];
    printf("PING %s (%s): %d data bytes\n", host, inet_ntop(AF_INET, &to.sin_addr, ip, sizeof ip),
           DATA);
    struct stats st = { 0 };
    for (long seq = 0; seq < count; seq++) {
        sent_one(fd, &to, (uint16_t)seq, &st);
        uint64_t until = (uint64_t)nx_clock_get() + INTERVAL_NS;
        for (uint64_t now; (now = (uint64_t)nx_clock_get()) < until;) {
            struct pollfd p = { fd, POLLIN, 0 };
            int r = poll(&p, 1, (int)((until - now) / 1000000) + 1);
            if (r < 0 || (p.revents & (POLLERR | POLLHUP))) {
                nx_net_error("ping", "poll");
                seq = count;
                break;
            }
            if (r > 0)
                got_one(fd, &st);
            if (seq == count - 1 && st.received == st.sent)
                break;   // the last reply came: no need to wait out the second
        }
    }
    summary(host, &st);
    close(fd);
    return st.received ? 0 : 1;
}

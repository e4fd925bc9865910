// ifconfig: the network interface as the stack sees it (NX_NET_IFCONFIG, nx/net.h): MAC
// address, link, IPv4 address, mask, gateway and name server (from DHCP), the driver's
// packet counters, connections, and the bytes the driver and the stack copied.
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <arpa/inet.h>
#include <nx/nx.h>
#include <nx/socket.h>

static const char *ip(uint32_t a, char *buf)
{
    return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void counters(const char *dir, uint64_t packets, uint64_t bytes, uint64_t drops,
                     uint64_t errors)
{
    printf("  %s packets %" PRIu64 "  bytes %" PRIu64 "  drops %" PRIu64 "  errors %" PRIu64
           "\n", dir, packets, bytes, drops, errors);
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: ifconfig\n");
        return 2;
    }
    struct nx_net_ifconfig c;
    long err = nx_net_ifconfig(&c);
    if (err) {
        errno = err == NX_ERR_ACCESS ? EACCES : ENETDOWN;
        return nx_net_error("ifconfig", "net");
    }
    char a[4][INET_ADDRSTRLEN];
    printf("net0: link %s  mtu %" PRIu32 "  mac %02x:%02x:%02x:%02x:%02x:%02x\n",
           c.link_up ? "up" : "down", c.mtu, c.mac[0], c.mac[1], c.mac[2], c.mac[3], c.mac[4],
           c.mac[5]);
    printf("  inet %s  netmask %s  gateway %s  dns %s  (%s)\n", ip(c.ip, a[0]),
           ip(c.netmask, a[1]), ip(c.gateway, a[2]), ip(c.dns, a[3]),
           c.dhcp_bound ? "DHCP bound" : "DHCP: no lease yet");
    counters("rx", c.rx_packets, c.rx_bytes, c.rx_drops, c.rx_errors);
    counters("tx", c.tx_packets, c.tx_bytes, c.tx_drops, c.tx_errors);
    printf("  sockets %" PRIu32 "  tcp connections out %" PRIu64 "  in %" PRIu64
           "  resets %" PRIu64 "\n", c.sockets_open, c.tcp_active, c.tcp_passive, c.tcp_resets);
    printf("  bytes copied: driver %" PRIu64 "  stack %" PRIu64 "\n", c.driver_bytes_copied,
           c.stack_bytes_copied);
    return 0;
}

// libFuzzer target for the stack's receive path: what a driver (or the wire behind it) hands
// the stack. The input is a sequence of operations, each an op byte, a 16-bit length and
// that many bytes:
//   op % 4 == 0  a frame of those bytes arriving in a free rx slot (its true length)
//   op % 4 == 1  the same with a lying length (the first two bytes), the rest as the frame
//   op % 4 == 2  any record to the stack (op, slot, len from the bytes)
//   op % 4 == 3  time passes (the first byte x 50 ms) and lwIP's timers run
// Bit 2 of the first op runs the input with the DHCP client on (its parser sees the frames)
// instead of the static address with a TCP listener, a UDP port and an ICMP raw socket.
// The fake driver takes back every slot after each input, so the stack must have returned
// what it holds or hold it within its bounds; ASan and UBSan watch every access.
#include <stdint.h>
#include <string.h>
#include <lwip/dhcp.h>
#include <lwip/dns.h>
#include <lwip/raw.h>
#include <lwip/tcp.h>
#include <lwip/timeouts.h>
#include <lwip/udp.h>
#include "link.h"
#include "netdev_fake.h"

static void udp_drop(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *a, u16_t port)
{
    (void)arg, (void)pcb, (void)a, (void)port;
    pbuf_free(p);
}

static u8_t raw_peek(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *a)
{
    (void)arg, (void)pcb, (void)a, (void)p;
    return 0;
}

static err_t tcp_take(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    (void)arg, (void)err;
    if (p) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
    }
    return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    (void)arg, (void)err;
    tcp_recv(pcb, tcp_take);
    return ERR_OK;
}

static void static_address(void)
{
    ip4_addr_t ip, mask, gw;
    IP4_ADDR(&ip, 10, 0, 2, 15);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 10, 0, 2, 2);
    netif_set_addr(&nic.netif, &ip, &mask, &gw);
}

static void start(void)
{
    fake_start();
    static_address();
    struct tcp_pcb *t = tcp_new();
    tcp_bind(t, IP4_ADDR_ANY, 80);
    t = tcp_listen_with_backlog(t, 4);
    tcp_accept(t, on_accept);
    struct udp_pcb *u = udp_new();
    udp_bind(u, IP4_ADDR_ANY, 53);
    udp_recv(u, udp_drop, NULL);
    struct raw_pcb *r = raw_new(IP_PROTO_ICMP);
    raw_recv(r, raw_peek, NULL);
    ip_addr_t dns;
    IP_ADDR4(&dns, 10, 0, 2, 3);
    dns_setserver(0, &dns);
}

static void run(uint8_t op, const uint8_t *b, size_t n)
{
    switch (op % 4) {
    case 0:
        fake_rx(b, n);
        break;
    case 1:
        if (n >= 2) {
            for (uint16_t i = 0; i < NX_NETDEV_RX_SLOTS; i++)
                if (fake.rx_device[i]) {
                    fake_rx_slot(i, b + 2, n - 2, (uint16_t)(b[0] << 8 | b[1]));
                    break;
                }
        }
        break;
    case 2:
        if (n >= 5)
            fake_record(b[0], (uint16_t)(b[1] << 8 | b[2]), (uint16_t)(b[3] << 8 | b[4]));
        break;
    default:
        fake_now_ms += (n ? b[0] : 1) * 50u;
        sys_check_timeouts();
        break;
    }
    link_poll();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool started;
    if (!started)
        start();
    started = true;
    bool dhcp = size && (data[0] & 4);
    if (dhcp)
        dhcp_start(&nic.netif);
    while (size >= 3) {
        uint8_t op = data[0];
        size_t n = (size_t)(data[1] << 8 | data[2]);
        data += 3, size -= 3;
        if (n > size)
            n = size;
        run(op, data, n);
        data += n, size -= n;
        fake_drain();
    }
    if (dhcp) {
        dhcp_release_and_stop(&nic.netif);
        static_address();
    }
    fake_drain();
    link_poll();
    fake_drain();
    return 0;
}

#pragma once
// lwIP's configuration for the stack service (docs/network.md, "The port"). One thread, no
// operating system layer (NO_SYS): the service's event loop calls lwIP's raw API directly,
// so lwIP needs no locks, no threads and no mailboxes, and a packet costs no context switch
// between lwIP's thread and the server's. The socket API applications see is libnx's, over
// shared rings (nx/net.h), not lwIP's.
//
// Memory is bounded by the figures below (all static, in the service's bss): the heap
// (MEM_SIZE) holds outgoing headers and copied datagrams; the pools hold control blocks.
// Received frames are not copied into lwIP memory: they stay in the driver's arena slots
// (PBUF_REF pbufs), and TCP's unacknowledged data stays in the applications' tx rings
// (PBUF_ROM pbufs), so neither needs heap.
#include <nx/net.h>

#define NO_SYS 1
#define LWIP_TIMERS 1
#define SYS_LIGHTWEIGHT_PROT 0   // one thread: nothing to protect against
#define LWIP_NETCONN 0
#define LWIP_SOCKET 0
#define LWIP_NETIF_API 0

#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define LWIP_ICMP 1
#define LWIP_RAW 1
#define LWIP_UDP 1
#define LWIP_TCP 1
#define LWIP_DHCP 1
#define LWIP_DNS 1
#define LWIP_AUTOIP 0
#define LWIP_IGMP 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_SINGLE_NETIF 1
#define LWIP_HAVE_LOOPIF 0
#define LWIP_NETIF_LOOPBACK 0
#define IP_FORWARD 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IP_REASS_MAX_PBUFS 32   // arena slots reassembly may hold (of 128)
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define ARP_TABLE_SIZE 16
#define ARP_QUEUEING 1
#define DNS_TABLE_SIZE 8
#define DNS_MAX_SERVERS 2
#define DNS_MAX_NAME_LENGTH 256
#define DNS_MAX_TTL 600            // cached answers at most 10 minutes (timers.c)
// lwip_cyclic_timer visible, so that timers.c can take lwIP's cyclic timers off its list (the
// only thing LWIP_TESTMODE changes in lwIP 2.1.3).
#define LWIP_TESTMODE 1
// The offered address is taken without an ARP probe first: it saves a second of boot, and
// QEMU's user network (the network the system runs on) hands out addresses no one else has.
#define DHCP_DOES_ARP_CHECK 0

// Memory. The heap: headers of outgoing segments, copied datagrams and ICMP messages, ARP's
// queue. Pools: one entry per object below.
#define MEM_LIBC_MALLOC 0
#define MEMP_MEM_MALLOC 0
#define MEM_ALIGNMENT 8
#define MEM_SIZE (512 * 1024)
#define MEMP_NUM_PBUF 512          // PBUF_ROM/REF headers: TCP data referencing tx rings
#define MEMP_NUM_RAW_PCB 8
#define MEMP_NUM_UDP_PCB (NX_NET_SOCKETS_MAX + 4)
#define MEMP_NUM_TCP_PCB NX_NET_SOCKETS_MAX
#define MEMP_NUM_TCP_PCB_LISTEN 32
#define MEMP_NUM_TCP_SEG 1024
#define MEMP_NUM_REASSDATA 8
#define MEMP_NUM_FRAG_PBUF 32
#define MEMP_NUM_ARP_QUEUE 32
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 2)
#define PBUF_POOL_SIZE 4           // lwIP's own rx pool is unused (frames arrive in the arena)
// ...which lwIP's sanity check would compare with TCP_WND: the window is backed by the
// arena's rx slots and the rx rings instead.
#define LWIP_DISABLE_TCP_SANITY_CHECKS 1
#define PBUF_POOL_BUFSIZE 1536

// TCP. The receive window never exceeds the room of a socket's rx ring (NX_NET_RING_BYTES):
// the stack credits the window (tcp_recved) only as the application reads, so what the peer
// may send always fits the ring.
#define TCP_MSS 1460
#define TCP_WND (44 * TCP_MSS)     // 64240 <= NX_NET_RING_BYTES, no window scaling
#define TCP_SND_BUF (44 * TCP_MSS)
#define TCP_SND_QUEUELEN 128
#define TCP_QUEUE_OOSEQ 1
#define TCP_OOSEQ_MAX_PBUFS 16     // arena slots one connection's out-of-order queue may hold
#define TCP_OOSEQ_MAX_BYTES (16 * TCP_MSS)
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG NX_NET_BACKLOG_MAX
#define LWIP_TCP_KEEPALIVE 1
#define LWIP_CALLBACK_API 1
#define LWIP_WND_SCALE 0
#define TCP_OVERSIZE 0             // tx data is referenced, never copied into oversized pbufs
#define LWIP_TCP_TIMESTAMPS 0

#define LWIP_STATS 0
#define LWIP_NETIF_TX_SINGLE_PBUF 0
#define LWIP_CHKSUM_ALGORITHM 3
#define LWIP_RAND() netstack_random()

// The host fuzzer checks no checksum, so arbitrary frames reach the protocols' parsers.
#ifdef NETSTACK_FUZZ
#define CHECKSUM_CHECK_IP 0
#define CHECKSUM_CHECK_UDP 0
#define CHECKSUM_CHECK_TCP 0
#define CHECKSUM_CHECK_ICMP 0
#endif

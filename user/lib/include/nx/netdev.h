#pragma once
// The network driver's protocol (service `netdev`, program `virtio-net`; docs/network.md):
// how the TCP/IP stack (service `net`) reaches the wire. Control follows nx/rpc.h; packets
// never travel in messages.
//
// Packets live in the *arena*: a VMO the driver makes, pins for the device (nx_vmo_dma) and
// shares with the stack, cut into NX_NETDEV_SLOT_SIZE-byte slots. Slots [0, rx_slots) receive,
// [rx_slots, rx_slots + tx_slots) transmit. In a slot, the virtio-net header takes bytes
// [2, 14) and the Ethernet frame starts at NX_NETDEV_FRAME_OFF (14), so that the IP header
// behind the 14-byte Ethernet header is 4-byte aligned. The device writes received frames
// straight into rx slots and reads transmitted ones straight out of tx slots (DMA): the driver
// copies no packet byte, and neither does the kernel.
//
// Slot ownership moves by records through two nx/ring.h record rings in the *control* VMO
// (struct nx_netdev_ctl, then the rings): each record is one struct nx_netdev_rec.
//   to the driver (the stack writes):   TX (slot, len: a frame to send), RX_FREE (slot: the
//                                       stack is done with a received frame; the driver gives
//                                       the slot to the device again)
//   to the stack (the driver writes):   RX (slot, len: a frame arrived), TX_DONE (slot: free
//                                       again), LINK (len = 1 up, 0 down)
// At the start the device holds every rx slot and the stack every tx slot. Neither side
// trusts the other's records: a slot number out of its range, a slot the sender does not own
// or a length over NX_NETDEV_FRAME_MAX is counted (errors) and dropped, never followed.
// Each side signals the other's notification (bits below) only when the reader said it
// sleeps (nx/ring.h), so a busy stack costs the driver no system call and vice versa.
#include <stdint.h>

#define NX_NETDEV_SERVICE "netdev"
#define NX_NETDEV_SLOT_SIZE 2048u
#define NX_NETDEV_FRAME_OFF 14u         // the frame in a slot; the virtio-net header before it
#define NX_NETDEV_HDR_OFF 2u            // struct virtio_net_hdr (12 bytes, VERSION_1)
#define NX_NETDEV_FRAME_MAX 1514u       // Ethernet header + 1500-byte MTU (no FCS)
#define NX_NETDEV_MTU 1500u
#define NX_NETDEV_RX_SLOTS 128u
#define NX_NETDEV_TX_SLOTS 128u
#define NX_NETDEV_RING_BYTES 4096u      // data bytes of each control ring (256 records)

// The stack's notification bit the driver signals (records to the stack).
#define NX_NETDEV_BIT_TO_STACK (1ull << 0)
// The driver's notification bit the stack signals (records to the driver). The driver's
// notification also carries its interrupt line (NX_IRQ_BIT).
#define NX_NETDEV_BIT_TO_DRIVER (1ull << 8)

enum {
    // Request: none; one handle: the stack's notification (SIGNAL), bit NX_NETDEV_BIT_TO_STACK
    // is what the driver signals. Reply: struct nx_netdev_info; three handles: the arena (READ,
    // WRITE, MAP), the control VMO (READ, WRITE, MAP) and the driver's notification (SIGNAL,
    // bit NX_NETDEV_BIT_TO_DRIVER). A later ATTACH (a restarted stack) replaces the earlier
    // one: the device is reset, fresh arena and control VMOs are made, the old ones are the
    // old holder's to drop. Errors: NX_ERR_INVALID (no handle), NX_ERR_IO (the device failed),
    // NX_ERR_NO_MEMORY.
    NX_NETDEV_ATTACH = 0x4e000001,
    // Reply: struct nx_netdev_info (the counters too). Anyone granted the driver may ask.
    NX_NETDEV_INFO,
};

enum nx_netdev_op {
    NX_NETDEV_TX = 1,       // to the driver: send slot's frame of len bytes
    NX_NETDEV_RX_FREE = 2,  // to the driver: the stack is done with rx slot
    NX_NETDEV_RX = 3,       // to the stack: rx slot holds a frame of len bytes
    NX_NETDEV_TX_DONE = 4,  // to the stack: tx slot is free again
    NX_NETDEV_LINK = 5,     // to the stack: len = 1 link up, 0 down
};

struct nx_netdev_rec {
    uint16_t op;
    uint16_t slot;
    uint16_t len;
    uint16_t reserved;
};

// Counters the driver keeps (also in the control VMO, updated as they change, for the stack
// to read without a call).
struct nx_netdev_stats {
    uint64_t rx_packets, rx_bytes, rx_drops, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_drops, tx_errors;
    uint64_t bytes_copied;   // packet bytes the driver copied (the design says 0)
    uint64_t interrupts;
};

struct nx_netdev_info {
    uint8_t mac[6];
    uint8_t link_up;         // 1 up, 0 down
    uint8_t reserved;
    uint32_t mtu;
    uint32_t rx_slots, tx_slots, slot_size;
    uint32_t reserved2;
    struct nx_netdev_stats stats;
};

// The control VMO: this header, then the ring to the driver at NX_NETDEV_CTL_TO_DRIVER, the
// ring to the stack at NX_NETDEV_CTL_TO_STACK (each nx_ring_mem_size(NX_NETDEV_RING_BYTES)).
struct nx_netdev_ctl {
    struct nx_netdev_stats stats;   // the driver writes; the stack only reads (untrusted)
    uint8_t pad[256 - sizeof(struct nx_netdev_stats)];
};
#define NX_NETDEV_CTL_TO_DRIVER 256u
#define NX_NETDEV_CTL_TO_STACK (256u + 64u + NX_NETDEV_RING_BYTES)
#define NX_NETDEV_CTL_SIZE (256u + 2 * (64u + NX_NETDEV_RING_BYTES))

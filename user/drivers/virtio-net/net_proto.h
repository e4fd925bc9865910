#pragma once
// The virtio network device's own parts (virtio 1.x, 5.1): features, configuration fields,
// queues and the header before each frame. The transport is the shared one (nx/virtio.h).
#include <stdint.h>

// Feature bits the driver takes (nothing offloaded: no checksum, GSO or merged buffers).
#define VIRTIO_NET_F_MAC (1ull << 5)       // the configuration holds the device's address
#define VIRTIO_NET_F_STATUS (1ull << 16)   // the configuration holds the link state

// virtio_net_config fields (byte offsets into the configuration space).
#define VIRTIO_NET_CFG_MAC 0x00            // 6 bytes
#define VIRTIO_NET_CFG_STATUS 0x06         // 16 bits
#define VIRTIO_NET_S_LINK_UP 1u

#define VIRTIO_NET_RXQ 0                   // receiveq1
#define VIRTIO_NET_TXQ 1                   // transmitq1

// InterruptStatus: the configuration changed (the link went up or down).
#define VIRTIO_INT_CONFIG 2u

// struct virtio_net_hdr with VIRTIO_F_VERSION_1 (num_buffers included): 12 bytes, all zero on
// transmit (no checksum to fill, no segmentation).
#define VIRTIO_NET_HDR_SIZE 12u

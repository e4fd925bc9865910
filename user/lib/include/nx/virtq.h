#pragma once
// A virtio 1.x split virtqueue, the driver's side (virtio spec 2.7): the descriptor table, the
// available ring (driver -> device) and the used ring (device -> driver), laid out by the
// caller in memory the device reaches. Pure ring arithmetic, no system calls (host-tested);
// the caller serialises every call on one queue and notifies the device after a submit.
#include <stdbool.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u  // the device writes this buffer
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u  // the driver polls: no interrupt for used buffers

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};

struct virtq_used_elem {
    uint32_t id;   // head of the completed chain
    uint32_t len;  // bytes the device wrote into it
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[];
};

// One buffer of a request: physical address, length, direction.
struct virtq_buf {
    uint64_t addr;
    uint32_t len;
    bool device_writes;
};

#define VIRTQ_MAX_SIZE 256

struct virtq {
    uint16_t size;                    // descriptors, a power of 2, at most VIRTQ_MAX_SIZE
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint16_t free_head;               // free descriptors are chained through next
    uint16_t nfree;
    uint16_t last_used;               // the used ring's next entry to take
    uint16_t chains;                  // in flight
    uint64_t heads[VIRTQ_MAX_SIZE / 64];  // bit h: a chain in flight starts at descriptor h
};

// Bytes each area needs for a queue of size descriptors.
#define VIRTQ_DESC_BYTES(size) (16u * (size))
#define VIRTQ_AVAIL_BYTES(size) (6u + 2u * (size))
#define VIRTQ_USED_BYTES(size) (6u + 8u * (size))

// Set q up over zeroed areas; every descriptor free. size must be a power of 2.
void virtq_init(struct virtq *q, uint16_t size, void *desc, void *avail, void *used);
// Chain bufs[0..n) and offer it to the device; returns the chain's head, or -1 (nothing
// changed) when n is 0 or fewer than n descriptors are free.
int virtq_submit(struct virtq *q, const struct virtq_buf *bufs, uint16_t n);
// Take the next chain the device completed: its head (and the bytes it wrote in *len),
// freeing its descriptors; -1 when there is none. A head the device names that is not a
// chain in flight (a broken device) is -2, and the entry is skipped.
int virtq_take(struct virtq *q, uint32_t *len);
// Chains the device holds (submitted, not taken).
uint16_t virtq_in_flight(const struct virtq *q);

#pragma once
// The UART driver's input buffer: a bounded byte ring between exactly one producer (the
// interrupt thread) and one consumer at a time (the thread serving a READ). Lock-free: each
// side writes only its own index. When it is full, new bytes are dropped and counted; the
// producer never waits, so the device is always drained. Host-tested (test_inbuf.c).
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define INBUF_SIZE 1024  // a power of two

struct inbuf {
    uint8_t data[INBUF_SIZE];
    _Atomic uint32_t head;      // next slot the producer fills (only the producer writes it)
    _Atomic uint32_t tail;      // next slot the consumer takes (only the consumer writes it)
    _Atomic uint64_t received;  // every byte offered, kept or not
    _Atomic uint64_t dropped;   // bytes lost to a full buffer
};

// Producer: keep c, or count it dropped.
void inbuf_put(struct inbuf *b, uint8_t c);
// Consumer: move up to max bytes out, oldest first; returns how many.
size_t inbuf_take(struct inbuf *b, uint8_t *out, size_t max);

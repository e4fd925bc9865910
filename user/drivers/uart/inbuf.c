// Single-producer single-consumer byte ring (see inbuf.h). The indices run freely and wrap
// at 2^32; head - tail is the fill level. Release on the index a side publishes, acquire on
// the one it reads, so the bytes are in place before the other side sees them.
#include "inbuf.h"

void inbuf_put(struct inbuf *b, uint8_t c)
{
    uint32_t head = atomic_load_explicit(&b->head, memory_order_relaxed);
    uint32_t tail = atomic_load_explicit(&b->tail, memory_order_acquire);
    atomic_fetch_add_explicit(&b->received, 1, memory_order_relaxed);
    if (head - tail == INBUF_SIZE) {
        atomic_fetch_add_explicit(&b->dropped, 1, memory_order_relaxed);
        return;
    }
    b->data[head % INBUF_SIZE] = c;
    atomic_store_explicit(&b->head, head + 1, memory_order_release);
}

size_t inbuf_take(struct inbuf *b, uint8_t *out, size_t max)
{
    uint32_t tail = atomic_load_explicit(&b->tail, memory_order_relaxed);
    uint32_t head = atomic_load_explicit(&b->head, memory_order_acquire);
    size_t n = 0;
    for (; n < max && tail != head; n++, tail++)
        out[n] = b->data[tail % INBUF_SIZE];
    atomic_store_explicit(&b->tail, tail, memory_order_release);
    return n;
}

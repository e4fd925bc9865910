// Split virtqueue ring arithmetic (virtq.h). Indices in the rings run freely mod 2^16; the
// slot is the index mod size, which is why size is a power of 2.
#include <nx/virtq.h>
#include <stdatomic.h>

void virtq_init(struct virtq *q, uint16_t size, void *desc, void *avail, void *used)
{
    *q = (struct virtq){ .size = size, .desc = desc, .avail = avail, .used = used,
                         .nfree = size };
    for (uint16_t i = 0; i < size; i++)
        q->desc[i].next = (uint16_t)(i + 1);
}

static bool is_head(const struct virtq *q, uint32_t d)
{
    return d < q->size && (q->heads[d / 64] >> (d % 64) & 1);
}

static void mark_head(struct virtq *q, uint16_t d, bool on)
{
    uint64_t bit = 1ull << (d % 64);
    q->heads[d / 64] = on ? q->heads[d / 64] | bit : q->heads[d / 64] & ~bit;
}

int virtq_submit(struct virtq *q, const struct virtq_buf *bufs, uint16_t n)
{
    if (n == 0 || n > q->nfree)
        return -1;
    uint16_t head = q->free_head, d = head;
    for (uint16_t i = 0; i < n; i++) {
        struct virtq_desc *desc = &q->desc[d];
        desc->addr = bufs[i].addr;
        desc->len = bufs[i].len;
        desc->flags = (uint16_t)((bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
                                 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        d = desc->next;  // the free list's next is also the chain's next
    }
    q->free_head = d;
    q->nfree = (uint16_t)(q->nfree - n);
    mark_head(q, head, true);
    q->chains++;
    q->avail->ring[q->avail->idx & (q->size - 1)] = head;
    // The device must see the descriptors and the ring entry before the new index.
    atomic_thread_fence(memory_order_release);
    q->avail->idx++;
    return head;
}

// Put the chain starting at head back on the free list.
static void free_chain(struct virtq *q, uint16_t head)
{
    uint16_t d = head, n = 1;
    while (q->desc[d].flags & VIRTQ_DESC_F_NEXT) {
        d = q->desc[d].next;
        n++;
    }
    q->desc[d].next = q->free_head;
    q->free_head = head;
    q->nfree = (uint16_t)(q->nfree + n);
    mark_head(q, head, false);
    q->chains--;
}

int virtq_take(struct virtq *q, uint32_t *len)
{
    if (q->used->idx == q->last_used)
        return -1;
    // The entry is read only after the index that published it.
    atomic_thread_fence(memory_order_acquire);
    struct virtq_used_elem e = q->used->ring[q->last_used & (q->size - 1)];
    q->last_used++;
    if (!is_head(q, e.id))
        return -2;
    free_chain(q, (uint16_t)e.id);
    *len = e.len;
    return (int)e.id;
}

uint16_t virtq_in_flight(const struct virtq *q)
{
    return q->chains;
}

// The shared-memory record ring's pure logic (see nx/ring.h). Indices grow without bound and
// are reduced mod size only to address the data, so head - tail is always the bytes in use.
// Ordering: a side publishes its index with a release store after touching the data, and
// reads the other side's with an acquire load before touching it.
#include <string.h>
#include <nexus/errors.h>
#include <nx/ring.h>

#define LEN_BYTES 4
#define MIN_SIZE 64

static uint64_t record_bytes(uint64_t len)
{
    return (LEN_BYTES + len + 7) & ~7ull;
}

static uint64_t load_acquire(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store_release(uint64_t *p, uint64_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static bool size_fits(uint64_t size, size_t mem_size)
{
    return size >= MIN_SIZE && (size & (size - 1)) == 0 &&
           size <= mem_size - sizeof(struct nx_ring_shared);
}

static void view(struct nx_ring *r, void *mem, uint64_t size, uint64_t pos)
{
    r->sh = mem;
    r->data = (uint8_t *)mem + sizeof(struct nx_ring_shared);
    r->size = size;
    r->pos = pos;
}

long nx_ring_format(struct nx_ring *r, void *mem, size_t mem_size)
{
    if (mem_size < sizeof(struct nx_ring_shared) + MIN_SIZE)
        return NX_ERR_INVALID;
    uint64_t size = MIN_SIZE;
    while (size_fits(size * 2, mem_size))
        size *= 2;
    struct nx_ring_shared *sh = mem;
    memset(sh, 0, sizeof(*sh));
    sh->size = size;
    store_release(&sh->magic, NX_RING_MAGIC);
    view(r, mem, size, 0);
    return NX_OK;
}

long nx_ring_attach(struct nx_ring *r, void *mem, size_t mem_size, enum nx_ring_side side)
{
    if (mem_size < sizeof(struct nx_ring_shared))
        return NX_ERR_INVALID;
    struct nx_ring_shared *sh = mem;
    uint64_t size = __atomic_load_n(&sh->size, __ATOMIC_RELAXED);
    if (load_acquire(&sh->magic) != NX_RING_MAGIC || !size_fits(size, mem_size))
        return NX_ERR_INVALID;
    view(r, mem, size, load_acquire(side == NX_RING_WRITER ? &sh->head : &sh->tail));
    return NX_OK;
}

// Copy n bytes to / from the data area at index pos, wrapping at the end.
static void copy_in(struct nx_ring *r, uint64_t pos, const void *src, size_t n)
{
    size_t off = pos & (r->size - 1), first = n < r->size - off ? n : r->size - off;
    memcpy(r->data + off, src, first);
    memcpy(r->data, (const uint8_t *)src + first, n - first);
}

static void copy_out(const struct nx_ring *r, uint64_t pos, void *dst, size_t n)
{
    size_t off = pos & (r->size - 1), first = n < r->size - off ? n : r->size - off;
    memcpy(dst, r->data + off, first);
    memcpy((uint8_t *)dst + first, r->data, n - first);
}

long nx_ring_push(struct nx_ring *r, const void *rec, size_t len)
{
    if (len == 0 || len > NX_RING_RECORD_MAX)
        return NX_ERR_INVALID;
    uint64_t used = r->pos - load_acquire(&r->sh->tail);
    if (used > r->size)
        return NX_ERR_BAD_STATE;
    if (record_bytes(len) > r->size - used) {
        store_release(&r->sh->dropped, r->sh->dropped + 1);
        return NX_ERR_NO_SPACE;
    }
    uint32_t len32 = (uint32_t)len;
    copy_in(r, r->pos, &len32, LEN_BYTES);
    copy_in(r, r->pos + LEN_BYTES, rec, len);
    r->pos += record_bytes(len);
    store_release(&r->sh->head, r->pos);
    // Pairs with the fence in nx_ring_prepare_sleep: either the reader sees the new head, or
    // this load sees its announcement and the reader gets a signal.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return __atomic_load_n(&r->sh->reader_waiting, __ATOMIC_RELAXED) ? 1 : 0;
}

long nx_ring_pop(struct nx_ring *r, void *buf, size_t cap, size_t *len)
{
    uint64_t avail = load_acquire(&r->sh->head) - r->pos;
    if (avail == 0)
        return NX_ERR_NOT_FOUND;
    if (avail > r->size || avail < record_bytes(1))
        return NX_ERR_BAD_STATE;
    uint32_t n;
    copy_out(r, r->pos, &n, LEN_BYTES);
    if (n == 0 || n > NX_RING_RECORD_MAX || record_bytes(n) > avail)
        return NX_ERR_BAD_STATE;
    if (n > cap)
        return NX_ERR_TOO_BIG;
    copy_out(r, r->pos + LEN_BYTES, buf, n);
    r->pos += record_bytes(n);
    store_release(&r->sh->tail, r->pos);
    *len = n;
    return NX_OK;
}

bool nx_ring_prepare_sleep(struct nx_ring *r)
{
    __atomic_store_n(&r->sh->reader_waiting, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (load_acquire(&r->sh->head) == r->pos)
        return true;
    nx_ring_end_sleep(r);
    return false;
}

void nx_ring_end_sleep(struct nx_ring *r)
{
    __atomic_store_n(&r->sh->reader_waiting, 0, __ATOMIC_RELAXED);
}

uint64_t nx_ring_dropped(const struct nx_ring *r)
{
    return load_acquire(&r->sh->dropped);
}

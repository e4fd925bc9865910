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

// Publish this side's new index, then see whether the other side sleeps (the fence pairs
// with announce()).
static bool publish(uint64_t *index, uint64_t pos, const uint64_t *other_waiting)
{
    store_release(index, pos);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return __atomic_load_n(other_waiting, __ATOMIC_RELAXED) != 0;
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
    return publish(&r->sh->head, r->pos, &r->sh->reader_waiting) ? 1 : 0;
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

// Announce that this side may sleep (*flag = 1), then check whether it still must:
// `still` reads the other side's index. Pairs with the fence after the other side publishes
// its index: either this side sees the new index, or the other sees the announcement.
static bool announce(uint64_t *flag, bool (*still)(const struct nx_ring *), struct nx_ring *r)
{
    __atomic_store_n(flag, 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (still(r))
        return true;
    __atomic_store_n(flag, 0, __ATOMIC_RELAXED);
    return false;
}

static bool ring_empty(const struct nx_ring *r)
{
    return load_acquire(&r->sh->head) == r->pos;
}

// Full (or the reader's tail is impossible: the writer then finds out when it tries).
static bool ring_full(const struct nx_ring *r)
{
    return r->pos - load_acquire(&r->sh->tail) >= r->size;
}

bool nx_ring_prepare_sleep(struct nx_ring *r)
{
    return announce(&r->sh->reader_waiting, ring_empty, r);
}

void nx_ring_end_sleep(struct nx_ring *r)
{
    __atomic_store_n(&r->sh->reader_waiting, 0, __ATOMIC_RELAXED);
}

bool nx_ring_writer_prepare_sleep(struct nx_ring *r)
{
    return announce(&r->sh->writer_waiting, ring_full, r);
}

void nx_ring_writer_end_sleep(struct nx_ring *r)
{
    __atomic_store_n(&r->sh->writer_waiting, 0, __ATOMIC_RELAXED);
}

uint64_t nx_ring_dropped(const struct nx_ring *r)
{
    return load_acquire(&r->sh->dropped);
}

long nx_ring_put_bytes(struct nx_ring *r, const void *buf, size_t n, bool *wake)
{
    *wake = false;
    uint64_t used = r->pos - load_acquire(&r->sh->tail);
    if (used > r->size)
        return NX_ERR_BAD_STATE;
    if (n > r->size - used)
        n = (size_t)(r->size - used);
    if (n == 0)
        return 0;
    copy_in(r, r->pos, buf, n);
    r->pos += n;
    *wake = publish(&r->sh->head, r->pos, &r->sh->reader_waiting);
    return (long)n;
}

long nx_ring_get_bytes(struct nx_ring *r, void *buf, size_t n, bool *wake)
{
    *wake = false;
    uint64_t avail = load_acquire(&r->sh->head) - r->pos;
    if (avail > r->size)
        return NX_ERR_BAD_STATE;
    if (n > avail)
        n = (size_t)avail;
    if (n == 0)
        return 0;
    copy_out(r, r->pos, buf, n);
    r->pos += n;
    *wake = publish(&r->sh->tail, r->pos, &r->sh->writer_waiting);
    return (long)n;
}

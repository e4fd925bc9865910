// VM benchmarks: map + unmap of a 4 KiB and a 2 MiB VMO, and moving 16 MiB between two
// processes through a shared VMO ring (instructions per MiB and bytes the kernel copied), its
// slots copied as the compiler inlines a 64 KiB __builtin_memcpy (bulk_vmo) and by calls of
// libnx's memcpy (bulk_vmo_memcpy: docs/perf-vm.md compares the two).
#include <stdbool.h>
#include <string.h>
#include <nx/nx.h>
#include "bench.h"

#define PAGE 4096ul
#define RW (NX_PROT_READ | NX_PROT_WRITE)

// Average instructions of one nx_vm_map + nx_vm_unmap of a whole VMO of size bytes, at a
// kernel-picked address (no page is touched: mapping is lazy).
static uint64_t map_unmap(size_t size)
{
    long v = nx_vmo_create((long)size);
    uint64_t start = nx_rdinstret();
    for (int i = 0; i < ITERATIONS; i++)
        nx_vm_unmap(nx_self, nx_vm_map(nx_self, v, 0, 0, (long)size, RW), (long)size);
    uint64_t cost = nx_rdinstret() - start;
    nx_handle_close(v);
    return cost / ITERATIONS;
}

// ---- bulk transfer through a ring ----
// The producer (this process) maps the ring into the consumer (a copy of this program) at
// RING_VA and signals `data` after each slot it fills; the consumer waits on it when the ring
// is empty. With one notification handle to give away and one hart, the producer does not
// block when the ring is full: it yields, which runs the consumer until the ring is empty.

#define BULK_BYTES (16ul << 20)
#define SLOT_BYTES (64ul << 10)
#define SLOTS 4
#define RING_VA 0x100000000ul
#define CONSUMER_PAGES 64

struct ring {
    volatile uint64_t head, tail;  // slots filled / emptied so far (head written by producer)
    uint64_t by_call;              // copies call memcpy (set before the consumer maps the ring)
    char pad[PAGE - 24];
    char slot[SLOTS][SLOT_BYTES];
};

static char buffer[SLOT_BYTES];  // producer: the source; consumer: the destination
static volatile size_t slot_bytes = SLOT_BYTES;  // not a constant: memcpy stays a call

// One slot's copy: GCC expands the constant-size builtin inline (a loop of 4-word moves); a
// size it cannot see makes it a call of libnx's memcpy (kernel/lib/memcpy.c: 32-word blocks).
static void copy_slot(void *dst, const void *src, bool by_call)
{
    if (by_call)
        memcpy(dst, src, slot_bytes);
    else
        __builtin_memcpy(dst, src, SLOT_BYTES);
}

static void consume(nx_handle_t data)
{
    struct ring *r = (struct ring *)RING_VA;
    uint64_t bits;
    nx_notify_wait_bits(data, NX_DEADLINE_NEVER, &bits);  // the ring is mapped now
    for (uint64_t n = 0; n < BULK_BYTES / SLOT_BYTES; n++) {
        while (r->tail == r->head)
            nx_notify_wait_bits(data, NX_DEADLINE_NEVER, &bits);
        copy_slot(buffer, r->slot[n % SLOTS], r->by_call);
        __atomic_store_n(&r->tail, n + 1, __ATOMIC_RELEASE);
    }
}

static void produce(struct ring *r, nx_handle_t data)
{
    for (uint64_t n = 0; n < BULK_BYTES / SLOT_BYTES; n++) {
        while (n - r->tail == SLOTS)
            nx_yield();
        copy_slot(r->slot[n % SLOTS], buffer, r->by_call);
        __atomic_store_n(&r->head, n + 1, __ATOMIC_RELEASE);
        nx_notify_signal(data, 1);
    }
}

static void bulk_vmo(const char *name, bool by_call)
{
    __builtin_memset(buffer, 0x5a, sizeof(buffer));
    long data = nx_notification_create(), done = nx_notification_create();
    long ring = nx_vmo_create(sizeof(struct ring));
    long mine = nx_vm_map(nx_self, ring, 0, 0, sizeof(struct ring), RW);
    ((struct ring *)mine)->by_call = by_call;
    long child = nx_spawn("consumer", CONSUMER_PAGES, consume,
                          (nx_handle_t)nx_handle_duplicate(data, NX_RIGHTS_SAME));
    nx_process_watch(child, done, 1);
    uint64_t copied = (uint64_t)nx_system_info(NX_INFO_BYTES_COPIED);
    uint64_t start = nx_rdinstret();
    nx_vm_map(child, ring, RING_VA, 0, sizeof(struct ring), RW);
    nx_notify_signal(data, 1);
    produce((struct ring *)mine, (nx_handle_t)data);
    uint64_t bits;
    nx_notify_wait_bits(done, NX_DEADLINE_NEVER, &bits);
    uint64_t cost = nx_rdinstret() - start;
    report(name, cost / (BULK_BYTES >> 20));
    if (!by_call)
        report("bulk_vmo_kernel_bytes_copied",
               (uint64_t)nx_system_info(NX_INFO_BYTES_COPIED) - copied);
    nx_vm_unmap(nx_self, mine, sizeof(struct ring));
    nx_handle_close(child);
    nx_handle_close(ring);
    nx_handle_close(done);
    nx_handle_close(data);
}

void bench_vm(void)
{
    report("vmo_map_unmap_4k_instr", map_unmap(PAGE));
    report("vmo_map_unmap_2m_instr", map_unmap(2ul << 20));
    bulk_vmo("bulk_vmo_instr_per_mib", false);
    bulk_vmo("bulk_vmo_memcpy_instr_per_mib", true);
}

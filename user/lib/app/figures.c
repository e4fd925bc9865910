// The live figures' arithmetic and text (figures.h).
#include <stdio.h>
#include "figures.h"

unsigned fig_load_percent(struct hart_sample before, struct hart_sample now)
{
    uint64_t busy = now.busy_ns > before.busy_ns ? now.busy_ns - before.busy_ns : 0;
    uint64_t idle = now.idle_ns > before.idle_ns ? now.idle_ns - before.idle_ns : 0;
    if (busy + idle < busy)  // wrapped: a hart busy for 584 years
        return 100;
    uint64_t all = busy + idle;
    if (all == 0)
        return 0;
    // busy * 100 could overflow for spans over 5.8 years: scale both down first.
    while (busy > UINT64_MAX / 200) {
        busy >>= 1;
        all >>= 1;
    }
    return (unsigned)((busy * 200 + all) / (all * 2));
}

void fig_memory(long total, long free_pages, char *out, size_t cap)
{
    snprintf(out, cap, "Memory: %ld of %ld pages used (%ld free, 4 KiB each)", total - free_pages,
             total, free_pages);
}

void fig_uptime(uint64_t ns, char *out, size_t cap)
{
    uint64_t s = ns / 1000000000u;
    if (s >= 3600)
        snprintf(out, cap, "Up %llu h %02llu min %02llu s", (unsigned long long)(s / 3600),
                 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
    else
        snprintf(out, cap, "Up %llu min %02llu s", (unsigned long long)(s / 60),
                 (unsigned long long)(s % 60));
}

void fig_harts(const unsigned *load, size_t n, char *out, size_t cap)
{
    size_t len = (size_t)snprintf(out, cap, "Load:");
    for (size_t i = 0; i < n && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "  hart %zu %u %%", i, load[i]);
}

// Tenths of a MiB in blocks of block_size bytes (any 64-bit counts: at most UINT64_MAX).
static uint64_t mib_tenths(uint64_t blocks, uint64_t block_size)
{
    unsigned __int128 t = (unsigned __int128)blocks * block_size * 10 >> 20;
    return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}

void fig_disk(uint64_t block_size, uint64_t blocks, uint64_t free_blocks, char *out, size_t cap)
{
    if (!blocks || !block_size) {
        snprintf(out, cap, "Disk: none");
        return;
    }
    uint64_t used = free_blocks < blocks ? blocks - free_blocks : 0;
    uint64_t total_t = mib_tenths(blocks, block_size), used_t = mib_tenths(used, block_size);
    // The same ratio as a hart's load: used over used + free, rounded.
    unsigned percent = fig_load_percent((struct hart_sample){ 0, 0 },
                                        (struct hart_sample){ used, blocks - used });
    snprintf(out, cap, "Disk: %llu.%llu of %llu.%llu MiB used (%u %%)",
             (unsigned long long)(used_t / 10), (unsigned long long)(used_t % 10),
             (unsigned long long)(total_t / 10), (unsigned long long)(total_t % 10), percent);
}

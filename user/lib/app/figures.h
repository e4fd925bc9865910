#pragma once
// The live figures the desktop's apps show (System monitor, Control centre; docs/apps.md):
// each hart's load from the kernel's busy/idle counters, memory, the disk's use, the uptime.
// The arithmetic and the text are pure (figures.c, host-tested in tests/host/test_sysmon.c);
// reading them from the system is figures_live.c's.
#include <stddef.h>
#include <stdint.h>

#define FIG_HARTS_MAX 8            // harts shown (NX_INFO_HARTS may say more: the first ones)

// A hart's counters at one refresh (NX_HART_BUSY_NS, NX_HART_IDLE_NS).
struct hart_sample {
    uint64_t busy_ns, idle_ns;
};

// The hart's load between two samples: busy time over busy + idle time, in whole percent
// (rounded to nearest, 0..100). A counter that went backwards (the kernel's counters never do,
// but a hart's may be read before it started) counts as no time; no time at all is 0 %.
unsigned fig_load_percent(struct hart_sample before, struct hart_sample now);
// "Memory: U of T pages used (F free, 4 KiB each)".
void fig_memory(long total, long free_pages, char *out, size_t cap);
// "Up 1 h 02 min 03 s" (hours only when there are some).
void fig_uptime(uint64_t ns, char *out, size_t cap);
// "Load:  hart 0 12 %  hart 1 3 %" for n loads.
void fig_harts(const unsigned *load, size_t n, char *out, size_t cap);
// "Disk: 1.5 of 60.0 MiB used (2 %)" for blocks of block_size bytes, free of them free;
// "Disk: none" when there are no blocks (no disk mounted).
void fig_disk(uint64_t block_size, uint64_t blocks, uint64_t free_blocks, char *out, size_t cap);

// ---- read from the system (figures_live.c) ----

// The harts' counters at the last reading, to measure each one's load against.
struct fig_harts {
    struct hart_sample last[FIG_HARTS_MAX];
    size_t n;
};

// How many harts there are (at most FIG_HARTS_MAX); the first line measures since boot.
void fig_harts_start(struct fig_harts *h);
// Each hart's load since the last reading (fig_harts' text); the counters kept for the next.
void fig_harts_line(struct fig_harts *h, char *out, size_t cap);
// The kernel's page counts as fig_memory's text.
void fig_memory_line(char *out, size_t cap);
// The file system service's NX_FS_STATFS (through any directory handle the program holds) as
// fig_disk's text; "Disk: unknown (error)" when the call fails.
void fig_disk_line(char *out, size_t cap);
// The monotonic clock as fig_uptime's text.
void fig_uptime_line(char *out, size_t cap);

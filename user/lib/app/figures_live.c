// The live figures read from the system (figures.h).
#include <stdio.h>
#include <nx/file.h>
#include <nx/fs.h>
#include <nx/nx.h>
#include "figures.h"

static struct hart_sample hart_now(unsigned hart)
{
    return (struct hart_sample){
        (uint64_t)nx_system_info(NX_INFO_HART(hart, NX_HART_BUSY_NS)),
        (uint64_t)nx_system_info(NX_INFO_HART(hart, NX_HART_IDLE_NS)),
    };
}

void fig_harts_start(struct fig_harts *h)
{
    long harts = nx_system_info(NX_INFO_HARTS);
    h->n = harts < 1 ? 1 : harts > FIG_HARTS_MAX ? FIG_HARTS_MAX : (size_t)harts;
    for (size_t i = 0; i < h->n; i++)
        h->last[i] = (struct hart_sample){ 0, 0 };
}

void fig_harts_line(struct fig_harts *h, char *out, size_t cap)
{
    unsigned loads[FIG_HARTS_MAX];
    for (size_t i = 0; i < h->n; i++) {
        struct hart_sample now = hart_now((unsigned)i);
        loads[i] = fig_load_percent(h->last[i], now);
        h->last[i] = now;
    }
    fig_harts(loads, h->n, out, cap);
}

void fig_memory_line(char *out, size_t cap)
{
    fig_memory(nx_system_info(NX_INFO_TOTAL_PAGES), nx_system_info(NX_INFO_FREE_PAGES), out, cap);
}

void fig_disk_line(char *out, size_t cap)
{
    struct nx_fs_statfs sf;
    long err = nx_fs_statfs(&sf);
    if (err)
        snprintf(out, cap, "Disk: unknown (%ld)", err);
    else
        fig_disk(sf.block_size, sf.blocks, sf.blocks_free, out, cap);
}

void fig_uptime_line(char *out, size_t cap)
{
    fig_uptime((uint64_t)nx_clock_get(), out, cap);
}

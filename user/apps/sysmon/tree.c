// The session's processes through the kernel (tree.h).
#include <string.h>
#include <nx/nx.h>
#include "tree.h"

#define TREE_MAX 256

static uint32_t pids[TREE_MAX];

static void fill_entry(struct nx_proc_entry *e, const struct nx_process_info *info)
{
    memset(e, 0, sizeof *e);
    e->pid = info->pid;
    e->state = info->state == NX_PROC_DEAD ? NX_PROC_ENTRY_EXITED : NX_PROC_ENTRY_RUNNING;
    e->priority = info->priority;
    e->budget_pages = info->budget_pages;
    e->used_pages = info->used_pages;
    e->exit_status = info->exit_status;
    memcpy(e->name, info->name, sizeof e->name < sizeof info->name ? sizeof e->name
                                                                     : sizeof info->name);
    e->threads = info->threads;
    memcpy(e->thread_hart, info->thread_hart, sizeof e->thread_hart);
}

long tree_list(nx_handle_t root, struct nx_proc_entry *out, size_t cap)
{
    long count = nx_process_tree(root, pids, TREE_MAX);
    if (count < 0)
        return count;
    size_t n = 0;
    for (long i = 0; i < count && i < TREE_MAX && n < cap; i++) {
        long h = nx_process_descendant(root, pids[i], NX_RIGHT_READ);
        struct nx_process_info info;
        if (h < 0)
            continue;
        if (nx_process_info((nx_handle_t)h, &info) == NX_OK)
            fill_entry(&out[n++], &info);
        nx_handle_close((nx_handle_t)h);
    }
    return (long)n;
}

// Walks of a process's tree (process_tree.h).
#include <stddef.h>
#include "process.h"
#include "process_tree.h"

struct process *process_tree_next(const struct process *root, const struct process *q)
{
    if (q->children)
        return q->children;
    for (; q != root; q = q->creator)
        if (q->next_sibling)
            return q->next_sibling;
    return NULL;
}

struct process *process_tree_find(struct process *root, uint32_t pid)
{
    for (struct process *q = root; q; q = process_tree_next(root, q))
        if (q->pid == pid)
            return q;
    return NULL;
}

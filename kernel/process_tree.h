#pragma once
// A process's tree: the process itself and every live process it created, theirs, and so on:
// exactly what ends with it (process_end). Whoever holds a handle to a process reaches its
// tree through that handle (nx_process_tree, nx_process_descendant): a login session's
// process handle makes the user's processes the session's own (docs/login.md).
#include <stdint.h>

struct process;

// The process after q in root's tree, in pre-order (root first), or NULL after the last.
// No stack and no recursion: each step goes down one edge, or across, or up.
struct process *process_tree_next(const struct process *root, const struct process *q);
// The process of that pid in root's tree, or NULL.
struct process *process_tree_find(struct process *root, uint32_t pid);

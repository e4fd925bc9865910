#pragma once
// The session's processes: the tree of the process handle "procs" (the desktop's own: every
// process of the user's session descends from it; docs/apps.md), read and killed through the
// kernel (nx_process_tree, nx_process_descendant) rather than init's proc service.
#include <stddef.h>
#include <nexus/handle.h>
#include <nx/services.h>

// The tree's processes into out[0, cap) as proc entries (restarts 0, state running or
// exited): how many, or the error of nx_process_tree. One that ends meanwhile is left out.
long tree_list(nx_handle_t root, struct nx_proc_entry *out, size_t cap);
// Killed through nx_process_kill_descendant (nx/loader.h).

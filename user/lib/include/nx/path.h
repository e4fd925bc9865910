#pragma once
// Path arithmetic shared by the file system service (resolving a request under a directory
// handle) and libnx (resolving a program's path against the directories it was granted).
// Pure string work, host-tested (tests/host/test_path.c).
#include <stdbool.h>
#include <stddef.h>

// Canonical paths are absolute, have no empty, "." or ".." components and no trailing '/'
// ("/" itself, "/data/app").

// Join the relative path `rel` onto the canonical directory `root` into out[0..cap):
// "." and empty components are skipped, ".." steps back, but never above root. Errors:
// NX_ERR_ACCESS (rel is absolute, or a ".." would climb above root), NX_ERR_TOO_BIG (a
// component over NX_FS_NAME_MAX bytes, or the result does not fit).
long nx_path_resolve(const char *root, const char *rel, char *out, size_t cap);

// If the canonical path lies at or below the canonical directory dir, return the rest
// relative to it ("" for dir itself); else NULL. "/" holds everything.
const char *nx_path_below(const char *dir, const char *path);

// Split the canonical path into its parent directory (written to parent[0..cap)) and its last
// component (returned, pointing into path); NULL for "/" or if the parent does not fit.
const char *nx_path_split(const char *path, char *parent, size_t cap);

#pragma once
// The Files app's directory model (pure: host-tested in tests/host/test_listing.c): a
// bounded table of entries, sorted directories first, then by name (bytewise); sizes as
// people read them; paths joined and cut back to their parent within NX_FS_PATH_MAX.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/fs.h>

#define LISTING_MAX 512            // entries shown of one directory (more: the rest left out)
#define LISTING_ROW_BYTES 128      // an entry's line, NUL included

struct listing_entry {
    char name[NX_FS_NAME_MAX + 1];
    bool dir;
    uint64_t size;
};

struct listing {
    struct listing_entry e[LISTING_MAX];
    size_t n;
    bool truncated;                // more entries than LISTING_MAX
};

void listing_clear(struct listing *l);
// Adds an entry (skipping "." and ".."); false when the table is full (truncated set).
bool listing_add(struct listing *l, const char *name, size_t len, bool dir, uint64_t size);
void listing_sort(struct listing *l);
// "name/" for a directory, "name   1.5 KiB" for a file (cut to fit, NUL-terminated).
void listing_row(const struct listing_entry *e, char out[LISTING_ROW_BYTES]);
// "512 B", "1.5 KiB", "12.0 MiB", "3.2 GiB".
void listing_size(uint64_t bytes, char *out, size_t cap);
// dir + "/" + name into out[NX_FS_PATH_MAX]: NX_ERR_TOO_BIG (out unchanged) when too long.
long listing_join(const char *dir, const char *name, char out[NX_FS_PATH_MAX]);
// The parent of path, in place ("/a/b" -> "/a", "/a" -> "/"); false at "/".
bool listing_parent(char *path);

#pragma once
// Reader for cpio "newc" archives (the initramfs format; magic 070701, or
// 070702 whose checksum field is ignored). Freestanding: used by the kernel
// and built unchanged on the host for unit tests and fuzzing.
//
// The archive is untrusted: every field is checked to be hex, every size to
// stay inside archive[0..len). Entries point into the archive; nothing is
// copied or allocated.
#include <stddef.h>
#include <stdint.h>

#define CPIO_S_IFMT  0170000 // file type bits of cpio_entry.mode
#define CPIO_S_IFREG 0100000
#define CPIO_S_IFDIR 0040000
#define CPIO_S_IFLNK 0120000

struct cpio_entry {
    const char *name; // NUL-terminated, inside the archive, as stored (may start with "./")
    size_t namelen;   // strlen(name), > 0
    const void *data; // size bytes inside the archive
    size_t size;
    uint32_t mode;    // type (CPIO_S_IF*) and permission bits
};

enum {
    CPIO_OK = 0,
    CPIO_END = 1,          // reached the "TRAILER!!!" entry / lookup found nothing
    CPIO_E_TRUNCATED = -1, // an entry reaches past the end (or no trailer)
    CPIO_E_BADMAGIC = -2,  // not a newc header
    CPIO_E_BADHEX = -3,    // a header field has a non-hex digit
    CPIO_E_BADNAME = -4,   // empty name, or not exactly one NUL at its end
};

// Iterate: *pos starts at 0; returns CPIO_OK and fills *e, advancing *pos to
// the next entry; CPIO_END at the "TRAILER!!!" entry (*pos stays on it);
// negative on malformed input (*pos and *e untouched).
int cpio_next(const void *archive, size_t len, size_t *pos, struct cpio_entry *e);

// Look up a regular file by path ("hello", "./hello", "/bin/hello"): leading
// "./" and "/" are ignored on both the path and the archive names. Returns
// CPIO_OK (first match in *out), CPIO_END if there is no such regular file,
// or a negative error met while scanning up to the match.
// Hard links are not resolved: newc stores their data only with the last link.
int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *out);

// Drop the leading "./" and "/" of the n bytes at *s, as cpio_find does on both sides, so
// that "hello", "./hello" and "/hello" compare equal (libnx's index of the boot archive).
void cpio_strip_prefix(const char **s, size_t *n);

// Static, human-readable description of a CPIO_* code.
const char *cpio_strerror(int err);

// cpio "newc" archive reader (see cpio.h for the contract).
//
// Layout of one entry, every part starting 4-byte aligned relative to the
// start of the archive:
//   110-byte header: 6-byte magic + 13 fields of 8 ASCII hex digits
//   name (namesize bytes, including its NUL), zero padding to 4
//   data (filesize bytes), zero padding to 4
// The archive ends with an entry named "TRAILER!!!".
// Sizes come from the archive, so bounds are checked as "n > len - off"
// (off <= len always holds), which cannot overflow.
#include "lib/cpio.h"
#include "lib/string.h"

#include <stdbool.h>

#define MAGIC_LEN 6
#define FIELD_LEN 8
#define HDR_SIZE  (MAGIC_LEN + NFIELDS * FIELD_LEN)

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR,
       F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK, NFIELDS };

static const char trailer[] = "TRAILER!!!";

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Magic and all 13 fields; hdr has HDR_SIZE readable bytes.
static int parse_header(const char *hdr, uint32_t f[NFIELDS])
{
    // "070702" only differs by a data checksum, which we don't verify.
    if (memcmp(hdr, "070701", MAGIC_LEN) != 0 && memcmp(hdr, "070702", MAGIC_LEN) != 0)
        return CPIO_E_BADMAGIC;
    for (int i = 0; i < NFIELDS; i++) {
        const char *s = hdr + MAGIC_LEN + i * FIELD_LEN;
        uint32_t v = 0;
        for (int j = 0; j < FIELD_LEN; j++) {
            int d = hexval(s[j]);
            if (d < 0)
                return CPIO_E_BADHEX;
            v = v << 4 | (uint32_t)d;
        }
        f[i] = v;
    }
    return CPIO_OK;
}

// Step *off over n bytes plus padding to a multiple of 4, all within len.
static int skip(size_t len, size_t *off, size_t n)
{
    if (n > len - *off)
        return CPIO_E_TRUNCATED;
    *off += n;
    size_t pad = (4 - *off % 4) % 4;
    if (pad > len - *off)
        return CPIO_E_TRUNCATED;
    *off += pad;
    return CPIO_OK;
}

// The name must be non-empty and NUL-terminated exactly at namesize-1, so it
// is a C string whose length is known (embedded NULs would make names that
// compare differently as C strings and as byte ranges).
static bool name_ok(const char *name, size_t namesize)
{
    return namesize >= 2 && name[namesize - 1] == '\0' &&
           strnlen(name, namesize) == namesize - 1;
}

int cpio_next(const void *archive, size_t len, size_t *pos, struct cpio_entry *e)
{
    const char *a = archive;
    size_t off = *pos;
    uint32_t f[NFIELDS];

    if (off > len || len - off < HDR_SIZE)
        return CPIO_E_TRUNCATED;
    int err = parse_header(a + off, f);
    if (err != CPIO_OK)
        return err;
    off += HDR_SIZE;

    const char *name = a + off;
    size_t namesize = f[F_NAMESIZE];
    if (namesize == 0)
        return CPIO_E_BADNAME;
    if ((err = skip(len, &off, namesize)) != CPIO_OK)
        return err;
    if (!name_ok(name, namesize))
        return CPIO_E_BADNAME;

    const char *data = a + off;
    if ((err = skip(len, &off, f[F_FILESIZE])) != CPIO_OK)
        return err;

    if (namesize == sizeof(trailer) && memcmp(name, trailer, sizeof(trailer)) == 0)
        return CPIO_END; // *pos stays on the trailer: further calls return END too
    e->name = name;
    e->namelen = namesize - 1;
    e->data = data;
    e->size = f[F_FILESIZE];
    e->mode = f[F_MODE];
    *pos = off;
    return CPIO_OK;
}

void cpio_strip_prefix(const char **s, size_t *n)
{
    for (;;) {
        if (*n >= 2 && (*s)[0] == '.' && (*s)[1] == '/') {
            *s += 2;
            *n -= 2;
        } else if (*n >= 1 && (*s)[0] == '/') {
            *s += 1;
            *n -= 1;
        } else {
            return;
        }
    }
}

int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *out)
{
    size_t plen = strlen(path);
    cpio_strip_prefix(&path, &plen);
    if (plen == 0)
        return CPIO_END; // "", "/", "./": never a regular file

    // Each successful cpio_next() moves pos forward by >= HDR_SIZE: terminates.
    size_t pos = 0;
    struct cpio_entry e;
    int r;
    while ((r = cpio_next(archive, len, &pos, &e)) == CPIO_OK) {
        const char *n = e.name;
        size_t nlen = e.namelen;
        cpio_strip_prefix(&n, &nlen);
        if ((e.mode & CPIO_S_IFMT) == CPIO_S_IFREG && nlen == plen && memcmp(n, path, plen) == 0) {
            *out = e;
            return CPIO_OK;
        }
    }
    return r;
}

const char *cpio_strerror(int err)
{
    switch (err) {
    case CPIO_OK:          return "ok";
    case CPIO_END:         return "end of archive / not found";
    case CPIO_E_TRUNCATED: return "archive truncated";
    case CPIO_E_BADMAGIC:  return "not a newc cpio header";
    case CPIO_E_BADHEX:    return "bad hex digit in cpio header";
    case CPIO_E_BADNAME:   return "bad file name in cpio header";
    default:               return "unknown cpio error";
    }
}

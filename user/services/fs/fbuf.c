// Filebuffer bookkeeping (fbuf.h). Linear scans: both tables are small and an open or a
// path lookup is rare next to the reads and writes that go through mappings (a lookup
// compares path hashes first).
#include <string.h>
#include <nexus/errors.h>
#include <nx/path.h>
#include "fbuf.h"

// An id is slot + 1 in the low 16 bits and the slot's generation above them.
#define ID_SLOT_BITS 16

// FNV-1a: paths in one directory share their start, so comparing them costs their length.
static uint32_t path_hash(const char *path)
{
    uint32_t h = 2166136261u;
    while (*path)
        h = (h ^ (uint8_t)*path++) * 16777619u;
    return h;
}

static void set_path(struct fb_file *f, const char *path)
{
    strcpy(f->path, path);
    f->hash = path_hash(path);
}

int fb_find(const struct fb_table *t, const char *path)
{
    uint32_t h = path_hash(path);
    for (int i = 0; i < FB_MAX_FILES; i++)
        if (t->files[i].used && t->files[i].hash == h && !strcmp(t->files[i].path, path))
            return i;
    return -1;
}

static void drop_file(struct fb_table *t, struct fb_file *f)
{
    t->ops.release(t->ops.ctx, f);
    f->used = false;
}

bool fb_drop_idle(struct fb_table *t, const struct fb_file *keep)
{
    for (int i = 0; i < FB_MAX_FILES; i++) {
        struct fb_file *f = &t->files[i];
        if (f->used && f != keep && !f->opens && !f->dirty) {
            drop_file(t, f);
            return true;
        }
    }
    return false;
}

// A free slot, evicting a file nobody has open (and nobody wrote without a write-back) if
// need be.
static int free_slot(struct fb_table *t)
{
    do
        for (int i = 0; i < FB_MAX_FILES; i++)
            if (!t->files[i].used)
                return i;
    while (fb_drop_idle(t, NULL));
    return -1;
}

long fb_add(struct fb_table *t, const char *path, uint32_t vmo, uint64_t size,
            uint64_t capacity, bool sealed)
{
    int i = free_slot(t);
    if (i < 0 || strlen(path) >= NX_FS_PATH_MAX)
        return i < 0 ? NX_ERR_NO_SPACE : NX_ERR_TOO_BIG;
    struct fb_file *f = &t->files[i];
    *f = (struct fb_file){ .used = true, .vmo = vmo, .size = size, .valid = size,
                           .on_disk = size,
                           .capacity = capacity,
                           .sealed = sealed, .dev_id = -1 };
    set_path(f, path);
    return i;
}

// Close the first open whose client copy is gone; false if none.
static bool close_orphan(struct fb_table *t)
{
    for (int i = 0; t->ops.orphaned && i < FB_MAX_OPENS; i++) {
        struct fb_open *o = &t->opens[i];
        if (o->used && t->ops.orphaned(t->ops.ctx, o->parent)) {
            fb_close(t, o);
            return true;
        }
    }
    return false;
}

static int free_open(const struct fb_table *t)
{
    for (int i = 0; i < FB_MAX_OPENS; i++)
        if (!t->opens[i].used)
            return i;
    return -1;
}

long fb_open(struct fb_table *t, int file, uint32_t badge, bool write, uint32_t parent)
{
    int i = free_open(t);
    if (i < 0 && close_orphan(t))
        i = free_open(t);
    if (i < 0)
        return NX_ERR_NO_SPACE;
    struct fb_open *o = &t->opens[i];
    *o = (struct fb_open){ true, o->gen + 1, badge, file, write, parent };
    t->files[file].opens++;
    return (long)(((uint64_t)o->gen << ID_SLOT_BITS) | (uint64_t)(i + 1));
}

struct fb_open *fb_get(struct fb_table *t, uint64_t id, uint32_t badge)
{
    uint64_t slot = (id & ((1u << ID_SLOT_BITS) - 1)) - 1;
    if (slot >= FB_MAX_OPENS)
        return NULL;
    struct fb_open *o = &t->opens[slot];
    if (!o->used || o->gen != (uint32_t)(id >> ID_SLOT_BITS) || o->badge != badge)
        return NULL;
    return o;
}

void fb_close(struct fb_table *t, struct fb_open *o)
{
    t->ops.revoke(t->ops.ctx, o->parent);
    t->files[o->file].opens--;
    o->used = false;
}

int fb_forget(struct fb_table *t, const char *path)
{
    int i = fb_find(t, path), n = 0;
    if (i < 0)
        return 0;
    for (int k = 0; k < FB_MAX_OPENS; k++) {
        if (t->opens[k].used && t->opens[k].file == i) {
            fb_close(t, &t->opens[k]);
            n++;
        }
    }
    drop_file(t, &t->files[i]);
    return n;
}

struct fb_open *fb_next_of(struct fb_table *t, uint32_t badge, int *from)
{
    for (; *from < FB_MAX_OPENS; (*from)++)
        if (t->opens[*from].used && t->opens[*from].badge == badge)
            return &t->opens[(*from)++];
    return NULL;
}

// The path a cached file gets when from is renamed to to, or NX_ERR_NOT_FOUND if it lies
// outside from.
static long renamed(const char *path, const char *from, const char *to, char *out)
{
    const char *rest = nx_path_below(from, path);
    if (!rest)
        return NX_ERR_NOT_FOUND;
    return nx_path_resolve(to, rest, out, NX_FS_PATH_MAX);
}

long fb_rename(struct fb_table *t, const char *from, const char *to)
{
    char out[NX_FS_PATH_MAX];
    for (int pass = 0; pass < 2; pass++) {  // check every new path first, then change them
        for (int i = 0; i < FB_MAX_FILES; i++) {
            struct fb_file *f = &t->files[i];
            long err = f->used ? renamed(f->path, from, to, out) : NX_ERR_NOT_FOUND;
            if (err == NX_ERR_NOT_FOUND)
                continue;
            if (err)
                return err;
            if (pass)
                set_path(f, out);
        }
    }
    return NX_OK;
}

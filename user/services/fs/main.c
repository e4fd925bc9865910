// The file system service: the VFS (boot archive at /boot, the disk at /) and the
// filebuffers of open files (docs/storage.md). One thread serves everything; file data never
// passes through it after an open: clients map the page cache.
#include <string.h>
#include <nx/badges.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/services.h>
#include <nx/startup.h>
#include "fs.h"
#include "pages.h"

#define PAGE 4096ull
// The kernel's largest VMO (nx_vmo_create_paged: TOO_BIG over it).
#define VMO_MAX_BYTES (64ull << 30)

static struct fs_state st;

// The NUL-terminated path after a request's fixed header of hdr bytes, or NULL.
static const char *request_path(const struct nx_rpc_req *req, size_t hdr)
{
    const char *p = (const char *)req->data + hdr;
    size_t n = req->len - hdr;
    return n && p[n - 1] == '\0' && strlen(p) + 1 == n ? p : NULL;
}

// The canonical path of a request whose path follows hdr header bytes.
static long request_resolve(const struct nx_rpc_req *req, size_t hdr, char *out)
{
    const char *rel = request_path(req, hdr);
    return rel ? fs_resolve(&st, req->badge, rel, out) : NX_ERR_INVALID;
}

static uint64_t round_page(uint64_t n)
{
    return n ? (n + PAGE - 1) / PAGE * PAGE : PAGE;
}

// Load the file at path (info: its stat) into a new page cache of `capacity` bytes.
static long load_file(const char *path, const struct nx_fs_stat *info, uint64_t capacity)
{
    const char *rel;
    struct fs_mount *m = fs_mount_of(&st, path, &rel);
    uint64_t key = 0;
    // A paged VMO costs a slab object at any size; its page tables grow with the pages
    // touched (4 KiB nodes, within the cache's margin).
    long vmo = m->fill ? pages_make_room(&st, NULL, 1) : NX_OK;
    if (!vmo)
        vmo = m->fill ? pages_create(capacity, &key) : nx_vmo_create((long)capacity);
    if (vmo < 0)
        return vmo;
    long f = fb_add(&st.files, path, (uint32_t)vmo, info->size, capacity, m->read_only);
    if (f < 0) {
        nx_handle_close(vmo);
        return f;
    }
    st.files.files[f].key = key;
    st.files.files[f].ino = (uint32_t)info->ino;
    long err = m->load(m->ctx, rel, &st.files.files[f], &st.bytes_copied);
    if (!err && m->read_only)
        err = nx_vmo_seal(vmo);
    if (err)
        fb_forget(&st.files, path);
    return err ? err : f;
}

// A writer's page cache: room for the file to grow by the disk's free space, so that any
// file that fits the disk can be written in one open (capped at the kernel's largest VMO);
// its pages come and go with the cache (pages.c), and address space costs nothing until used.
static uint64_t write_capacity(uint64_t size)
{
    uint64_t free = st.disk ? st.disk->free_bytes(st.disk->ctx) : 0;
    uint64_t capacity = round_page(size) + free / PAGE * PAGE;
    return capacity < VMO_MAX_BYTES ? capacity : VMO_MAX_BYTES;
}

// The cached file at path, loading it on first use; a writer needs room to grow, so a page
// cache too small for it is replaced while nobody has it open. One in use that a writer's
// open made (room past the file) is shared as it is: the disk's free space may have grown
// since, and the new writer grows the file as far as that room goes.
static long cached_file(const char *path, const struct nx_fs_stat *info, bool write)
{
    uint64_t capacity = write ? write_capacity(info->size) : round_page(info->size);
    int i = fb_find(&st.files, path);
    const struct fb_file *f = i >= 0 ? &st.files.files[i] : NULL;
    bool busy = f && (f->opens || f->dirty);
    if (f && (f->capacity >= capacity || (busy && f->capacity > round_page(f->size))))
        return i;
    if (busy)
        return NX_ERR_BAD_STATE;
    if (i >= 0)
        fb_forget(&st.files, path);
    return load_file(path, info, capacity);
}

// stat the file an open names, creating it first if asked to (one walk of the path).
static long open_stat(const char *path, const struct nx_fs_open *q, struct nx_fs_stat *info)
{
    const char *rel;
    struct fs_mount *m = fs_mount_of(&st, path, &rel);
    bool create = q->flags & NX_FS_CREATE;
    if (create && m && m->create)
        return m->create(m->ctx, rel, q->mode, q->flags & NX_FS_EXCL, info);
    long err = fs_stat(&st, path, info);
    if (!err && create && (q->flags & NX_FS_EXCL))
        return NX_ERR_BAD_STATE;
    return err == NX_ERR_NOT_FOUND && create ? NX_ERR_ACCESS : err;
}

// A writer may use the file: not sealed, on a writable mount; TRUNC empties it.
static long open_for_writing(const char *path, struct fb_file *f, uint32_t flags)
{
    const char *rel;
    struct fs_mount *m = fs_mount_of(&st, path, &rel);
    if (f->sealed || !m->fill)
        return NX_ERR_ACCESS;
    f->dirty = true;
    return flags & NX_FS_TRUNC && f->size ? pages_shrink(&st, f, 0) : NX_OK;
}

// Reply to an open: the id and sizes, and a copy of parent (the client's VMO handle).
static void open_reply(struct nx_rpc_req *req, long id, const struct fb_file *f,
                       long parent, uint32_t rights)
{
    struct nx_fs_open_rep rep = { (uint64_t)id, f->size, f->capacity };
    memcpy(req->reply, &rep, sizeof(rep));
    req->reply_len = sizeof(rep);
    req->reply_handles = (struct nx_rpc_handles){ 1, { (nx_handle_t)parent },
                                                  { rights | NX_XFER_COPY } };
}

static long op_open(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_fs_open q;
    struct nx_fs_stat info;
    char path[NX_FS_PATH_MAX];
    memcpy(&q, req->data, sizeof(q));
    bool write = (q.flags & NX_FS_ACCMODE) != NX_FS_RDONLY;
    long err = request_resolve(req, sizeof(q), path);
    if (!err)
        err = open_stat(path, &q, &info);
    if (!err && (info.mode & NX_FS_S_IFMT) != NX_FS_S_IFREG)
        err = NX_ERR_BAD_STATE;
    long f = err ? err : cached_file(path, &info, write);
    if (f < 0)
        return f;
    struct fb_file *file = &st.files.files[f];
    err = write ? open_for_writing(path, file, q.flags) : NX_OK;
    if (err)
        return err;
    // A reader may pass its view on (to a child: nx_file_share); a writer's handle stays
    // with the open whose writes the service writes back (docs/storage.md, "Filebuffers").
    uint32_t rights = write ? NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP
                            : NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER;
    long parent = nx_handle_duplicate(file->vmo, rights | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
    long id = parent < 0 ? parent : fb_open(&st.files, (int)f, (uint32_t)req->badge, write,
                                            (uint32_t)parent);
    if (id < 0) {
        if (parent >= 0)
            nx_handle_close(parent);
        return id;
    }
    open_reply(req, id, file, parent, rights);
    return NX_OK;
}

// The open a request names, or NULL.
static struct fb_open *request_open(const struct nx_rpc_req *req)
{
    uint64_t id;
    memcpy(&id, req->data, sizeof(id));
    return fb_get(&st.files, id, (uint32_t)req->badge);
}

// Write file f back: the pages written since the last write-back (pages.c). `dirty` then
// stays only while a writer other than `closing` has it open (it keeps the file cached, and
// sync writes it back again).
static long write_file(int f, const struct fb_open *closing)
{
    struct fb_file *file = &st.files.files[f];
    long err = pages_writeback(&st, file, true);
    if (err)
        return err;
    file->dirty = false;
    for (int i = 0; i < FB_MAX_OPENS; i++) {
        const struct fb_open *o = &st.files.opens[i];
        file->dirty |= o->used && o != closing && o->file == f && o->write;
    }
    return NX_OK;
}

// What fsync and close do: a writer's file goes back to the disk.
static long writeback(const struct fb_open *o)
{
    return o->write ? write_file(o->file, o) : NX_OK;
}

static long op_close(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct fb_open *o = request_open(req);
    long err = o ? writeback(o) : NX_ERR_NOT_FOUND;
    if (o)
        fb_close(&st.files, o);
    return err;
}

static long op_fsync(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    const struct fb_open *o = request_open(req);
    return o ? writeback(o) : NX_ERR_NOT_FOUND;
}

// A process ended (init only): close its opens, writing writers' files back.
static long op_disconnect(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    uint32_t badge;
    long err = nx_badge_req_take(req, &badge);
    int from = 0;
    long n = 0;
    for (struct fb_open *o; !err && (o = fb_next_of(&st.files, badge, &from)); n++) {
        writeback(o);
        fb_close(&st.files, o);
    }
    return err ? err : n;
}

static long op_resize(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_fs_resize q;
    memcpy(&q, req->data, sizeof(q));
    struct fb_open *o = request_open(req);
    if (!o)
        return NX_ERR_NOT_FOUND;
    struct fb_file *f = &st.files.files[o->file];
    if (!o->write)
        return NX_ERR_ACCESS;
    if (q.size > f->capacity)   // past the disk's free space at the open, or past any file
        return q.size > VMO_MAX_BYTES ? NX_ERR_TOO_BIG : NX_ERR_FULL;
    f->dirty = true;
    if (q.size < f->size)
        return pages_shrink(&st, f, q.size);
    return pages_grow(f, q.size);   // the pages past the old size come on first touch
}

static long op_stat(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    char path[NX_FS_PATH_MAX];
    struct nx_fs_stat info;
    long err = request_resolve(req, 0, path);
    if (!err)
        err = fs_stat(&st, path, &info);
    if (err)
        return err;
    int f = fb_find(&st.files, path);
    if (f >= 0)
        info.size = st.files.files[f].size;   // a writer's size before its write-back
    memcpy(req->reply, &info, sizeof(info));
    req->reply_len = sizeof(info);
    return NX_OK;
}

// The root lists the boot archive's mount point before the disk's entries. The records are
// built in a buffer of their own: req->reply is the IPC buffer, which every call the disk
// makes to the block driver overwrites.
static long op_readdir(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    static uint8_t out[NX_MSG_BYTES_MAX];
    struct nx_fs_readdir q;
    char path[NX_FS_PATH_MAX];
    const char *rel;
    memcpy(&q, req->data, sizeof(q));
    long err = request_resolve(req, sizeof(q), path);
    if (err)
        return err;
    struct fs_mount *m = fs_mount_of(&st, path, &rel);
    bool root = !strcmp(path, "/");
    size_t len = 0, more = 0;
    long n = 0;
    if (root && q.index == 0)
        n = !fs_dirent_put(out, sizeof(out), &len, NX_FS_BOOT, strlen(NX_FS_BOOT),
                           NX_FS_DT_DIR, 0);
    if (m) {
        long k = m->readdir(m->ctx, rel, q.index - (q.index && root), out + len,
                            sizeof(out) - len, &more);
        if (k < 0)
            return k;
        n += k;
    }
    req->reply_len = len + more;
    memcpy(req->reply, out, req->reply_len);
    return n;
}

static long op_opendir(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    char path[NX_FS_PATH_MAX];
    long err = request_resolve(req, 0, path);
    return err ? err : fs_opendir(&st, path, &req->reply_handles);
}

// The canonical path of a request that is only a path, and the mount holding it (NULL: none).
static long request_mount(const struct nx_rpc_req *req, char *path, struct fs_mount **m,
                          const char **rel)
{
    long err = request_resolve(req, 0, path);
    *m = err ? NULL : fs_mount_of(&st, path, rel);
    return err;
}

static long op_mkdir(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    char path[NX_FS_PATH_MAX];
    const char *rel;
    struct fs_mount *m;
    long err = request_mount(req, path, &m, &rel);
    return err ? err : m && m->mkdir ? m->mkdir(m->ctx, rel) : NX_ERR_ACCESS;
}

// Removing a file revokes every client's handle to its filebuffer.
static long op_unlink(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    char path[NX_FS_PATH_MAX];
    const char *rel;
    struct fs_mount *m;
    long err = request_mount(req, path, &m, &rel);
    if (!err)
        err = m && m->remove && *rel ? m->remove(m->ctx, rel) : NX_ERR_ACCESS;
    if (!err)
        fb_forget(&st.files, path);
    return err;
}

static long op_rename(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    char from[NX_FS_PATH_MAX], to[NX_FS_PATH_MAX];
    const char *a = (const char *)req->data, *b = a + strnlen(a, req->len) + 1, *ra, *rb;
    if ((size_t)(b - a) >= req->len || !request_path(req, (size_t)(b - a)))
        return NX_ERR_INVALID;
    long err = fs_resolve(&st, req->badge, a, from);
    if (!err)
        err = fs_resolve(&st, req->badge, b, to);
    if (err)
        return err;
    struct fs_mount *m = fs_mount_of(&st, from, &ra);
    if (!m || m != fs_mount_of(&st, to, &rb) || !m->rename || !*ra || !*rb)
        return NX_ERR_ACCESS;
    err = m->rename(m->ctx, ra, rb);
    if (err)
        return err;
    fb_forget(&st.files, to);   // a file the rename replaced is gone: its opens are revoked
    return fb_rename(&st.files, from, to);
}

static long op_statfs(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_fs_statfs sf = { .block_size = PAGE };
    if (st.disk)
        st.disk->statfs(st.disk->ctx, &sf);
    sf.fs_bytes_copied = st.bytes_copied;
    if (pages_budget(&sf.cache_bytes, &sf.cache_free_bytes) == NX_OK) {
        sf.cache_bytes *= PAGE;
        sf.cache_free_bytes *= PAGE;
    }
    for (int i = 0; i < FB_MAX_OPENS; i++)
        sf.open_files += st.files.opens[i].used;
    memcpy(req->reply, &sf, sizeof(sf));
    req->reply_len = sizeof(sf);
    return NX_OK;
}

// Every file writers have open goes back too (what they wrote through their mappings so
// far), then whatever else the disk holds: init asks for this before it powers off.
static long op_sync(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx, (void)req;
    long err = NX_OK;
    for (int f = 0; f < FB_MAX_FILES; f++)
        if (st.files.files[f].used && st.files.files[f].dirty && !err)
            err = write_file(f, NULL);
    return err ? err : st.disk ? st.disk->sync(st.disk->ctx) : NX_OK;
}

#define PATH_OP(op, hdr, fn) { op, (hdr) + 1, (hdr) + NX_FS_PATH_MAX, fn }
#define FILE_OP(op, type, fn) { op, sizeof(type), sizeof(type), fn }
static const struct nx_rpc_op ops[] = {
    PATH_OP(NX_FS_OPEN, sizeof(struct nx_fs_open), op_open),
    FILE_OP(NX_FS_CLOSE, struct nx_fs_file, op_close),
    FILE_OP(NX_FS_FSYNC, struct nx_fs_file, op_fsync),
    FILE_OP(NX_FS_RESIZE, struct nx_fs_resize, op_resize),
    PATH_OP(NX_FS_STAT, 0, op_stat),
    PATH_OP(NX_FS_READDIR, sizeof(struct nx_fs_readdir), op_readdir),
    PATH_OP(NX_FS_MKDIR, 0, op_mkdir),
    PATH_OP(NX_FS_UNLINK, 0, op_unlink),
    { NX_FS_RENAME, 4, 2 * NX_FS_PATH_MAX, op_rename },
    PATH_OP(NX_FS_OPENDIR, 0, op_opendir),
    { NX_FS_STATFS, 0, 0, op_statfs },
    { NX_FS_SYNC, 0, 0, op_sync },
    FILE_OP(NX_FS_DISCONNECT, struct nx_badge_req, op_disconnect),
};

static void revoke(void *ctx, uint32_t parent)
{
    (void)ctx;
    nx_handle_revoke(parent);
    nx_handle_close(parent);
}

static bool orphaned(void *ctx, uint32_t parent)
{
    (void)ctx;
    long info = nx_handle_info(parent);
    return info >= 0 && !(info & NX_HANDLE_INFO_DERIVED);
}

static void release(void *ctx, struct fb_file *f)
{
    (void)ctx;
    const char *rel;
    struct fs_mount *m = fs_mount_of(&st, f->path, &rel);
    if (f->key)
        pages_release(f);
    if (m)
        m->unload(m->ctx, f);
    nx_handle_close(f->vmo);
}

// The pager's notification (bound to the endpoint) fired: clients wait for pages.
static void on_signals(void *ctx, uint64_t bits)
{
    (void)ctx, (void)bits;
    pages_serve(&st);
}

// The disk at / if a block service was granted; a disk that cannot be mounted (blank, not
// ext2, corrupt) is reported and left out: /boot still works.
static void mount_disk(void)
{
    static struct fs_mount disk;
    nx_handle_t blk = nx_startup_handle("blk");
    const char *why;
    if (blk == NX_HANDLE_INVALID)
        return;
    long err = diskmnt_init(&disk, blk, &why);
    if (err) {
        nx_log(NX_LOG_WARN, "disk not mounted (%s, %ld): only /%s is served", why, err,
               NX_FS_BOOT);
        return;
    }
    st.disk = &disk;
}

int main(void)
{
    static struct nx_bootfs bootfs;
    st.serve = nx_startup_handle("serve");
    nx_handle_t archive = nx_startup_handle("bootfs");
    if (st.serve == NX_HANDLE_INVALID || archive == NX_HANDLE_INVALID ||
        nx_bootfs_open(archive, &bootfs) != NX_OK) {
        nx_printf("fs: needs the handles \"serve\" and \"bootfs\"\n");
        return 1;
    }
    bootmnt_init(&st.boot, &bootfs);
    st.files.ops = (struct fb_ops){ revoke, release, orphaned, NULL };
    long err = pages_init(&st);
    if (err) {
        nx_printf("fs: no pager (%ld)\n", err);
        return 1;
    }
    mount_disk();
    nx_log(NX_LOG_INFO, "file system up: /%s (boot archive)%s", NX_FS_BOOT,
           st.disk ? ", / (disk)" : "");
    const struct nx_rpc_server srv = { ops, sizeof(ops) / sizeof(ops[0]), NULL, on_signals };
    return (int)-nx_rpc_serve(st.serve, &srv);
}

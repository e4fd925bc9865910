// The file system service: the VFS (boot archive at /boot, the disk at /) and the
// filebuffers of open files (docs/storage.md). One thread serves everything; file data never
// passes through it after an open: clients map the page cache.
#include <string.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/startup.h>
#include "fs.h"

#define PAGE 4096ull

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

// The cached file at path, filling its page cache on first use.
static long cached_file(const char *path, const struct nx_fs_stat *info)
{
    int i = fb_find(&st.files, path);
    if (i >= 0)
        return i;
    const char *rel;
    struct fs_mount *m = fs_mount_of(&st, path, &rel);
    uint64_t cap = (info->size + PAGE - 1) / PAGE * PAGE;
    long vmo = nx_vmo_create((long)(cap ? cap : PAGE));
    if (vmo < 0)
        return vmo;
    long err = m->fill(m->ctx, rel, (nx_handle_t)vmo, info->size, &st.bytes_copied);
    if (!err && m->read_only)
        err = nx_vmo_seal(vmo);
    long f = err ? err : fb_add(&st.files, path, (uint32_t)vmo, info->size, cap, m->read_only);
    if (f < 0)
        nx_handle_close(vmo);
    return f;
}

static long op_open(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_fs_open q;
    struct nx_fs_stat info;
    char path[NX_FS_PATH_MAX];
    memcpy(&q, req->data, sizeof(q));
    long err = request_resolve(req, sizeof(q), path);
    if (!err)
        err = fs_stat(&st, path, &info);
    if (err)
        return err;
    if ((info.mode & NX_FS_S_IFMT) == NX_FS_S_IFDIR)
        return NX_ERR_BAD_STATE;
    bool write = (q.flags & NX_FS_ACCMODE) != NX_FS_RDONLY;
    long f = cached_file(path, &info);
    if (f < 0)
        return f;
    const struct fb_file *file = &st.files.files[f];
    if (write && file->sealed)
        return NX_ERR_ACCESS;
    uint32_t rights = NX_RIGHT_READ | NX_RIGHT_MAP | (write ? NX_RIGHT_WRITE : 0);
    long parent = nx_handle_duplicate(file->vmo, rights | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER);
    if (parent < 0)
        return parent;
    long id = fb_open(&st.files, (int)f, (uint32_t)req->badge, write, (uint32_t)parent);
    if (id < 0) {
        nx_handle_close(parent);
        return id;
    }
    struct nx_fs_open_rep rep = { (uint64_t)id, file->size, file->capacity };
    memcpy(req->reply, &rep, sizeof(rep));
    req->reply_len = sizeof(rep);
    req->reply_handles = (struct nx_rpc_handles){ 1, { (nx_handle_t)parent },
                                                  { rights | NX_XFER_COPY } };
    return NX_OK;
}

// The open a request names, or NULL.
static struct fb_open *request_open(const struct nx_rpc_req *req)
{
    uint64_t id;
    memcpy(&id, req->data, sizeof(id));
    return fb_get(&st.files, id, (uint32_t)req->badge);
}

static long op_close(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct fb_open *o = request_open(req);
    if (!o)
        return NX_ERR_NOT_FOUND;
    fb_close(&st.files, o);
    return NX_OK;
}

// Nothing to write back until a writable mount exists: a read-only file is never dirty.
static long op_fsync(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    return request_open(req) ? NX_OK : NX_ERR_NOT_FOUND;
}

static long op_resize(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct fb_open *o = request_open(req);
    if (!o)
        return NX_ERR_NOT_FOUND;
    return o->write ? NX_ERR_BAD_STATE : NX_ERR_ACCESS;
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
    memcpy(req->reply, &info, sizeof(info));
    req->reply_len = sizeof(info);
    return NX_OK;
}

// The root lists the boot archive's mount point before the disk's entries.
static long op_readdir(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_fs_readdir q;
    char path[NX_FS_PATH_MAX];
    const char *rel;
    memcpy(&q, req->data, sizeof(q));
    long err = request_resolve(req, sizeof(q), path);
    if (err)
        return err;
    struct fs_mount *m = fs_mount_of(&st, path, &rel);
    size_t len = 0;
    long n = 0;
    if (!strcmp(path, "/") && q.index == 0) {
        fs_dirent_put(req->reply, NX_MSG_BYTES_MAX, &len, NX_FS_BOOT, strlen(NX_FS_BOOT),
                      NX_FS_DT_DIR, 0);
        n = 1;
    }
    if (m) {
        size_t more = 0;
        uint32_t index = q.index - (q.index && !strcmp(path, "/"));
        long k = m->readdir(m->ctx, rel, index, req->reply + len, NX_MSG_BYTES_MAX - len, &more);
        if (k < 0)
            return k;
        n += k;
        len += more;
    }
    req->reply_len = len;
    return n;
}

static long op_opendir(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    char path[NX_FS_PATH_MAX];
    long err = request_resolve(req, 0, path);
    return err ? err : fs_opendir(&st, path, &req->reply_handles);
}

static long op_statfs(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_fs_statfs sf = { .block_size = PAGE, .fs_bytes_copied = st.bytes_copied };
    for (int i = 0; i < FB_MAX_OPENS; i++)
        sf.open_files += st.files.opens[i].used;
    memcpy(req->reply, &sf, sizeof(sf));
    req->reply_len = sizeof(sf);
    return NX_OK;
}

// Changes to the tree need the disk; the boot archive never changes.
static long op_readonly(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    char path[NX_FS_PATH_MAX];
    long err = request_resolve(req, 0, path);
    return err ? err : NX_ERR_ACCESS;
}

static long op_sync(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx, (void)req;
    return NX_OK;
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
    PATH_OP(NX_FS_MKDIR, 0, op_readonly),
    PATH_OP(NX_FS_UNLINK, 0, op_readonly),
    { NX_FS_RENAME, 4, 2 * NX_FS_PATH_MAX, op_readonly },
    PATH_OP(NX_FS_OPENDIR, 0, op_opendir),
    { NX_FS_STATFS, 0, 0, op_statfs },
    { NX_FS_SYNC, 0, 0, op_sync },
};

static void revoke(void *ctx, uint32_t parent)
{
    (void)ctx;
    nx_handle_revoke(parent);
    nx_handle_close(parent);
}

static void release(void *ctx, uint32_t vmo)
{
    (void)ctx;
    nx_handle_close(vmo);
}

int main(void)
{
    st.serve = nx_startup_handle("serve");
    nx_handle_t archive = nx_startup_handle("bootfs");
    static struct nx_bootfs bootfs;
    if (st.serve == NX_HANDLE_INVALID || archive == NX_HANDLE_INVALID ||
        nx_bootfs_open(archive, &bootfs) != NX_OK) {
        nx_printf("fs: needs the handles \"serve\" and \"bootfs\"\n");
        return 1;
    }
    bootmnt_init(&st.boot, &bootfs);
    st.files.ops = (struct fb_ops){ revoke, release, NULL };
    nx_log(NX_LOG_INFO, "file system up: /%s (boot archive)", NX_FS_BOOT);
    const struct nx_rpc_server srv = { ops, sizeof(ops) / sizeof(ops[0]), NULL, NULL };
    return (int)-nx_rpc_serve(st.serve, &srv);
}

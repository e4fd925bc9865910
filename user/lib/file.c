// Files over the file system service (nx/file.h): the namespace, the descriptor table and
// the POSIX calls picolibc's stdio is built on.
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>
#include <nx/path.h>
#include <nx/rpc.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include "internal.h"
#include "socket_impl.h"

#define FD_BASE 3            // 0-2 are stdio's; sockets from NX_SOCKET_FD_BASE (socket.c)
_Static_assert(FD_BASE + NX_FILE_MAX <= NX_SOCKET_FD_BASE, "files and sockets apart");
#define FS_DEADLINE_NS 10000000000ull
#define DIR_PREFIX "dir:"

struct fd {
    bool used;
    nx_handle_t ep;          // the directory handle it was opened through
    uint64_t id;             // the service's open id
    nx_handle_t vmo;
    uint8_t *base;           // the mapping (capacity bytes)
    uint64_t size, capacity, pos;
    bool write;
    bool append;             // O_APPEND: every write goes to the end
};

static struct fd fds[NX_FILE_MAX];
static uint64_t copied;

static uint64_t deadline(void)
{
    return (uint64_t)nx_clock_get() + FS_DEADLINE_NS;
}

static int set_errno(long err)
{
    static const struct { long nx; int e; } map[] = {
        { NX_ERR_NOT_FOUND, ENOENT }, { NX_ERR_ACCESS, EACCES }, { NX_ERR_BAD_STATE, EISDIR },
        { NX_ERR_NO_SPACE, ENFILE }, { NX_ERR_TOO_BIG, EFBIG }, { NX_ERR_INVALID, EINVAL },
        { NX_ERR_NO_MEMORY, ENOMEM }, { NX_ERR_PEER_CLOSED, EPIPE }, { NX_ERR_FULL, ENOSPC },
    };
    errno = EIO;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].nx == err)
            errno = map[i].e;
    return -1;
}

// The working directory: its canonical path and a directory handle for it (the parent's
// "cwd" grant with PWD in the environment, or what chdir opened), or none: then relative
// paths are taken from "/".
static struct {
    bool known;
    char path[NX_FS_PATH_MAX];
    nx_handle_t dir;
} cwd = { false, "/", NX_HANDLE_INVALID };

static void cwd_from_startup(void)
{
    if (cwd.known)
        return;
    cwd.known = true;
    const char *pwd = getenv("PWD");
    nx_handle_t h = nx_startup_handle("cwd");
    if (pwd && *pwd == '/' && h != NX_HANDLE_INVALID &&
        nx_path_resolve("/", pwd + 1, cwd.path, sizeof(cwd.path)) == NX_OK)
        cwd.dir = h;
}

// The directory handle (granted, or the working directory's) whose directory holds the
// canonical path, and the path relative to it; the longest match wins.
static nx_handle_t namespace_find(const char *path, const char **rel)
{
    nx_handle_t best = NX_HANDLE_INVALID;
    size_t best_len = 0;
    cwd_from_startup();
    for (size_t i = 0; i <= nx_startup_handle_count(); i++) {
        const char *name = "", *dir;
        nx_handle_t h = i < nx_startup_handle_count() ? nx_startup_handle_at(i, &name) : cwd.dir;
        if (i == nx_startup_handle_count())
            dir = h != NX_HANDLE_INVALID ? cwd.path : NULL;
        else
            dir = !strcmp(name, "fs") ? "/" : !strncmp(name, DIR_PREFIX, 4) ? name + 4 : NULL;
        const char *r = dir ? nx_path_below(dir, path) : NULL;
        if (r && (best == NX_HANDLE_INVALID || strlen(dir) > best_len)) {
            best = h;
            best_len = strlen(dir);
            *rel = r;
        }
    }
    return best;
}

// A program's path (absolute, or relative to the working directory) made canonical.
static long canonical(const char *path, char *out, size_t cap)
{
    char joined[2 * NX_FS_PATH_MAX + 2];
    cwd_from_startup();
    size_t dl = strlen(cwd.path), pl = strlen(path);
    if (*path != '/' && dl + pl + 2 <= sizeof(joined)) {
        memcpy(joined, cwd.path, dl);
        joined[dl] = '/';
        memcpy(joined + dl + 1, path, pl + 1);
        path = joined;
    }
    while (*path == '/')
        path++;
    return nx_path_resolve("/", path, out, cap);
}

// Resolve a program's path into (handle, request bytes): hdr header bytes, then the
// relative path. Returns the request's length or an error.
static long request(const char *path, const void *hdr, size_t hlen, char *req, nx_handle_t *ep)
{
    char canon[NX_FS_PATH_MAX];
    const char *rel;
    long err = canonical(path, canon, sizeof(canon));
    if (err)
        return err;
    *ep = namespace_find(canon, &rel);
    if (*ep == NX_HANDLE_INVALID)
        return NX_ERR_ACCESS;
    memcpy(req, hdr, hlen);
    strcpy(req + hlen, rel);
    return (long)(hlen + strlen(rel) + 1);
}

long nx_fs_chdir(const char *path)
{
    char canon[NX_FS_PATH_MAX];
    nx_handle_t dir;
    long err = canonical(path, canon, sizeof(canon));
    if (!err)
        err = nx_fs_opendir(canon, &dir);
    if (err)
        return err;
    if (cwd.dir != NX_HANDLE_INVALID && cwd.dir != nx_startup_handle("cwd"))
        nx_handle_close(cwd.dir);
    cwd.dir = dir;
    strcpy(cwd.path, canon);
    return NX_OK;
}

const char *nx_fs_getcwd(void)
{
    cwd_from_startup();
    return cwd.path;
}

int chdir(const char *path)
{
    long err = nx_fs_chdir(path);
    return err ? set_errno(err) : 0;
}

char *getcwd(char *buf, size_t size)
{
    const char *p = nx_fs_getcwd();
    if (strlen(p) >= size) {
        errno = ERANGE;
        return NULL;
    }
    return strcpy(buf, p);
}

// A call about a path: reply bytes into rep[0..cap).
static long path_call(uint32_t op, const char *path, const void *hdr, size_t hlen, void *rep,
                      size_t cap, struct nx_rpc_handles *recv)
{
    char req[NX_FS_PATH_MAX + 16];
    nx_handle_t ep;
    long len = request(path, hdr, hlen, req, &ep);
    if (len < 0)
        return len;
    struct nx_rpc_call c = { .op = op, .req = req, .req_len = (size_t)len, .rep = rep,
                             .rep_cap = cap, .deadline = deadline() };
    long err = nx_rpc(ep, &c);
    if (recv)
        *recv = c.recv;
    else
        nx_rpc_close_handles(&c.recv);
    return err;
}

static struct fd *fd_get(int fd)
{
    unsigned i = (unsigned)(fd - FD_BASE);
    return i < NX_FILE_MAX && fds[i].used ? &fds[i] : NULL;
}

static long file_call(const struct fd *f, uint32_t op, uint64_t arg)
{
    struct nx_fs_resize q = { f->id, arg };
    size_t len = op == NX_FS_RESIZE ? sizeof(q) : sizeof(struct nx_fs_file);
    return nx_rpc_call(f->ep, op, &q, len, NULL, 0, deadline());
}

// Map the filebuffer the service sent with an open.
static long fd_map(struct fd *f, const struct nx_fs_open_rep *rep, nx_handle_t vmo)
{
    long prot = NX_PROT_READ | (f->write ? NX_PROT_WRITE : 0);
    long va = nx_vm_map(nx_self, vmo, 0, 0, (long)rep->capacity, prot);
    if (va < 0)
        return va;
    f->vmo = vmo;
    f->base = (uint8_t *)va;
    f->id = rep->file;
    f->size = rep->size;
    f->capacity = rep->capacity;
    f->pos = 0;
    return NX_OK;
}

int open(const char *path, int flags, ...)
{
    int i = 0;
    while (i < NX_FILE_MAX && fds[i].used)
        i++;
    if (i == NX_FILE_MAX) {
        errno = EMFILE;   // this process's descriptors (ENFILE: the service's opens)
        return -1;
    }
    struct nx_fs_open q = { (uint32_t)(flags & O_ACCMODE) | (flags & O_CREAT ? NX_FS_CREATE : 0) |
                            (flags & O_EXCL ? NX_FS_EXCL : 0) | (flags & O_TRUNC ? NX_FS_TRUNC : 0),
                            0644 };
    struct nx_fs_open_rep rep;
    struct nx_rpc_handles recv;
    char req[NX_FS_PATH_MAX + 16];
    struct fd *f = &fds[i];
    long len = request(path, &q, sizeof(q), req, &f->ep);
    if (len < 0)
        return set_errno(len);
    struct nx_rpc_call c = { .op = NX_FS_OPEN, .req = req, .req_len = (size_t)len, .rep = &rep,
                             .rep_cap = sizeof(rep), .deadline = deadline() };
    long err = nx_rpc(f->ep, &c);
    recv = c.recv;
    if (err >= 0 && (recv.count != 1 || c.rep_len != sizeof(rep)))
        err = NX_ERR_BAD_STATE;
    f->write = (flags & O_ACCMODE) != O_RDONLY;
    f->append = (flags & O_APPEND) != 0;
    if (err >= 0)
        err = fd_map(f, &rep, recv.h[0]);
    if (err < 0) {
        nx_rpc_close_handles(&recv);
        return set_errno(err);
    }
    f->used = true;
    return FD_BASE + i;
}

long nx_file_share(int fd, nx_handle_t *vmo, uint64_t *size)
{
    const struct fd *f = fd_get(fd);
    if (!f)
        return NX_ERR_BAD_HANDLE;
    if (f->write)
        return NX_ERR_ACCESS;
    long h = nx_handle_duplicate(f->vmo, NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_TRANSFER);
    if (h < 0)
        return h;
    *vmo = (nx_handle_t)h;
    *size = f->size;
    return NX_OK;
}

// Descriptors 0, 1, 2 are the standard streams (nx/stdio.h).
static ssize_t std_result(long r)
{
    return r < 0 ? set_errno(r) : (ssize_t)r;
}

ssize_t read(int fd, void *buf, size_t n)
{
    if (fd >= 0 && fd < FD_BASE)
        return std_result(nx_stdio_fd_read(fd, buf, n));
    if (fd >= NX_SOCKET_FD_BASE)
        return nx_socket_read(fd, buf, n);
    struct fd *f = fd_get(fd);
    if (!f)
        return set_errno(NX_ERR_BAD_HANDLE);
    if (f->pos >= f->size)
        return 0;
    if (n > f->size - f->pos)
        n = (size_t)(f->size - f->pos);
    memcpy(buf, f->base + f->pos, n);
    f->pos += n;
    copied += n;
    return (ssize_t)n;
}

long nx_file_write(int fd, const void *buf, size_t n)
{
    struct fd *f = fd_get(fd);
    if (!f || !f->write)
        return f ? NX_ERR_ACCESS : NX_ERR_BAD_HANDLE;
    if (f->append)
        f->pos = f->size;
    size_t done = 0;
    for (size_t k; done < n; done += k) {
        k = n - done < NX_FILE_WRITE_CHUNK ? n - done : NX_FILE_WRITE_CHUNK;
        if (f->pos < f->capacity && k > f->capacity - f->pos)
            k = (size_t)(f->capacity - f->pos);   // up to the capacity: a short write
        if (f->pos + k > f->size) {   // past the capacity the service says why not
            long err = file_call(f, NX_FS_RESIZE, f->pos + k);
            if (err < 0)
                return done ? (long)done : err;
            f->size = f->pos + k;
        }
        memcpy(f->base + f->pos, (const uint8_t *)buf + done, k);
        f->pos += k;
        copied += k;
    }
    return (long)done;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd >= 0 && fd < FD_BASE)
        return std_result(nx_stdio_fd_write(fd, buf, n));
    if (fd >= NX_SOCKET_FD_BASE)
        return nx_socket_write(fd, buf, n);
    long r = nx_file_write(fd, buf, n);
    return r < 0 ? set_errno(r) : (ssize_t)r;
}

off_t lseek(int fd, off_t off, int whence)
{
    struct fd *f = fd_get(fd);
    if (!f)
        return set_errno(NX_ERR_BAD_HANDLE);
    int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)f->pos : (int64_t)f->size;
    if (base + off < 0)
        return set_errno(NX_ERR_INVALID);
    f->pos = (uint64_t)(base + off);
    return (off_t)f->pos;
}

int close(int fd)
{
    if (fd >= NX_SOCKET_FD_BASE)
        return nx_socket_close(fd);
    struct fd *f = fd_get(fd);
    if (!f)
        return set_errno(NX_ERR_BAD_HANDLE);
    long err = file_call(f, NX_FS_CLOSE, 0);
    nx_vm_unmap(nx_self, (long)f->base, (long)f->capacity);
    nx_handle_close(f->vmo);
    f->used = false;
    return err < 0 ? set_errno(err) : 0;
}

void nx_file_forget(void)
{
    memset(fds, 0, sizeof(fds));
    cwd.known = true;
    cwd.dir = NX_HANDLE_INVALID;
    strcpy(cwd.path, "/");
}

void nx_file_close_all(void)
{
    for (int i = 0; i < NX_FILE_MAX; i++)
        if (fds[i].used)
            close(FD_BASE + i);
}

long nx_file_map(int fd, const void **data, uint64_t *size)
{
    struct fd *f = fd_get(fd);
    if (!f)
        return NX_ERR_BAD_HANDLE;
    *data = f->base;
    *size = f->size;
    return NX_OK;
}

long nx_file_fsync(int fd)
{
    struct fd *f = fd_get(fd);
    return f ? file_call(f, NX_FS_FSYNC, 0) : NX_ERR_BAD_HANDLE;
}

long nx_file_truncate(int fd, uint64_t size)
{
    struct fd *f = fd_get(fd);
    long err = f ? file_call(f, NX_FS_RESIZE, size) : NX_ERR_BAD_HANDLE;
    if (!err)
        f->size = size;
    return err;
}

uint64_t nx_file_bytes_copied(void)
{
    return copied;
}

long nx_fs_stat(const char *path, struct nx_fs_stat *st)
{
    return path_call(NX_FS_STAT, path, NULL, 0, st, sizeof(*st), NULL);
}

long nx_fs_readdir(const char *path, uint32_t index, void *buf, size_t cap)
{
    struct nx_fs_readdir q = { index };
    return path_call(NX_FS_READDIR, path, &q, sizeof(q), buf, cap, NULL);
}

long nx_fs_mkdir(const char *path)
{
    return path_call(NX_FS_MKDIR, path, NULL, 0, NULL, 0, NULL);
}

long nx_fs_unlink(const char *path)
{
    return path_call(NX_FS_UNLINK, path, NULL, 0, NULL, 0, NULL);
}

// Both paths must lie in one granted directory; the service gets them relative to it.
long nx_fs_rename(const char *from, const char *to)
{
    char a[NX_FS_PATH_MAX + 1], b[NX_FS_PATH_MAX + 1], req[2 * NX_FS_PATH_MAX];
    nx_handle_t ep, ep2;
    long la = request(from, NULL, 0, a, &ep), lb = la < 0 ? la : request(to, NULL, 0, b, &ep2);
    if (lb < 0)
        return lb;
    if (ep != ep2)
        return NX_ERR_ACCESS;
    memcpy(req, a, (size_t)la);
    memcpy(req + la, b, (size_t)lb);
    return nx_rpc_call(ep, NX_FS_RENAME, req, (size_t)(la + lb), NULL, 0, deadline());
}

// The whole-tree handle, or the first directory handle (statfs and sync speak of the
// whole service whichever handle asks).
static nx_handle_t any_handle(void)
{
    const char *rel;
    nx_handle_t h = namespace_find("/", &rel);
    for (size_t i = 0; h == NX_HANDLE_INVALID && i < nx_startup_handle_count(); i++) {
        const char *name;
        nx_handle_t c = nx_startup_handle_at(i, &name);
        if (!strncmp(name, DIR_PREFIX, 4))
            h = c;
    }
    return h;
}

long nx_fs_statfs(struct nx_fs_statfs *sf)
{
    return nx_rpc_call(any_handle(), NX_FS_STATFS, NULL, 0, sf, sizeof(*sf), deadline());
}

long nx_fs_sync(void)
{
    return nx_rpc_call(any_handle(), NX_FS_SYNC, NULL, 0, NULL, 0, deadline());
}

long nx_fs_opendir(const char *path, nx_handle_t *dir)
{
    struct nx_rpc_handles recv = { 0 };
    long err = path_call(NX_FS_OPENDIR, path, NULL, 0, NULL, 0, &recv);
    if (err >= 0 && recv.count != 1)
        err = NX_ERR_BAD_STATE;
    if (err < 0) {
        nx_rpc_close_handles(&recv);
        return err;
    }
    *dir = recv.h[0];
    return NX_OK;
}

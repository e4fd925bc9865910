#pragma once
// Files (docs/storage.md). A program names files by absolute path or relative to its
// working directory (below); libnx resolves each path against the directory handles the
// program was granted: "fs" (the whole tree, "/") and
// "dir:PATH" (PATH and below; the longest matching one wins). A path outside all of them is
// refused (NX_ERR_ACCESS) before any message is sent, and the file system service refuses it
// again whatever a program sends.
//
// POSIX open/read/write/lseek/close are provided on top (so picolibc's fopen, fread,
// fwrite, fclose work): an open file is a mapping of its filebuffer, so read and write are
// memcpy to and from the mapping, and nx_file_map gives the mapping itself (zero copies).
// Writes reach the disk at nx_file_fsync or close.
//
// A write of any length grows the file NX_FILE_WRITE_CHUNK bytes at a time (NX_FS_RESIZE,
// then the copy), so it stops where the file system service can hold no more: it returns
// the bytes written so far, or, when none were, fails with ENOMEM (NX_ERR_NO_MEMORY: the
// service's page cache is full, see nx_fs_statfs's cache_free_bytes), ENFILE (NX_ERR_NO_SPACE:
// past the open's capacity, the file's size and the disk's free space at the open) or EFBIG
// (NX_ERR_TOO_BIG: past the largest file, the kernel's largest VMO).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nx/fs.h>

#define NX_FILE_MAX 16   // files a process has open at once
#define NX_FILE_WRITE_CHUNK (1u << 20)   // bytes a write grows a file by per request

// write() with the file service's error: bytes written (short where the service refused
// more), or an NX_ERR_* when none were (NX_ERR_BAD_HANDLE, ACCESS: opened read-only,
// NO_SPACE, TOO_BIG, NO_MEMORY).
long nx_file_write(int fd, const void *buf, size_t n);

// Close every open file (a writer's data written back): the runtime does it at exit, since
// the file system keeps opens made through a directory handle after their process ends.
void nx_file_close_all(void);

// The file's mapping and its size now.
long nx_file_map(int fd, const void **data, uint64_t *size);
long nx_file_fsync(int fd);
// A handle to a read-only open's filebuffer for another process (e.g. a child, as a named
// startup handle): READ, MAP and TRANSFER, derived from the open's handle, so an unlink or a
// rename over the file revokes it too. *size = the file's size now. The receiver maps it
// read-only (nx_vm_map); it can never write the file. NX_ERR_ACCESS for an open that can
// write (docs/storage.md, "Filebuffers"), NX_ERR_BAD_HANDLE for a bad fd.
long nx_file_share(int fd, nx_handle_t *vmo, uint64_t *size);
long nx_file_truncate(int fd, uint64_t size);
// Replaces path with the bytes of parts[0, n), durable when it returns: they are written and
// fsynced under a temporary name beside it (".NAME" + suffix), renamed over path, and the
// rename synced; on any failure path is as it was (or absent) and the temporary is removed,
// never a half-written file under path. *created: whether the temporary could be created
// (when not, errno says why the open failed, and the result is NX_ERR_ACCESS).
// NX_ERR_TOO_BIG: the temporary's name is too long; else the file service's errors.
struct nx_file_part {
    const void *data;
    size_t len;
};
long nx_file_replace(const char *path, const char *suffix, const struct nx_file_part *parts,
                     size_t n, bool *created);
// Bytes read and written with read()/write() so far (copies made in this process).
uint64_t nx_file_bytes_copied(void);

long nx_fs_stat(const char *path, struct nx_fs_stat *st);
// Entries from index on as nx_fs_dirent records in buf[0..cap) (NX_MSG_BYTES_MAX is enough
// for at least one); returns how many (0: no more).
long nx_fs_readdir(const char *path, uint32_t index, void *buf, size_t cap);
long nx_fs_mkdir(const char *path);
long nx_fs_unlink(const char *path);
long nx_fs_rename(const char *from, const char *to);
long nx_fs_statfs(struct nx_fs_statfs *sf);
long nx_fs_sync(void);
// Read at most cap bytes of the file at path: how many, NX_ERR_NOT_FOUND (no such file, or
// it cannot be opened) or NX_ERR_IO.
long nx_file_read_whole(const char *path, void *buf, size_t cap);
// Replace the file at path with len bytes, whole or not at all (nx_file_replace, the
// temporary ".NAME.new" beside it): a crash leaves the old file or the new one (and perhaps
// a stray temporary, which the next write overwrites). NX_ERR_IO if it cannot be created.
long nx_file_write_whole(const char *path, const void *data, size_t len);

// A directory handle for path (to grant a child a smaller namespace).
long nx_fs_opendir(const char *path, nx_handle_t *dir);

// The working directory. Relative paths are taken from it; its directory handle joins the
// granted ones (so a program handed only "cwd" reaches that directory and below). A program
// starts in the directory its parent granted as "cwd", with its path in the environment as
// PWD (both, or it starts in "/"). nx_fs_chdir opens a directory handle for path (chdir()
// too): NX_ERR_NOT_FOUND, NX_ERR_BAD_STATE (not a directory), NX_ERR_ACCESS (outside what
// this program can reach).
long nx_fs_chdir(const char *path);
// Its canonical path ("/", "/data/app").
const char *nx_fs_getcwd(void);

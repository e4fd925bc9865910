#pragma once
// Files (docs/storage.md). A program names files by absolute path; libnx resolves each path
// against the directory handles the program was granted: "fs" (the whole tree, "/") and
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
#include <stddef.h>
#include <stdint.h>
#include <nx/fs.h>

#define NX_FILE_MAX 16   // files a process has open at once
#define NX_FILE_WRITE_CHUNK (1u << 20)   // bytes a write grows a file by per request

// write() with the file service's error: bytes written (short where the service refused
// more), or an NX_ERR_* when none were (NX_ERR_BAD_HANDLE, ACCESS: opened read-only,
// NO_SPACE, TOO_BIG, NO_MEMORY).
long nx_file_write(int fd, const void *buf, size_t n);

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
// A directory handle for path (to grant a child a smaller namespace).
long nx_fs_opendir(const char *path, nx_handle_t *dir);

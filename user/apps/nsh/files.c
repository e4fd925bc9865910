// File commands: cd, pwd, ls, write, cp, mv, rm, mkdir, stat, df, sync. Each goes through libnx's
// file API (nx/file.h), so the shell sees what its `fs` grant lets it see. cat and cp read
// the file through its mapping: the bytes come from the page cache with no copy on the way.
// write and cp replace their destination whole or not at all (put_file).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>
#include "lineedit.h"
#include "nsh.h"

// Tenths of a MiB, for "%llu.%llu MiB".
#define MIB_TENTHS(bytes) (unsigned long long)((bytes) >> 20), \
                          (unsigned long long)(((bytes) & ((1u << 20) - 1)) * 10 >> 20)

// Why a file operation failed. The file system's page cache refusing is said so, with its
// size: df's free blocks say nothing about it. NX_ERR_FULL is the disk (blocks or inodes).
static int fs_failed(const char *cmd, const char *path, long err)
{
    struct nx_fs_statfs sf;
    if (err == NX_ERR_NO_MEMORY && nx_fs_statfs(&sf) == NX_OK)
        printf("nsh: %s: %s: the file system's cache is full (%llu.%llu MiB, "
               "%llu.%llu MiB free now)\n", cmd, path,
               MIB_TENTHS(sf.cache_bytes), MIB_TENTHS(sf.cache_free_bytes));
    else if (err == NX_ERR_FULL)
        printf("nsh: %s: %s: no space left on the disk (%ld)\n", cmd, path, err);
    else
        printf("nsh: %s: %s: %s (%ld)\n", cmd, path, nsh_error(err), err);
    return 1;
}

// After open failed: why (errno), "cannot what".
static int open_failed(const char *cmd, const char *path, const char *what)
{
    if (errno == ENOMEM)
        return fs_failed(cmd, path, NX_ERR_NO_MEMORY);
    printf("nsh: %s: %s: cannot %s (%s)\n", cmd, path, what, strerror(errno));
    return 1;
}

// "drwxr-xr-x"-style type and permissions.
static void mode_string(uint32_t mode, char out[11])
{
    static const char rwx[] = "rwxrwxrwx";
    uint32_t type = mode & NX_FS_S_IFMT;
    out[0] = type == NX_FS_S_IFDIR ? 'd' : type == NX_FS_S_IFLNK ? 'l' : '-';
    for (int i = 0; i < 9; i++)
        out[1 + i] = mode & (0400u >> i) ? rwx[i] : '-';
    out[10] = '\0';
}

static void print_long(const char *dir, const char *name)
{
    char path[NX_FS_PATH_MAX], mode[11];
    struct nx_fs_stat st;
    snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", name);
    if (nx_fs_stat(path, &st) != NX_OK) {
        printf("?????????? %s\n", name);
        return;
    }
    mode_string(st.mode, mode);
    printf("%s %3u %10llu %s\n", mode, st.nlink, (unsigned long long)st.size, name);
}

int cmd_ls(int argc, char **argv)
{
    bool lng = argc > 1 && !strcmp(argv[1], "-l");
    if (argc > 2 + lng)
        return nsh_usage("ls");
    const char *dir = argc > 1 + lng ? argv[1 + lng] : ".";
    uint8_t buf[NX_MSG_BYTES_MAX];
    uint32_t index = 0;
    for (;;) {
        long n = nx_fs_readdir(dir, index, buf, sizeof(buf));
        if (n < 0)
            return fs_failed("ls", dir, n);
        if (n == 0)
            return 0;
        const uint8_t *p = buf;
        for (long i = 0; i < n; i++, index++) {
            const struct nx_fs_dirent *d = (const void *)p;
            if (strcmp(d->name, ".") && strcmp(d->name, "..")) {
                if (lng)
                    print_long(dir, d->name);
                else
                    printf("%s%s\n", d->name, d->type == NX_FS_DT_DIR ? "/" : "");
            }
            p += d->reclen;
        }
    }
}

int cmd_cd(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/";
    long err = nx_fs_chdir(dir);
    if (err == NX_ERR_BAD_STATE)
        printf("nsh: cd: %s: not a directory\n", dir);
    else if (err)
        return fs_failed("cd", dir, err);
    return err != NX_OK;
}

int cmd_pwd(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("%s\n", nx_fs_getcwd());
    return 0;
}

// Open path and map it: returns the descriptor, or -1 after printing why.
static int open_mapped(const char *cmd, const char *path, const void **data, uint64_t *size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        open_failed(cmd, path, "open");
        return -1;
    }
    nx_file_map(fd, data, size);
    return fd;
}

// Replace path with data[0..len), durable when it returns. The bytes are written and fsynced
// under a temporary name, then renamed over path, so a failure leaves path as it was (or
// absent) and removes the temporary: never a half-written file under path.
static int put_file(const char *cmd, const char *path, const void *data, size_t len)
{
    struct nx_file_part part = { data, len };
    bool created;
    long err = nx_file_replace(path, ".nsh-tmp", &part, 1, &created);
    if (err && !created && err == NX_ERR_ACCESS)
        return open_failed(cmd, path, "create");
    return err ? fs_failed(cmd, path, err) : 0;
}

int cmd_write(int argc, char **argv)
{
    char text[LEDIT_LINE_MAX + 2] = "";  // the words of one line, rejoined
    for (int i = 2; i < argc; i++) {
        strcat(text, argv[i]);
        strcat(text, i + 1 < argc ? " " : "\n");
    }
    return put_file("write", argv[1], text, strlen(text));
}

int cmd_cp(int argc, char **argv)
{
    (void)argc;
    const void *data;
    uint64_t size;
    int fd = open_mapped("cp", argv[1], &data, &size);
    if (fd < 0)
        return 1;
    int r = put_file("cp", argv[2], data, (size_t)size);
    close(fd);
    return r;
}

int cmd_mv(int argc, char **argv)
{
    (void)argc;
    long err = nx_fs_rename(argv[1], argv[2]);
    return err ? fs_failed("mv", argv[1], err) : 0;
}

int cmd_rm(int argc, char **argv)
{
    (void)argc;
    long err = nx_fs_unlink(argv[1]);
    return err ? fs_failed("rm", argv[1], err) : 0;
}

int cmd_mkdir(int argc, char **argv)
{
    (void)argc;
    long err = nx_fs_mkdir(argv[1]);
    return err ? fs_failed("mkdir", argv[1], err) : 0;
}

int cmd_stat(int argc, char **argv)
{
    (void)argc;
    struct nx_fs_stat st;
    char mode[11];
    long err = nx_fs_stat(argv[1], &st);
    if (err)
        return fs_failed("stat", argv[1], err);
    mode_string(st.mode, mode);
    printf("%s: inode %llu, %s (%o), %u links, %llu bytes, uid %u gid %u, mtime %llu\n",
           argv[1], (unsigned long long)st.ino, mode, st.mode & 07777, st.nlink,
           (unsigned long long)st.size, st.uid, st.gid, (unsigned long long)st.mtime);
    return 0;
}

int cmd_df(int argc, char **argv)
{
    (void)argc, (void)argv;
    struct nx_fs_statfs sf;
    long err = nx_fs_statfs(&sf);
    if (err)
        return fs_failed("df", "/", err);
    printf("blocks of %llu bytes: %llu total, %llu free; inodes: %llu total, %llu free\n",
           (unsigned long long)sf.block_size, (unsigned long long)sf.blocks,
           (unsigned long long)sf.blocks_free, (unsigned long long)sf.inodes,
           (unsigned long long)sf.inodes_free);
    printf("open files %llu; bytes copied: %llu by the file system, %llu by the driver\n",
           (unsigned long long)sf.open_files, (unsigned long long)sf.fs_bytes_copied,
           (unsigned long long)sf.driver_bytes_copied);
    printf("file cache: %llu.%llu MiB, %llu.%llu MiB free\n",
           MIB_TENTHS(sf.cache_bytes), MIB_TENTHS(sf.cache_free_bytes));
    return 0;
}

int cmd_sync(int argc, char **argv)
{
    (void)argc, (void)argv;
    long err = nx_fs_sync();
    return err ? fs_failed("sync", "/", err) : 0;
}

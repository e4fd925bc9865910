// File commands: ls, cat, write, cp, mv, rm, mkdir, stat, df, sync. Each goes through libnx's
// file API (nx/file.h), so the shell sees what its `fs` grant lets it see. cat and cp read
// the file through its mapping: the bytes come from the page cache with no copy on the way.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>
#include "lineedit.h"
#include "nsh.h"

static int fs_failed(const char *cmd, const char *path, long err)
{
    printf("nsh: %s: %s: %s (%ld)\n", cmd, path, nsh_error(err), err);
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
    const char *dir = argc > 1 + lng ? argv[1 + lng] : "/";
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

// Open path and map it: returns the descriptor, or -1 after printing why.
static int open_mapped(const char *cmd, const char *path, const void **data, uint64_t *size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("nsh: %s: %s: cannot open (%s)\n", cmd, path, strerror(errno));
        return -1;
    }
    nx_file_map(fd, data, size);
    return fd;
}

int cmd_cat(int argc, char **argv)
{
    (void)argc;
    const void *data;
    uint64_t size;
    int fd = open_mapped("cat", argv[1], &data, &size);
    if (fd < 0)
        return 1;
    fwrite(data, 1, (size_t)size, stdout);
    fflush(stdout);
    close(fd);
    return 0;
}

// Create (or replace) path with data[0..len), durable when it returns.
static int put_file(const char *cmd, const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0) {
        printf("nsh: %s: %s: cannot create (%s)\n", cmd, path, strerror(errno));
        return 1;
    }
    long err = write(fd, data, len) == (ssize_t)len ? nx_file_fsync(fd) : NX_ERR_TOO_BIG;
    if (close(fd) < 0 && !err)
        err = NX_ERR_BAD_STATE;
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
    return 0;
}

int cmd_sync(int argc, char **argv)
{
    (void)argc, (void)argv;
    long err = nx_fs_sync();
    return err ? fs_failed("sync", "/", err) : 0;
}

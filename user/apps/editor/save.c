// The editor's file (save.h).
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/nx.h>
#include "save.h"

long editor_load(const char *path, struct textbuf *tb)
{
    struct nx_fs_stat st;
    long err = nx_fs_stat(path, &st);
    if (err)
        return err;
    if ((st.mode & NX_FS_S_IFMT) == NX_FS_S_IFDIR)
        return NX_ERR_BAD_STATE;
    if (st.size > tb->cap)
        return NX_ERR_TOO_BIG;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NX_ERR_NOT_FOUND;
    const void *data;
    uint64_t size;
    err = nx_file_map(fd, &data, &size);
    if (!err)
        err = textbuf_load(tb, data, (size_t)size);  // TOO_BIG if it grew meanwhile
    close(fd);
    return err;
}

long editor_save(const char *path, const struct textbuf *tb)
{
    const char *a, *b;
    size_t alen, blen;
    bool created;
    textbuf_spans(tb, &a, &alen, &b, &blen);
    struct nx_file_part parts[2] = { { a, alen }, { b, blen } };
    return nx_file_replace(path, ".editor-tmp", parts, 2, &created);
}

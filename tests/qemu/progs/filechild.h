#pragma once
// Shared by the QEMU test programs that hand a file to a copy of themselves (fsshare,
// fstrunc): start prog from the boot archive (granted as "bootfs") as "<prog>-child" with
// argv, the filebuffer handle `file` (given away) and copies of two notifications: "ready"
// (the child signals it) and "go" (the child waits on it).
#include <stdio.h>
#include <nx/bootfs.h>
#include <nx/loader.h>
#include <nx/startup.h>

static long start_file_child(const char *prog, const char **argv, int argc, nx_handle_t file,
                             nx_handle_t ready, nx_handle_t go, nx_handle_t *proc)
{
    struct nx_bootfs fs;
    const void *elf;
    size_t len;
    char name[32];
    long err = nx_bootfs_open(nx_startup_handle("bootfs"), &fs);
    if (!err)
        err = nx_bootfs_find(&fs, prog, &elf, &len);
    snprintf(name, sizeof(name), "%s-child", prog);
    struct nx_named_handle hs[] = {
        { "file", file },
        { "ready", (nx_handle_t)nx_handle_duplicate(ready, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER) },
        { "go", (nx_handle_t)nx_handle_duplicate(go, NX_RIGHT_WAIT | NX_RIGHT_TRANSFER) },
    };
    struct nx_load_params p = { .name = name, .argv = argv, .argc = argc,
                                .handles = hs, .nhandles = 3, .budget_pages = 128 };
    const char *why;
    if (!err)
        return nx_load(elf, len, &p, proc, &why);
    for (size_t i = 0; i < 3; i++)
        nx_handle_close(hs[i].handle);
    return err;
}

#pragma once
// Shared by the file system tests: a request sent straight to a directory handle, bypassing
// libnx's own path check, so that the service's check is what is tested.
#include <string.h>
#include <nx/fs.h>
#include <nx/rpc.h>

static long raw_stat(nx_handle_t dir, const char *rel)
{
    struct nx_fs_stat st;
    return nx_rpc_call(dir, NX_FS_STAT, rel, strlen(rel) + 1, &st, sizeof(st),
                       (uint64_t)nx_clock_get() + 5000000000ull);
}

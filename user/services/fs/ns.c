// Namespaces: directory handles and path resolution through them. A directory handle is a
// badge on the service's endpoint; the badge indexes a table of roots, and every path that
// comes through it is resolved below that root (nx_path_resolve refuses to climb out), so the
// handle is the whole of what its holder can name.
#include <string.h>
#include <nx/nx.h>
#include <nx/path.h>
#include "fs.h"

// Clients get call and pass-on rights; the service keeps DUPLICATE on its own copy so it can
// hand out copies, all derived from it (revoking it takes every copy away).
#define DIR_CLIENT_RIGHTS (NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER)

// A directory badge: NX_FS_DIR_BADGE, the slot's generation, the slot.
#define SLOT_BITS 8
#define GEN_MASK ((NX_FS_DIR_BADGE - 1) >> SLOT_BITS)

static uint32_t dir_badge(const struct fs_state *s, int i)
{
    return NX_FS_DIR_BADGE | (s->dirs[i].gen & GEN_MASK) << SLOT_BITS | (uint32_t)i;
}

static const char *root_of(struct fs_state *s, uint64_t badge)
{
    if (!(badge & NX_FS_DIR_BADGE))
        return "/";
    uint64_t i = badge & ((1u << SLOT_BITS) - 1);
    return i < FS_MAX_DIRS && s->dirs[i].used && badge == dir_badge(s, (int)i)
               ? s->dirs[i].root : NULL;
}

long fs_resolve(struct fs_state *s, uint64_t badge, const char *rel, char *out)
{
    const char *root = root_of(s, badge);
    return root ? nx_path_resolve(root, rel, out, NX_FS_PATH_MAX) : NX_ERR_ACCESS;
}

struct fs_mount *fs_mount_of(struct fs_state *s, const char *path, const char **rel)
{
    const char *r = nx_path_below("/" NX_FS_BOOT, path);
    if (r) {
        *rel = r;
        return &s->boot;
    }
    *rel = path + 1;
    return s->disk;
}

long fs_stat(struct fs_state *s, const char *path, struct nx_fs_stat *st)
{
    const char *rel;
    struct fs_mount *m = fs_mount_of(s, path, &rel);
    if (!m && !strcmp(path, "/")) {
        *st = (struct nx_fs_stat){ .mode = NX_FS_S_IFDIR | 0755, .nlink = 2 };
        return NX_OK;
    }
    return m ? m->stat(m->ctx, rel, st) : NX_ERR_NOT_FOUND;
}

// A slot no client handle comes from any more (each was closed, or its process ended: the
// kernel says so, NX_HANDLE_INFO_DERIVED), freed; or -1. Its next use has a new generation,
// so a message sent through a handle of the old one before it went names nothing.
static int reclaim_slot(struct fs_state *s)
{
    for (int i = 0; i < FS_MAX_DIRS; i++) {
        long info = s->dirs[i].used ? nx_handle_info(s->dirs[i].minted) : -1;
        if (info >= 0 && !(info & NX_HANDLE_INFO_DERIVED)) {
            nx_handle_close(s->dirs[i].minted);
            s->dirs[i].used = false;
            return i;
        }
    }
    return -1;
}

// The entry for root, reusing one already minted for the same directory, or one nobody holds
// a handle of any more.
static long dir_slot(struct fs_state *s, const char *root)
{
    int free = -1;
    for (int i = 0; i < FS_MAX_DIRS; i++) {
        if (s->dirs[i].used && !strcmp(s->dirs[i].root, root))
            return i;
        if (!s->dirs[i].used && free < 0)
            free = i;
    }
    if (free < 0)
        free = reclaim_slot(s);
    if (free < 0)
        return NX_ERR_NO_SPACE;
    s->dirs[free].gen++;
    long h = nx_endpoint_mint(s->serve, (long)dir_badge(s, free),
                              (long)(DIR_CLIENT_RIGHTS | NX_RIGHT_DUPLICATE));
    if (h < 0)
        return h;
    s->dirs[free].used = true;
    s->dirs[free].minted = (nx_handle_t)h;
    strcpy(s->dirs[free].root, root);
    return free;
}

long fs_opendir(struct fs_state *s, const char *path, struct nx_rpc_handles *reply)
{
    struct nx_fs_stat st;
    long err = fs_stat(s, path, &st);
    if (err)
        return err;
    if ((st.mode & NX_FS_S_IFMT) != NX_FS_S_IFDIR)
        return NX_ERR_BAD_STATE;
    long i = dir_slot(s, path);
    if (i < 0)
        return i;
    *reply = (struct nx_rpc_handles){ 1, { s->dirs[i].minted },
                                      { DIR_CLIENT_RIGHTS | NX_XFER_COPY } };
    return NX_OK;
}

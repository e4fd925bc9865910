// Pager system calls: handle lookups, argument checks and user copies around kernel/pager.c.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "notification.h"
#include "pager.h"
#include "process.h"
#include "syscall.h"
#include "thread.h"
#include "usercopy.h"
#include "vmo.h"
#include "lib/string.h"

// Rights of a paged VMO's first handle: an anonymous VMO's (vmo_syscalls.c) and MANAGE, the
// pager operations, which the pager drops from the handles it gives clients.
#define PAGED_VMO_RIGHTS (NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP | NX_RIGHT_EXECUTE | \
                          NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER | NX_RIGHT_DMA |           \
                          NX_RIGHT_MANAGE)

static int get_pager(uhandle_t h, uint32_t rights, struct pager **out)
{
    struct kobject *o;
    int err = syscall_get(h, NX_OBJ_PAGER, rights, &o, NULL);
    if (!err)
        *out = (struct pager *)o;  // the kobject comes first
    return err;
}

long sys_pager_create(uhandle_t notif, uint64_t bits)
{
    struct notification *n;
    int err = syscall_signal_target(notif, bits, &n);
    if (err)
        return err;
    struct pager *pg;
    err = syscall_room(1);
    if (err == NX_OK)
        err = pager_create(current_process, n, bits, &pg);
    return err ? err : syscall_install(&pg->obj, PAGER_RIGHTS);
}

long sys_vmo_create_paged(uhandle_t pager, uint64_t size, uint64_t key)
{
    struct pager *pg;
    int err = get_pager(pager, NX_RIGHT_MANAGE, &pg);
    if (err)
        return err;
    if (size == 0)
        return NX_ERR_INVALID;
    struct vmo *v;
    err = syscall_room(1);
    if (err == NX_OK)
        err = pager_vmo_create(pg, size, key, &current_process->budget, &v);
    if (err)
        return err;
    vmo_set_owner(v, &current_process->obj);
    return syscall_install(&v->obj, PAGED_VMO_RIGHTS);
}

long sys_pager_next(uhandle_t pager, uint64_t req)
{
    struct pager *pg;
    int err = get_pager(pager, NX_RIGHT_READ, &pg);
    if (err)
        return err;
    struct nx_pager_request r;
    err = user_check(current_process->root, req, sizeof(r), USER_WRITE);
    if (!err)  // the check may have waited: pg may be gone, look again
        err = get_pager(pager, NX_RIGHT_READ, &pg);
    if (!err)
        err = pager_next(pg, &r.key, &r.offset, &r.length);
    return err ? err : copy_to_user(current_process->root, req, &r, sizeof(r));
}

// The paged VMO h names (with MANAGE) and the pages of [offset, offset + size) in it.
static int get_range(uhandle_t h, uint64_t offset, uint64_t size, struct vmo **v, size_t *first,
                     size_t *n)
{
    struct kobject *o;
    int err = syscall_get(h, NX_OBJ_VMO, NX_RIGHT_MANAGE, &o, NULL);
    if (err)
        return err;
    *v = (struct vmo *)o;  // the kobject comes first
    if (offset % PAGE_SIZE || size % PAGE_SIZE || size == 0 || !vmo_range_ok(*v, offset, size))
        return NX_ERR_INVALID;
    *first = offset / PAGE_SIZE;
    *n = size / PAGE_SIZE;
    return (*v)->paged ? NX_OK : NX_ERR_ACCESS;  // only a paged VMO's handles have MANAGE
}

long sys_pager_supply(uhandle_t h, uint64_t offset, uint64_t size)
{
    struct vmo *v;
    size_t first, n;
    int err = get_range(h, offset, size, &v, &first, &n);
    return err ? err : pager_supply(v, first, n);
}

long sys_pager_fail(uhandle_t h, uint64_t offset, uint64_t size, int64_t error)
{
    struct vmo *v;
    size_t first, n;
    int err = get_range(h, offset, size, &v, &first, &n);
    if (err)
        return err;
    if (error != NX_ERR_IO && error != NX_ERR_NOT_FOUND && error != NX_ERR_PEER_CLOSED)
        return NX_ERR_INVALID;
    return pager_fail(v, first, n, (int)error);
}

long sys_pager_decommit(uhandle_t h, uint64_t offset, uint64_t size)
{
    struct vmo *v;
    size_t first, n;
    int err = get_range(h, offset, size, &v, &first, &n);
    return err ? err : pager_decommit(v, first, n);
}

// pager_dirty and pager_accessed: report into a bitmap the pages of a range with a flag.
typedef long (*report_fn)(struct vmo *v, size_t first, size_t n, uint8_t *bitmap);

static long report_pages(uhandle_t h, uint64_t offset, uint64_t size, uint64_t bitmap,
                         report_fn report)
{
    struct vmo *v;
    size_t first, n;
    int err = get_range(h, offset, size, &v, &first, &n);
    if (err)
        return err;
    if (n > PAGER_DIRTY_MAX)
        return NX_ERR_TOO_BIG;
    uint8_t bits[PAGER_DIRTY_MAX / 8];
    size_t bytes = (n + 7) / 8;
    err = user_check(current_process->root, bitmap, bytes, USER_WRITE);
    if (!err)  // the check may have waited for a pager: look the VMO up again
        err = get_range(h, offset, size, &v, &first, &n);
    if (err)
        return err;
    memset(bits, 0, bytes);
    long count = report(v, first, n, bits);
    if (count < 0)
        return count;
    err = copy_to_user(current_process->root, bitmap, bits, bytes);
    return err ? err : count;
}

long sys_pager_dirty(uhandle_t h, uint64_t offset, uint64_t size, uint64_t bitmap)
{
    return report_pages(h, offset, size, bitmap, pager_dirty);
}

long sys_pager_accessed(uhandle_t h, uint64_t offset, uint64_t size, uint64_t bitmap)
{
    return report_pages(h, offset, size, bitmap, pager_accessed);
}

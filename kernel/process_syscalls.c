// Process system calls: handle lookups, argument checks and user copies around
// kernel/process.c.
#include <stdbool.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "handle.h"
#include "notification.h"
#include "process.h"
#include "process_tree.h"
#include "syscall.h"
#include "thread.h"
#include "usercopy.h"

static int get_process(uhandle_t h, uint32_t rights, struct process **out)
{
    struct kobject *k;
    int err = syscall_get(h, NX_OBJ_PROCESS, rights, &k, NULL);
    if (err == NX_OK)
        *out = (struct process *)k;
    return err;
}

long sys_process_create(uint64_t name, uint64_t len, uint64_t pages)
{
    char buf[PROCESS_NAME_MAX];
    if (len >= PROCESS_NAME_MAX)
        return NX_ERR_TOO_BIG;
    int err = copy_from_user(current_process->root, buf, name, len);
    if (err)
        return err;
    buf[len] = '\0';
    struct process *p;
    err = syscall_room(1);
    if (err == NX_OK)
        err = process_create(buf, pages, current_process, &p);
    if (err)
        return err;
    kobject_ref(&p->obj);  // for the handle; the creation reference means "alive"
    return syscall_install(&p->obj, NX_RIGHTS_ALL);
}

// A user pc or stack pointer: inside the user half, or the thread faults at once.
static bool user_address(uint64_t va)
{
    return va >= USER_VA_MIN && va <= USER_STACK_TOP;
}

long sys_process_start(uhandle_t proc, uint64_t pc, uint64_t sp, uhandle_t h, uint64_t priority)
{
    struct process *p;
    int err = get_process(proc, NX_RIGHT_MANAGE, &p);
    if (err)
        return err;
    if (!user_address(pc) || !user_address(sp))
        return NX_ERR_INVALID;
    if (priority > current_thread->rq.priority)  // never above the starter (see thread.c)
        return NX_ERR_ACCESS;
    struct handle_xfer x = { .rights = NX_RIGHTS_SAME };
    err = syscall_handle(h, &x.handle);
    if (err)
        return err;
    return process_start(p, pc, sp, NX_HANDLE_INVALID, NX_HANDLE_INVALID, (uint8_t)priority,
                         current_process->handles, h != NX_HANDLE_INVALID ? &x : NULL);
}

long sys_process_kill(uhandle_t proc)
{
    struct process *p;
    int err = get_process(proc, NX_RIGHT_MANAGE, &p);
    if (err)
        return err;
    if (p->state != PROCESS_ALIVE)
        return NX_ERR_BAD_STATE;
    process_kill(p);
    return NX_OK;
}

long sys_process_watch(uhandle_t proc, uhandle_t notif, uint64_t bits)
{
    struct process *p;
    struct kobject *n;
    int err = get_process(proc, NX_RIGHT_READ, &p);
    if (err == NX_OK)
        err = syscall_get(notif, NX_OBJ_NOTIFICATION, NX_RIGHT_SIGNAL, &n, NULL);
    if (err)
        return err;
    if (bits == 0)
        return NX_ERR_INVALID;
    return process_watch(p, (struct notification *)n, bits);
}

long sys_process_status(uhandle_t proc, uint64_t status)
{
    struct process *p;
    int err = get_process(proc, NX_RIGHT_READ, &p);
    if (err)
        return err;
    if (p->state == PROCESS_ALIVE)
        return NX_ERR_BAD_STATE;
    return copy_to_user(current_process->root, status, &p->exit_status, sizeof(long));
}

long sys_process_info(uhandle_t proc, uint64_t out)
{
    struct process *p;
    int err = get_process(proc, NX_RIGHT_READ, &p);
    if (err)
        return err;
    struct nx_process_info info;
    process_info(p, &info);
    return copy_to_user(current_process->root, out, &info, sizeof(info));
}

// The pids of proc's tree go to the user NX_PROCESS_TREE_CHUNK at a time: a tree is as big as
// the processes alive, so the copy is bounded by cap, never by a kernel buffer.
#define NX_PROCESS_TREE_CHUNK 32

static int copy_pids(uint64_t to, const uint32_t *pids, size_t n)
{
    return copy_to_user(current_process->root, to, pids, n * sizeof(uint32_t));
}

long sys_process_tree(uhandle_t proc, uint64_t pids, uint64_t cap)
{
    struct process *root;
    int err = get_process(proc, NX_RIGHT_READ, &root);
    if (err)
        return err;
    if (cap > NX_PROCESS_TREE_MAX)
        return NX_ERR_TOO_BIG;
    uint32_t chunk[NX_PROCESS_TREE_CHUNK];
    size_t n = 0;
    uint64_t count = 0, copied = 0;
    for (const struct process *q = root; q; q = process_tree_next(root, q), count++) {
        if (count >= cap)
            continue;
        chunk[n++] = q->pid;
        if (n == NX_PROCESS_TREE_CHUNK) {
            if ((err = copy_pids(pids + copied * sizeof(uint32_t), chunk, n)))
                return err;
            copied += n;
            n = 0;
        }
    }
    if (n && (err = copy_pids(pids + copied * sizeof(uint32_t), chunk, n)))
        return err;
    return (long)count;
}

long sys_process_descendant(uhandle_t proc, uint64_t pid, uint64_t rights)
{
    if (rights & ~(uint64_t)NX_RIGHTS_ALL)
        return NX_ERR_INVALID;
    struct process *root;
    int err = get_process(proc, NX_RIGHT_READ | (uint32_t)rights, &root);
    if (err)
        return err;
    struct process *p = pid <= UINT32_MAX ? process_tree_find(root, (uint32_t)pid) : NULL;
    if (!p)
        return NX_ERR_NOT_FOUND;
    err = syscall_room(1);
    if (err)
        return err;
    kobject_ref(&p->obj);
    return syscall_install(&p->obj, (uint32_t)rights);
}

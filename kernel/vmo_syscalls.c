// VMO system calls: argument checks, handle lookups and user copies around kernel/vmo.c.
// Every VMO is charged to the budget of the process that created it, whoever maps it later.
#include <stdbool.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "pager.h"
#include "process.h"
#include "resource.h"
#include "syscall.h"
#include "thread.h"
#include "usercopy.h"
#include "vmo.h"
#include "arch/riscv/pagetable.h"

// Rights of a new anonymous VMO (or clone): everything that applies to memory. Execute is
// not withheld: whoever can write a fresh VMO could put any code in it anyway. DMA neither:
// a physical address is only of use to a driver, which holds a device and is trusted with
// all memory anyway (no IOMMU); the creator drops it from handles it gives away.
#define VMO_RIGHTS (NX_RIGHT_READ | NX_RIGHT_WRITE | NX_RIGHT_MAP | NX_RIGHT_EXECUTE | \
                    NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER | NX_RIGHT_DMA)
// Device registers are never code, and never a DMA target.
#define PHYSICAL_VMO_RIGHTS (VMO_RIGHTS & ~(NX_RIGHT_EXECUTE | NX_RIGHT_DMA))

static int get_vmo(uhandle_t h, uint32_t rights, struct vmo **out)
{
    struct kobject *obj;
    int err = syscall_get(h, NX_OBJ_VMO, rights, &obj, NULL);
    if (err == NX_OK)
        *out = (struct vmo *)obj;  // obj is the first member
    return err;
}

// Hand a new VMO charged to the caller to the caller as a handle (syscall_room checked).
static long install(struct vmo *v, uint32_t rights)
{
    vmo_set_owner(v, &current_process->obj);
    return syscall_install(&v->obj, rights);
}

long sys_vmo_create(uint64_t size)
{
    if (size == 0)
        return NX_ERR_INVALID;
    struct vmo *v;
    int err = syscall_room(1);
    if (err == NX_OK)
        err = vmo_create(size, &current_process->budget, &v);
    return err ? err : install(v, VMO_RIGHTS);
}

// Copy between the VMO and user memory one user page at a time, straight through the
// direct map (no bounce buffer: each byte is copied once and counted once, by vmo.c).
static void copy_pages(struct vmo *v, uint64_t offset, uint64_t buf, uint64_t len, bool in)
{
    paddr_t root = current_process->root;
    while (len) {
        uint64_t chunk = PAGE_SIZE - (buf & (PAGE_SIZE - 1));
        chunk = chunk < len ? chunk : len;
        void *kva = pa_to_kva(pt_translate(root, buf, PTE_U));
        if (in)
            vmo_write(v, offset, kva, chunk);
        else
            vmo_read(v, offset, kva, chunk);
        offset += chunk, buf += chunk, len -= chunk;
    }
}

// A client's access (a handle without MANAGE) to a paged VMO waits until every page of
// [offset, offset + len) is supplied; a write marks them dirty. NX_OK, PAGER_RETRY (after a
// wait: v may be gone) or the pager's error.
static int await_pages(struct vmo *v, uhandle_t h, uint64_t offset, uint64_t len, bool write)
{
    struct vmo *own;
    if (!v->paged || len == 0 || get_vmo(h, NX_RIGHT_MANAGE, &own) == NX_OK)
        return NX_OK;
    for (uint64_t i = offset / PAGE_SIZE; i <= (offset + len - 1) / PAGE_SIZE; i++) {
        bool dirty;
        int r = pager_await(v, i, write, &dirty);
        if (r)
            return r;
    }
    return NX_OK;
}

// vmo_read (in = false) and vmo_write (in = true): everything is checked, and for a write
// every page committed, before the first byte moves, so a failure changes no contents.
// Waiting for a pager (the VMO's pages, or a user buffer mapping a paged VMO) starts over.
static long read_write(uhandle_t h, uint64_t offset, uint64_t buf, uint64_t len, bool in)
{
    struct vmo *v;
    int err;
    do {
        err = get_vmo(h, in ? NX_RIGHT_WRITE : NX_RIGHT_READ, &v);
        if (err)
            return err;
        if (len > NX_VMO_RW_MAX)
            return NX_ERR_TOO_BIG;
        if (!vmo_range_ok(v, offset, len))
            return NX_ERR_INVALID;
        if (in && vmo_check_write(v))
            return NX_ERR_ACCESS;
        err = await_pages(v, h, offset, len, in);
        if (!err)
            err = user_check(current_process->root, buf, len, in ? USER_READ : USER_WRITE);
    } while (err == PAGER_RETRY);
    if (!err && in)
        err = vmo_commit(v, offset, len);
    if (err)
        return err;
    copy_pages(v, offset, buf, len, in);
    return NX_OK;
}

long sys_vmo_read(uhandle_t h, uint64_t offset, uint64_t buf, uint64_t len)
{
    return read_write(h, offset, buf, len, false);
}

long sys_vmo_write(uhandle_t h, uint64_t offset, uint64_t buf, uint64_t len)
{
    return read_write(h, offset, buf, len, true);
}

// The pages a later touch would commit, committed now without a copy (libnx's heap: its
// sbrk fails instead of a fault killing the process over its budget).
long sys_vmo_commit(uhandle_t h, uint64_t offset, uint64_t len)
{
    struct vmo *v;
    int err = get_vmo(h, NX_RIGHT_WRITE, &v);
    if (err)
        return err;
    if (v->paged)
        return NX_ERR_BAD_STATE;
    return vmo_commit(v, offset, len);
}

long sys_vmo_seal(uhandle_t h)
{
    struct vmo *v;
    int err = get_vmo(h, NX_RIGHT_WRITE, &v);
    return err ? err : vmo_seal(v);
}

long sys_vmo_clone(uhandle_t h, uint64_t offset, uint64_t size)
{
    struct vmo *parent, *v;
    int err = get_vmo(h, NX_RIGHT_READ | NX_RIGHT_DUPLICATE, &parent);
    if (err)
        return err;
    if (offset % PAGE_SIZE || size % PAGE_SIZE || size == 0 || !vmo_range_ok(parent, offset, size))
        return NX_ERR_INVALID;
    err = syscall_room(1);
    if (err == NX_OK)
        err = vmo_clone_cow(parent, offset / PAGE_SIZE, size / PAGE_SIZE,
                            &current_process->budget, &v);
    return err ? err : install(v, VMO_RIGHTS);
}

long sys_vmo_physical(uhandle_t resource, uint64_t paddr, uint64_t size)
{
    struct kobject *res;
    int err = syscall_get(resource, NX_OBJ_RESOURCE, NX_RIGHT_MAP, &res, NULL);
    if (err)
        return err;
    if (paddr % PAGE_SIZE || size % PAGE_SIZE || size == 0 || paddr + size < paddr)
        return NX_ERR_INVALID;
    if (!resource_allows_mmio(res, paddr, size))
        return NX_ERR_ACCESS;
    struct vmo *v;
    err = syscall_room(1);
    if (err == NX_OK)
        err = vmo_create_physical(paddr, size, &current_process->budget, &v);
    return err ? err : install(v, PHYSICAL_VMO_RIGHTS);
}

// NX_DMA_RELEASE: the device is done with a range it was given. Only a paged VMO's pages
// can ever be taken back (decommit), so only they keep count; for any other it is a no-op.
static long dma_release(struct vmo *v, size_t first, size_t n)
{
    int err = v->paged ? pager_unpin(v, first, n) : NX_OK;
    return err ? err : (long)n;
}

long sys_vmo_dma(uhandle_t h, uint64_t offset, uint64_t size, uint64_t paddrs, uint64_t flags)
{
    if ((flags & ~(uint64_t)(NX_DMA_DEVICE_WRITES | NX_DMA_RELEASE)) ||
        flags == (NX_DMA_DEVICE_WRITES | NX_DMA_RELEASE))
        return NX_ERR_INVALID;
    bool device_writes = flags & NX_DMA_DEVICE_WRITES;
    struct vmo *v;
    int err = get_vmo(h, NX_RIGHT_DMA | NX_RIGHT_READ | (device_writes ? NX_RIGHT_WRITE : 0), &v);
    if (err)
        return err;
    if (offset % PAGE_SIZE || size % PAGE_SIZE || size == 0 || !vmo_range_ok(v, offset, size))
        return NX_ERR_INVALID;
    size_t n = size / PAGE_SIZE, first = offset / PAGE_SIZE;
    if (n > VMO_DMA_MAX)
        return NX_ERR_TOO_BIG;
    if (v->paged && (err = get_vmo(h, NX_RIGHT_MANAGE, &v)))
        return err;  // only the pager hands a paged VMO's pages to a device
    if (flags & NX_DMA_RELEASE)
        return dma_release(v, first, n);
    paddr_t pages[VMO_DMA_MAX];
    err = user_check(current_process->root, paddrs, n * sizeof(paddr_t), USER_WRITE);
    if (!err && v->paged)
        err = pager_pin(v, first, n);
    if (!err && (err = vmo_dma(v, first, n, device_writes, pages)) && v->paged)
        pager_unpin(v, first, n);
    if (err)
        return err;
    copy_to_user(current_process->root, paddrs, pages, n * sizeof(paddr_t));
    return (long)n;
}

long sys_vmo_size(uhandle_t h)
{
    struct vmo *v;
    int err = get_vmo(h, 0, &v);
    return err ? err : (long)(v->npages * PAGE_SIZE);
}

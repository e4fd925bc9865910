// User memory access through the direct map, one page at a time.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "usercopy.h"
#include "aspace.h"
#include "process.h"
#include "thread.h"
#include "arch/riscv/pagetable.h"
#include "lib/string.h"

static int range_ok(uint64_t va, size_t len)
{
    return va >= USER_VA_MIN && len <= USER_STACK_TOP && va <= USER_STACK_TOP - len;
}

static uint64_t pte_bits(enum user_access access)
{
    return PTE_U | (access == USER_WRITE ? PTE_W : PTE_R);
}

// Fault in the page at va for access. A VMO page nobody touched yet is not in the page table:
// it is faulted in here, as the hardware would have had the process touched it, so a syscall
// may point into a fresh mapping. (User pointers always belong to the calling process.)
static int fault_in(paddr_t root, uint64_t va, enum user_access access)
{
    struct process *p = current_process;
    if (p->root != root)
        return NX_ERR_BAD_ADDRESS;
    return aspace_fault(p, va, access == USER_WRITE ? NX_PROT_WRITE : NX_PROT_READ);
}

// Faulting a page in may wait for a pager, and meanwhile pages checked before may leave the
// page table again (a decommit, a write-protect): the check ends with a pass that faulted
// nothing, so the whole range is mapped when it returns (nothing blocks until the copy).
int user_check(paddr_t root, uint64_t va, size_t len, enum user_access access)
{
    if (!range_ok(va, len))
        return NX_ERR_BAD_ADDRESS;
    for (bool faulted = true; faulted;) {
        faulted = false;
        for (uint64_t page = PAGE_ROUND_DOWN(va); page < va + len; page += PAGE_SIZE) {
            if (pt_translate(root, page, pte_bits(access)))
                continue;
            int err = fault_in(root, page, access);
            if (err)
                return err;
            faulted = true;
        }
    }
    return NX_OK;
}

// Copy len bytes between kernel buffer `kbuf` and user address va, in either direction.
static int copy_user(paddr_t root, uint64_t va, void *kbuf, size_t len, int to_user)
{
    int err = user_check(root, va, len, to_user ? USER_WRITE : USER_READ);
    if (err)
        return err;
    char *k = kbuf;
    while (len) {
        size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        chunk = chunk < len ? chunk : len;
        char *u = pa_to_kva(pt_translate(root, va, PTE_U));
        if (to_user)
            memcpy(u, k, chunk);
        else
            memcpy(k, u, chunk);
        va += chunk, k += chunk, len -= chunk;
    }
    return NX_OK;
}

int copy_from_user(paddr_t root, void *dst, uint64_t va, size_t len)
{
    return copy_user(root, va, dst, len, 0);
}

int copy_to_user(paddr_t root, uint64_t va, const void *src, size_t len)
{
    return copy_user(root, va, (void *)src, len, 1);
}


// sbrk for picolibc's malloc: the heap is one VMO, created and mapped read-write on the first
// sbrk, as large as the process's whole budget (it can never use more), so it never moves.
// Mapping commits nothing; sbrk commits each new page with nx_vmo_commit (no bytes copied)
// before handing it out, so running out of budget makes sbrk fail (malloc returns NULL)
// instead of a page fault killing the process on first touch.
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <nx/nx.h>
#include "internal.h"

// [base, brk) is handed out, [base, committed) committed, [base, limit) mapped.
static uintptr_t base, brk, committed, limit;
static nx_handle_t heap_vmo;

// picolibc's malloc state (nano-malloc), reset with ours in a spawned copy of the program.
extern void *__malloc_free_list, *__malloc_sbrk_start, *__malloc_sbrk_top;

static long map_heap(void)
{
    struct nx_process_info info;
    long err = nx_process_info(nx_self, &info);
    if (err)
        return err;
    size_t size = info.budget_pages * NX_PAGE;
    if (size > NX_VMO_MAX_BYTES)
        size = NX_VMO_MAX_BYTES;
    long va = nx_map_new_vmo(size, &heap_vmo);
    if (va < 0)
        return va;
    base = brk = committed = (uintptr_t)va;
    limit = base + size;
    return NX_OK;
}

// Commit the pages of [committed, end), NX_VMO_RW_MAX bytes a call (each all or nothing);
// stops at the first failure.
static long commit_to(uintptr_t end)
{
    if (committed >= end)
        return NX_OK;
    long err = nx_vmo_commit_range(heap_vmo, committed - base, end - committed);
    if (!err)
        committed = end;
    return err;
}

void *sbrk(ptrdiff_t incr)
{
    if (!base && map_heap() != NX_OK)
        goto fail;
    uintptr_t old = brk;
    if (incr < 0 ? (uintptr_t)-incr > old - base : (uintptr_t)incr > limit - old)
        goto fail;
    if (incr > 0 && commit_to(NX_PAGE_UP(old + (uintptr_t)incr)) != NX_OK)
        goto fail;
    brk = old + (uintptr_t)incr;
    return (void *)old;
fail:
    errno = ENOMEM;
    return (void *)-1;
}

void nx_heap_forget(void)
{
    base = brk = committed = limit = 0;
    heap_vmo = NX_HANDLE_INVALID;
    __malloc_free_list = __malloc_sbrk_start = __malloc_sbrk_top = NULL;
}

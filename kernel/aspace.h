#pragma once
// Address spaces: the VMO mappings of one process's user range [USER_VA_MIN, USER_VA_LIMIT).
//
// A mapping is (va, size, vmo, offset, prot). Mapping costs no per-page work: pages enter the
// page table on first touch (aspace_fault, from the trap handler or from usercopy), so the
// page table only ever holds what was touched, and unmapping walks only that. VMO pages are
// owned by the VMO: removing a mapping clears page-table entries but frees no data page.
//
// Limits: at most ASPACE_MAX_MAPPINGS mappings per process (NX_ERR_NO_SPACE beyond, also when
// splitting a mapping would need a slot). The table lives in one page charged to the process
// budget, allocated by the first map. Pages the kernel mapped itself (boot program image,
// initial stack, IPC buffers) are not mappings: vm_map refuses ranges that hold any of them,
// and vm_unmap / vm_protect never touch them.
//
// Locking (docs/smp.md): under the exclusive big lock, except aspace_map_shared and
// aspace_unmap_shared, which run with it held shared under the table's own lock.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/riscv/memlayout.h"
#include "spinlock.h"

struct kobject;
struct process;
struct vmo;

#define ASPACE_MAX_MAPPINGS 64

struct mapping {
    uint64_t va, size;   // page-aligned, size > 0
    uint64_t offset;     // byte offset in the VMO that va shows (page-aligned)
    struct vmo *vmo;     // holds a reference on vmo->obj
    uint32_t prot;       // NX_PROT_* its pages get now
    uint32_t max_prot;   // the most vm_protect may grant: the VMO handle's rights at map time
};

struct aspace {
    uint32_t count;
    struct spinlock lock;  // the table and page tables, between paths holding the big lock shared
    struct mapping maps[ASPACE_MAX_MAPPINGS];  // sorted by va, disjoint
};
_Static_assert(sizeof(struct aspace) <= PAGE_SIZE, "the table is one page");

// Every function returning int returns NX_OK or a negative nx_error and changes nothing on
// error (except pages committed to a VMO by a fault, which no one can tell from untouched).

// Map [offset, offset + size) of v at va (0: the kernel picks a free range, from the top of
// the user range down) with prot, which must lie within max_prot. *out = the address.
// NX_ERR_INVALID: prot has unknown bits, W without R, or W with X; a range not page-aligned,
// empty, outside v or outside the user range. NX_ERR_ACCESS: prot beyond max_prot, or W on a
// sealed VMO. NX_ERR_BAD_STATE: the range overlaps a mapping or kernel-mapped pages.
// NX_ERR_NO_SPACE: no free range or slot, or a paged VMO with PAGER_MAX_MAPPERS other
// processes mapping it. NX_ERR_NO_MEMORY: the table page.
int aspace_map(struct process *p, struct vmo *v, uint64_t va, uint64_t offset, uint64_t size,
               uint32_t prot, uint32_t max_prot, uint64_t *out);
// Remove every mapped page of [va, va + size) (a mapping that straddles an end is split).
// NX_ERR_INVALID for a range not page-aligned, empty or outside the user range.
int aspace_unmap(struct process *p, uint64_t va, uint64_t size);
// The same two with the big lock held shared: two processes map and unmap side by side, one
// process's calls are ordered by its table's lock. False, with nothing changed, for what must
// run exclusive: the first map (it makes the table), a paged VMO in the range (its pager
// keeps a list of mappers). Else true with the syscall's result in *result; a VMO whose
// last reference the unmap dropped is on *zombies, for the caller to destroy exclusive.
bool aspace_map_shared(struct process *p, struct vmo *v, uint64_t va, uint64_t offset,
                       uint64_t size, uint32_t prot, uint32_t max_prot, long *result);
bool aspace_unmap_shared(struct process *p, uint64_t va, uint64_t size, long *result,
                         struct kobject **zombies);
// Set prot on every page of [va, va + size), which must all be mapped (NX_ERR_NOT_FOUND).
// Same prot rules as aspace_map, against each mapping's max_prot.
int aspace_protect(struct process *p, uint64_t va, uint64_t size, uint32_t prot);
// Resolve a fault on va needing `access` (one NX_PROT_* bit): commit the VMO page and enter
// it in the page table (copy-on-write pages enter read-only until written).
// NX_ERR_BAD_ADDRESS when no mapping allows the access, NX_ERR_NO_MEMORY when the page
// cannot be committed. A page of a paged VMO may block the current thread until its pager
// supplies it; the pager's errors (pager.h) come back then.
int aspace_fault(struct process *p, uint64_t va, uint32_t access);
// Remove p's page-table entries of pages [first, first + n) of v in every mapping of v (a
// pager's decommit or write-protect): the next touch faults again.
void aspace_invalidate(struct process *p, const struct vmo *v, size_t first, size_t n);
// Drop every mapping of p (process end), before its page table goes: the page-table entries
// of VMO pages are cleared so that destroying the table does not free the VMOs' pages.
void aspace_destroy(struct process *p);

// Range logic, exposed for host tests.
// The mapping containing va, or NULL.
struct mapping *aspace_find(struct aspace *as, uint64_t va);
// Top-most free range of size bytes in the user range that has no page-table leaf in root.
int aspace_pick(const struct aspace *as, paddr_t root, uint64_t size, uint64_t *va);
// Split mappings so that va and va + size are mapping boundaries (all or nothing).
int aspace_cut(struct aspace *as, uint64_t va, uint64_t size);

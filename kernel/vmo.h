#pragma once
// Virtual memory objects: the page logic only (no handles, no mappings). A VMO is a fixed
// number of pages, each either committed (a private pmm page), borrowed from a COW parent, or
// not there yet (reads as zeros; committed on first vmo_get_page or write).
//
// Accounting: every pmm page a VMO takes (its metadata block and each private data page) is
// charged to the page_budget given at creation, and uncharged when it goes back to the pmm.
// The budget must therefore outlive the VMO's pages, which may be later than vmo_destroy when
// clones still borrow from it (see below). Physical VMOs charge nothing (no budget).
//
// Copy-on-write rule: a clone may only be taken of a SEALED parent. The parent's contents can
// never change afterwards, so the child may borrow the parent's pages until it writes one (then
// it copies that page into a private one). A parent's untouched page reads as zeros in the
// child; the child commits its own zero page for it if asked (vmo_get_page). A clone holds a
// reference on its parent: vmo_destroy(parent) while clones live only drops the creator's
// reference, and the parent's pages go back to the pmm (uncharged from its budget) when the
// last clone is destroyed. Clones of clones are allowed up to VMO_MAX_DEPTH levels.
//
// Mapped pages: a page returned for reading may be a borrowed one; a later write must go
// through vmo_get_page(..., true), which may return a different (private) page.
//
// DMA: vmo_dma hands out the physical pages behind a range for a device. They are pinned for
// the VMO's whole life: a committed private page is never replaced or freed before
// vmo_destroy, and a page of a sealed VMO never changes, so vmo_dma commits private pages
// (copying borrowed ones) unless the VMO is sealed. A VMO a device may write can no longer be
// sealed (like a writable mapping that never goes).
//
// Seal rule (kept here alone; aspace.c and the syscalls ask through the functions below):
// once sealed, a VMO's contents never change for any holder. So sealing is refused while
// something could still write it otherwise: a writable mapping (vmo_mapping_add/_drop/
// _protect count them) or a device given pages to write (vmo_dma); and after it, every write
// is refused: vmo_write, vmo_commit, a write fault, a writable mapping or protection.
//
// Two counts, for two lifetimes: `obj.refcount` counts what can name the VMO (handles,
// mappings, kernel references); when it reaches zero the VMO is gone as an object and its
// destroy drops the creator's share of `refs`. `refs` counts what needs its pages (that share
// plus one per clone borrowing them): the pages outlive the object while clones borrow them,
// and a VMO nobody can name any more must not count as a live object (the leak counters).
// `owner` is the object holding the budget (the creating process): a reference on it is
// dropped only when the pages are back.
//
// Paged VMOs (pager.h) are anonymous VMOs with paging state: pager.c decides when a client
// may see a page; the page logic here is unchanged (vmo_drop_pages is their decommit).
//
// The page array is sparse (radix.h): a VMO of at most VMO_TOP_MAX pages keeps it whole in
// its metadata block, as a plain array; a larger one keeps the top of a tree there (at most
// VMO_TOP_MAX entries), and a 4 KiB node per 512 pages (and per 256 Ki pages above them) is
// added, charged to the budget like a data page, when a page in its range is first committed.
// So creating a VMO costs one slab object whatever its size (up to VMO_MAX_PAGES, 64 GiB),
// and a commit's node pages are part of its all-or-nothing reservation.
//
// No locking: single hart, interrupts off while in the kernel.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "arch/riscv/memlayout.h"
#include "budget.h"
#include "object.h"
#include "radix.h"
#include "slab.h"

#define VMO_MAX_PAGES (1UL << 24)    // 64 GiB per VMO
#define VMO_RW_MAX NX_VMO_RW_MAX     // longest vmo_read / vmo_write (16 KiB)
#define VMO_MAX_DEPTH 8              // longest parent chain of a clone

#define VMO_SEALED 1u
#define VMO_PHYSICAL 2u  // fixed physical range, pages not owned, never freed
#define VMO_DEVICE_WRITES 4u  // vmo_dma gave a device pages to write: no seal
#define VMO_DMA_MAX NX_VMO_DMA_MAX  // most pages per vmo_dma

struct vmo {
    struct kobject obj;          // NX_OBJ_VMO; destroy drops the creator's reference
    struct kobject *owner;       // holds `budget` (a reference), or NULL
    uint32_t writable_maps;      // mappings with NX_PROT_WRITE: seal waits for 0 (vmo_mapping_*)
    uint32_t flags;              // VMO_*
    size_t npages;               // fixed at creation
    uint32_t refs;               // the creator's + one per clone of this VMO
    uint32_t committed;          // private data pages in pages (<= VMO_MAX_PAGES)
    struct page_budget *budget;  // charged for that and committed; NULL: the kernel's own
    paddr_t phys_base;           // VMO_PHYSICAL only
    struct vmo *parent;          // COW parent (sealed), or NULL
    uint32_t parent_offset;      // our page 0 is the parent's page parent_offset
    uint32_t depth;              // 0 without parent, else parent->depth + 1
    struct paged *paged;         // a paged VMO's pager state (pager.h), or NULL
    struct radix pages;          // private page or 0 per index; empty for physical VMOs
    uint64_t top[];              // pages' top node
};
// Most entries of top[]: the metadata stays one slab object.
#define VMO_TOP_MAX ((SLAB_MAX_OBJECT - sizeof(struct vmo)) / sizeof(uint64_t))
// The metadata's size: this struct and top[], one slab_alloc (slab.h).
static inline size_t vmo_meta_bytes(const struct vmo *v)
{
    return sizeof(struct vmo) + v->pages.entries * sizeof(uint64_t);
}

// Bytes copied by VMO operations (COW page copies, vmo_read, vmo_write).
extern uint64_t vmo_bytes_copied;

// An anonymous VMO of size_bytes rounded up to pages, with no page committed.
// NX_ERR_INVALID for 0 or a NULL budget, NX_ERR_TOO_BIG over VMO_MAX_PAGES,
// NX_ERR_NO_MEMORY if the metadata (a slab object) does not fit the budget or the pmm.
int vmo_create(size_t size_bytes, struct page_budget *b, struct vmo **out);
// A VMO over the fixed range [base, base + size), both page-aligned and size > 0. Only its
// metadata is charged to b (NULL: to no one).
int vmo_create_physical(paddr_t base, size_t size, struct page_budget *b, struct vmo **out);
// Hand the VMO a reference on the object that holds its budget (the creating process);
// dropped when the VMO's pages are freed.
void vmo_set_owner(struct vmo *v, struct kobject *owner);
// The page backing index, committed now if needed (zeroed, or a copy of the borrowed page
// when for_write). NX_ERR_INVALID out of range, NX_ERR_ACCESS writing a sealed VMO.
int vmo_get_page(struct vmo *v, size_t index, bool for_write, paddr_t *out);
// v's own committed page at index (not a parent's, not a physical VMO's), or 0: commits
// nothing (a fault maps the pages after it that are there already: inline, it runs per page).
static inline paddr_t vmo_peek_page(const struct vmo *v, size_t index)
{
    if (index >= v->npages || (v->flags & VMO_PHYSICAL))
        return 0;
    return radix_get(&v->pages, index);
}
// Is [offset, offset + len) inside v?
bool vmo_range_ok(const struct vmo *v, size_t offset, size_t len);
// Commit every page a vmo_write of [offset, offset + len) (len <= VMO_RW_MAX) would touch,
// all or nothing, so that the writes that follow cannot fail half-way.
int vmo_commit(struct vmo *v, size_t offset, size_t len);
// Kernel copies of at most VMO_RW_MAX bytes. Reads commit nothing.
int vmo_read(struct vmo *v, size_t offset, void *dst, size_t len);
int vmo_write(struct vmo *v, size_t offset, const void *src, size_t len);
// Make the contents immutable for every holder. Idempotent. NX_ERR_BAD_STATE while a
// writable mapping exists, once a device may write the pages (vmo_dma), or for a paged VMO
// (its pager may decommit pages).
int vmo_seal(struct vmo *v);
static inline bool vmo_sealed(const struct vmo *v) { return v->flags & VMO_SEALED; }
// May the contents still change? NX_OK, or NX_ERR_ACCESS once sealed.
static inline int vmo_check_write(const struct vmo *v)
{
    return vmo_sealed(v) ? NX_ERR_ACCESS : NX_OK;
}
// A mapping of v with protection prot (NX_PROT_*) is made: it holds a reference on v.
// Callers have checked vmo_check_write for a writable prot. (Inline, like _protect and
// _drop: every vm_map and vm_unmap goes through them.)
// (Atomic: two processes may map or unmap one VMO at once with the big lock held shared.)
static inline void vmo_mapping_add(struct vmo *v, uint32_t prot)
{
    kobject_ref(&v->obj);
    if (prot & NX_PROT_WRITE)
        __atomic_fetch_add(&v->writable_maps, 1, __ATOMIC_RELAXED);
}
// That mapping's protection changes from prot to new_prot (checked as for add).
static inline void vmo_mapping_protect(struct vmo *v, uint32_t prot, uint32_t new_prot)
{
    v->writable_maps += !!(new_prot & NX_PROT_WRITE) - !!(prot & NX_PROT_WRITE);
}
// That mapping goes: its reference is dropped onto *zombies (see kobject_unref_later).
static inline void vmo_mapping_drop(struct vmo *v, uint32_t prot, struct kobject **zombies)
{
    if (prot & NX_PROT_WRITE)
        __atomic_fetch_sub(&v->writable_maps, 1, __ATOMIC_RELAXED);
    kobject_unref_later(&v->obj, zombies);
}
// Commit pages [first, first + n) (n <= VMO_DMA_MAX) for a device, all or nothing, and store
// their physical addresses in out[0..n). NX_ERR_INVALID for an empty or outside range,
// NX_ERR_BAD_STATE for a physical VMO, NX_ERR_ACCESS if device_writes and sealed,
// NX_ERR_NO_MEMORY.
int vmo_dma(struct vmo *v, size_t first, size_t n, bool device_writes, paddr_t *out);
// A COW child over parent pages [offset_pages, offset_pages + npages), charged to b.
// NX_ERR_BAD_STATE unless parent is sealed (so never paged) and not physical; NX_ERR_TOO_BIG past
// VMO_MAX_DEPTH.
int vmo_clone_cow(struct vmo *parent, size_t offset_pages, size_t npages, struct page_budget *b,
                  struct vmo **out);
// Give the committed pages of [first, first + n) back to the pmm (uncharged), those for which
// drop(index, arg) says so (drop NULL: all): they read as zeros again, and page-array nodes
// left empty go too. Only for a VMO that never lends pages (not sealed): a paged VMO's
// decommit.
void vmo_drop_pages(struct vmo *v, size_t first, size_t n, bool (*drop)(size_t index, void *arg),
                    void *arg);
// Drop the creator's reference (call once). Frees owned pages once no clone borrows them.
void vmo_destroy(struct vmo *v);
// Private data pages committed (not borrowed, not metadata, 0 for physical VMOs).
size_t vmo_committed_pages(const struct vmo *v);

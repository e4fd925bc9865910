#pragma once
// Kernel object memory: small objects packed into pages of fixed-size slots ("slabs"), larger
// ones in whole pages, every page charged to one page budget.
//
// Slabs are per budget: a budget's objects share only the pages that budget pays for, and a
// slab page goes back to the pmm (and off the budget) as soon as its last object is freed.
// So the charge is exact in pages, and never more than one page per live object (the old
// page-per-object rule); a budget wastes at most the free slots of the pages it holds.
// See docs/design-decisions.md, "Kernel object memory".
#include <stddef.h>
#include <stdint.h>

struct page_budget;
struct slab_page;

// Slot sizes: 64, 128, 256, 512, 1008, 2016 bytes (each page's first 64 bytes are its header,
// so the two largest are cut to fit 4 and 2 to a page).
#define SLAB_CLASSES 6
// Largest object a slab slot holds; larger ones take whole pages.
#define SLAB_MAX_OBJECT 2016

// A budget's slab pages that still have a free slot, one list per class (embedded in
// struct page_budget; zero-initialised means empty).
struct slab_lists {
    struct slab_page *partial[SLAB_CLASSES];
};

// `size` zeroed bytes, 16-byte aligned, charged to b (NULL: the kernel's own objects, charged
// to no one). NULL with nothing changed when b cannot pay for a new page or the pmm has none:
// a caller may allocate first and construct after, with no undo on the failure path.
void *slab_alloc(struct page_budget *b, size_t size);
// Free what slab_alloc(b, size) returned, with the same b and size. Panics on a pointer that
// is not a live object of that size and budget (a kernel bug).
void slab_free(struct page_budget *b, void *obj, size_t size);

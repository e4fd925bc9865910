// Slab allocator for kernel objects (see slab.h).
//
// A slab page starts with a header (struct slab_page, padded to SLAB_HEADER bytes) and holds
// slots of one class after it. The header's free mask has one bit per slot, so allocation is a
// count-trailing-zeros, a free checks for a double free, and no link lives in a free slot.
// A page with a free slot is on its budget's partial list of that class; a full one is on no
// list (its objects reach it by address); an empty one goes back to the pmm at once.
#include "slab.h"
#include <stdbool.h>
#include "budget.h"
#include "lib/string.h"
#include "panic.h"

#if defined(__SANITIZE_ADDRESS__)
#define SLAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SLAB_ASAN 1
#endif
#endif

#ifdef SLAB_ASAN
// Host tests: a free slot is poisoned, so a use after free of an object trips ASan.
#include <sanitizer/asan_interface.h>
static void poison(void *p, size_t n) { ASAN_POISON_MEMORY_REGION(p, n); }
static void unpoison(void *p, size_t n) { ASAN_UNPOISON_MEMORY_REGION(p, n); }
#else
static void poison(void *p, size_t n) { (void)p, (void)n; }
static void unpoison(void *p, size_t n) { (void)p, (void)n; }
#endif

#define SLAB_HEADER 64
#define SLAB_MAGIC 0x736c6162u  // "slab": catches a free of memory that is no slab object

struct slab_page {
    struct slab_page *next, *prev;  // on budget->slabs.partial[size_class] while not full
    struct page_budget *budget;     // pays for this page
    uint64_t free;                  // bit i set: slot i is free
    uint32_t size_class;
    uint32_t magic;
};
_Static_assert(sizeof(struct slab_page) <= SLAB_HEADER, "slab header grew");

static const uint16_t class_size[SLAB_CLASSES] = { 64, 128, 256, 512, 1008, 2016 };
_Static_assert(SLAB_MAX_OBJECT == 2016, "SLAB_MAX_OBJECT is the largest class");
_Static_assert((PAGE_SIZE - SLAB_HEADER) / 64 <= 64, "the free mask is one word");
_Static_assert((PAGE_SIZE - SLAB_HEADER) / SLAB_MAX_OBJECT >= 2, "a slab holds two objects");

// The kernel's own objects (boot processes' structs): no one pays, nothing limits them.
static struct page_budget kernel_objects = { .limit = SIZE_MAX };

static uint32_t slots_of(uint32_t c)
{
    return (uint32_t)((PAGE_SIZE - SLAB_HEADER) / class_size[c]);
}

static uint64_t all_free(uint32_t c)
{
    return (1ull << slots_of(c)) - 1;
}

// The smallest class holding size bytes, or SLAB_CLASSES if none does.
static uint32_t class_of(size_t size)
{
    uint32_t c = 0;
    while (c < SLAB_CLASSES && class_size[c] < size)
        c++;
    return c;
}

static void *slot(struct slab_page *s, uint32_t i)
{
    return (char *)s + SLAB_HEADER + (size_t)i * class_size[s->size_class];
}

static void push_partial(struct page_budget *b, struct slab_page *s)
{
    struct slab_page **head = &b->slabs.partial[s->size_class];
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
}

static void unlink_partial(struct page_budget *b, struct slab_page *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        b->slabs.partial[s->size_class] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
}

// A fresh page of class c for b, on b's partial list; NULL (nothing charged) when short.
static struct slab_page *grow(struct page_budget *b, uint32_t c)
{
    paddr_t pa = budget_alloc_unzeroed(b, 1, 1);  // slab_alloc zeroes each object it hands out
    if (!pa)
        return NULL;
    struct slab_page *s = pa_to_kva(pa);
    s->budget = b;
    s->free = all_free(c);
    s->size_class = c;
    s->magic = SLAB_MAGIC;
    poison(slot(s, 0), PAGE_SIZE - SLAB_HEADER);
    push_partial(b, s);
    return s;
}

static void shrink(struct page_budget *b, struct slab_page *s)
{
    unlink_partial(b, s);
    s->magic = 0;
    unpoison(s, PAGE_SIZE);
    budget_free(b, kva_to_pa(s), 1);
}

void *slab_alloc(struct page_budget *b, size_t size)
{
    b = b ? b : &kernel_objects;
    uint32_t c = class_of(size);
    if (c == SLAB_CLASSES) {
        paddr_t pa = budget_alloc(b, PAGE_ROUND_UP(size) / PAGE_SIZE);
        return pa ? pa_to_kva(pa) : NULL;
    }
    struct slab_page *s = b->slabs.partial[c];
    if (!s && !(s = grow(b, c)))
        return NULL;
    uint32_t i = (uint32_t)__builtin_ctzll(s->free);
    s->free &= ~(1ull << i);
    if (!s->free)
        unlink_partial(b, s);
    void *obj = slot(s, i);
    unpoison(obj, size);
    return memset(obj, 0, size);
}

// The slot obj is in s, which must be a slab page of class c paid for by b.
static uint32_t slot_index(const struct slab_page *s, const struct page_budget *b, uint32_t c,
                           const void *obj)
{
    size_t off = (size_t)((const char *)obj - (const char *)s);
    if (s->magic != SLAB_MAGIC || s->size_class != c || s->budget != b || off < SLAB_HEADER ||
        (off - SLAB_HEADER) % class_size[c] != 0)
        panic("slab_free: %p is no object of %lu bytes of this budget", obj,
              (unsigned long)class_size[c]);
    return (uint32_t)((off - SLAB_HEADER) / class_size[c]);
}

void slab_free(struct page_budget *b, void *obj, size_t size)
{
    b = b ? b : &kernel_objects;
    uint32_t c = class_of(size);
    if (c == SLAB_CLASSES) {
        budget_free(b, kva_to_pa(obj), PAGE_ROUND_UP(size) / PAGE_SIZE);
        return;
    }
    struct slab_page *s = (struct slab_page *)PAGE_ROUND_DOWN((uintptr_t)obj);
    uint64_t bit = 1ull << slot_index(s, b, c, obj);
    if (s->free & bit)
        panic("slab_free: double free of %p", obj);
    bool was_full = s->free == 0;
    s->free |= bit;
    poison(obj, class_size[c]);
    if (was_full)
        push_partial(b, s);
    if (s->free == all_free(c))
        shrink(b, s);
}

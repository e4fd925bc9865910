// Page budgets (see budget.h).
#include "budget.h"
#include <stdbool.h>
#include <nexus/errors.h>
#include "panic.h"
#include "pmm.h"

bool budget_room(const struct page_budget *b, size_t n)
{
    return n <= b->limit - b->used;
}

int budget_charge(struct page_budget *b, size_t n)
{
    if (!budget_room(b, n))
        return NX_ERR_NO_MEMORY;
    b->used += n;
    return NX_OK;
}

void budget_uncharge(struct page_budget *b, size_t n)
{
    if (n > b->used)
        panic("budget underflow (%lu > %lu)", (unsigned long)n, (unsigned long)b->used);
    b->used -= n;
}

static paddr_t alloc_charged(struct page_budget *b, size_t n, size_t align, bool zero)
{
    if (!budget_room(b, n))
        return 0;
    paddr_t pa = n > 1 ? (zero ? pmm_alloc_contig : pmm_alloc_contig_unzeroed)(n, align)
                       : zero ? pmm_alloc() : pmm_alloc_unzeroed();
    if (pa)
        b->used += n;
    return pa;
}

paddr_t budget_alloc_aligned(struct page_budget *b, size_t n, size_t align)
{
    return alloc_charged(b, n, align, true);
}

paddr_t budget_alloc_unzeroed(struct page_budget *b, size_t n, size_t align)
{
    return alloc_charged(b, n, align, false);
}

paddr_t budget_alloc(struct page_budget *b, size_t n)
{
    return budget_alloc_aligned(b, n, 1);
}

void budget_free(struct page_budget *b, paddr_t pa, size_t n)
{
    if (n == 1)
        pmm_free(pa);
    else
        pmm_free_contig(pa, n);
    budget_uncharge(b, n);
}

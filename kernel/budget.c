// Page budgets (see budget.h).
#include "budget.h"
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

paddr_t budget_alloc_aligned(struct page_budget *b, size_t n, size_t align)
{
    if (!budget_room(b, n))
        return 0;
    paddr_t pa = n == 1 ? pmm_alloc() : pmm_alloc_contig(n, align);
    if (pa)
        b->used += n;
    return pa;
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

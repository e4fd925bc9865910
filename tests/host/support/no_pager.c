// For host tests of aspace.c that make no paged VMO: aspace.c calls the pager only for a VMO
// with paging state, so reaching any of these is a test bug.
#include "pager.h"
#include "panic.h"

int pager_await(struct vmo *v, size_t index, bool write)
{
    panic("no pager in this test (%p %zu %d)", (void *)v, index, write);
}

bool pager_page_dirty(const struct vmo *v, size_t index)
{
    panic("no pager in this test (%p %zu)", (void *)v, index);
}

int pager_mapper_add(struct vmo *v, struct process *p)
{
    panic("no pager in this test (%p %p)", (void *)v, (void *)p);
}

void pager_mapper_remove(struct vmo *v, struct process *p)
{
    panic("no pager in this test (%p %p)", (void *)v, (void *)p);
}

// For host tests of aspace.c that make no paged VMO: aspace.c calls the pager only for a VMO
// with paging state, so reaching any of these is a test bug.
#include "pager.h"
#include "panic.h"

int pager_await(struct vmo *v, size_t index, bool write, bool *dirty)
{
    panic("no pager in this test (%p %zu %d %p)", (void *)v, index, write, (void *)dirty);
}

size_t pager_peek_run(struct vmo *v, size_t index, size_t n, bool *dirty)
{
    panic("no pager in this test (%p %zu %zu %p)", (void *)v, index, n, (void *)dirty);
}

int pager_mapper_add(struct vmo *v, struct process *p)
{
    panic("no pager in this test (%p %p)", (void *)v, (void *)p);
}

void pager_mapper_remove(struct vmo *v, struct process *p)
{
    panic("no pager in this test (%p %p)", (void *)v, (void *)p);
}

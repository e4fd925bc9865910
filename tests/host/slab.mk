# The kernel object allocator (kernel/slab.c) over real budgets and the pmm on a host buffer.
HOST_TESTS += slab
slab_SRCS := kernel/slab.c kernel/budget.c kernel/pmm.c tests/host/support/panic_stub.c

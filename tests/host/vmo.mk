# VMO page logic (kernel/vmo.c) over the real pmm, which manages a host buffer.
HOST_TESTS += vmo
vmo_SRCS := kernel/vmo.c kernel/radix.c kernel/budget.c kernel/slab.c kernel/object.c kernel/pmm.c tests/host/support/panic_stub.c

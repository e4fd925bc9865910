# Sparse page-indexed arrays (kernel/radix.c) against a flat shadow, over the real pmm.
HOST_TESTS += radix
radix_SRCS := kernel/radix.c kernel/budget.c kernel/slab.c kernel/pmm.c tests/host/support/panic_stub.c

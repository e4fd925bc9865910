# The pager state machine (kernel/pager.c) over real VMOs, address spaces, page tables and the
# pmm on a host buffer, with the fake scheduler (nothing blocks: the test plays the threads).
HOST_TESTS += pager
pager_SRCS := kernel/pager.c kernel/aspace.c kernel/vmo.c kernel/radix.c kernel/budget.c kernel/slab.c \
              kernel/object.c kernel/pmm.c kernel/handle.c kernel/arch/riscv/pagetable.c \
              tests/host/support/fake_kernel.c tests/host/support/panic_stub.c

# Address spaces (kernel/aspace.c) over real page tables, VMOs and the pmm on a host buffer.
HOST_TESTS += aspace
aspace_SRCS := kernel/aspace.c kernel/vmo.c kernel/radix.c kernel/budget.c kernel/slab.c kernel/object.c kernel/pmm.c \
               kernel/arch/riscv/pagetable.c tests/host/support/panic_stub.c \
               tests/host/support/no_pager.c

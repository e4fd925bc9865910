HOST_TESTS += pagetable
pagetable_SRCS := kernel/arch/riscv/pagetable.c kernel/pmm.c tests/host/support/panic_stub.c

HOST_TESTS += pmm
pmm_SRCS := kernel/pmm.c tests/host/support/panic_stub.c

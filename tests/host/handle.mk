HOST_TESTS += handle
handle_SRCS := kernel/handle.c kernel/object.c tests/host/support/panic_stub.c

HOST_TESTS += handle_model
handle_model_SRCS := kernel/handle.c kernel/object.c tests/host/support/panic_stub.c

# The IPC state machine (kernel/endpoint.c) through its syscall handlers, over the real handle
# tables, with the scheduler, clock and object pages faked (tests/host/support/fake_kernel.c).
HOST_TESTS += endpoint
endpoint_SRCS := kernel/endpoint.c kernel/endpoint_syscalls.c kernel/handle.c \
                 kernel/handle_syscalls.c kernel/object.c tests/host/support/fake_kernel.c \
                 tests/host/support/panic_stub.c

# libFuzzer target driving system calls from several fake processes against the real handle,
# endpoint and object code (tests/fuzz/fuzz_syscalls.c), with the scheduler faked.
FUZZ_TARGETS += syscalls
syscalls_FUZZ_SRCS := kernel/endpoint.c kernel/endpoint_syscalls.c kernel/handle.c \
                      kernel/handle_syscalls.c kernel/object.c tests/host/support/fake_kernel.c \
                      tests/host/support/panic_stub.c

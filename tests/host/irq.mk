# IRQ objects (kernel/irq.c) against a fake PLIC, over the real handle table and objects.
HOST_TESTS += irq
irq_SRCS := kernel/irq.c kernel/irq_syscalls.c kernel/handle.c kernel/handle_syscalls.c \
            kernel/object.c tests/host/support/fake_kernel.c tests/host/support/panic_stub.c

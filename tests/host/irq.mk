# IRQ objects (kernel/irq.c) against a fake PLIC, over the real handle table and objects.
HOST_TESTS += irq
irq_SRCS := kernel/irq.c kernel/handle.c kernel/handle_syscalls.c kernel/object.c \
            tests/host/support/kernel_fake.c tests/host/support/panic_stub.c

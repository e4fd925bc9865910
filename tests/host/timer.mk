# Timer objects (kernel/timer.c) over the real clock and timer queue, with a fake hardware
# timer that the test advances, so interrupts can be counted exactly; the power mode
# (kernel/power.c) and its syscall, which set every timer's least slack.
HOST_TESTS += timer
timer_SRCS := kernel/timer.c kernel/timer_syscalls.c kernel/clock.c kernel/timerq.c \
              kernel/power.c kernel/power_syscalls.c \
              kernel/handle.c kernel/handle_syscalls.c kernel/object.c \
              tests/host/support/fake_kernel.c tests/host/support/panic_stub.c

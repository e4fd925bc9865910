HOST_TESTS += timerq
timerq_SRCS := kernel/timerq.c

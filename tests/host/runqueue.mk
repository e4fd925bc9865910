HOST_TESTS += runqueue
runqueue_SRCS := kernel/runqueue.c

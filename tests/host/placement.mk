HOST_TESTS += placement
placement_SRCS := kernel/placement.c

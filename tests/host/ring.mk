# Host test for the shared-memory record ring (user/lib/ring.c).
HOST_TESTS += ring
ring_SRCS := user/lib/ring.c

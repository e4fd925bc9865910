# Host test for byte pipes' logic (user/lib/pipe.c) on the byte functions of the ring
# (user/lib/ring.c).
HOST_TESTS += pipe
pipe_SRCS := user/lib/pipe.c user/lib/ring.c

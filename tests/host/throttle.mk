# The delay after wrong passwords (user/lib/users/throttle.c, nx/throttle.h).
HOST_TESTS += throttle
throttle_SRCS := user/lib/users/throttle.c

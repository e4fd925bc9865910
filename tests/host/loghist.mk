# The log service's bounded history (user/services/log/history.c).
HOST_TESTS += loghist
loghist_SRCS := user/services/log/history.c

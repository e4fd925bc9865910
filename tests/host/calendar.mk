# Host test for wall-clock calendar arithmetic (user/lib/calendar.c, nx/time.h): checked
# against the host's gmtime_r.
HOST_TESTS += calendar
calendar_SRCS := user/lib/calendar.c

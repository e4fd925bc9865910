# The shell's command-line splitter and command lookup (user/apps/nsh/cmdline.c).
HOST_TESTS += cmdline
cmdline_SRCS := user/apps/nsh/cmdline.c

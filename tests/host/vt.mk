# The terminal emulator's core (user/apps/terminal/vt*.c; docs/terminal.md), with nsh's line
# editor drawing through it.
HOST_TESTS += vt
vt_SRCS := $(TERMINAL_VT_SRCS) user/lib/gfx/utf8.c user/apps/nsh/lineedit.c

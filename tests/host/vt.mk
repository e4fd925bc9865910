# The terminal emulator's core (user/apps/terminal/vt*.c; docs/terminal.md), with nsh's line
# editor drawing through it.
HOST_TESTS += vt
vt_SRCS := user/apps/terminal/vt.c user/apps/terminal/vt_parse.c user/apps/terminal/vt_input.c \
           user/lib/gfx/utf8.c user/apps/nsh/lineedit.c

# The editor's gap buffer (user/apps/editor/textbuf.c; docs/apps.md).
HOST_TESTS += textbuf
textbuf_SRCS := user/apps/editor/textbuf.c

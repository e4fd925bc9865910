# The shell's line editor (user/apps/nsh/lineedit.c), fed byte strings.
HOST_TESTS += lineedit
lineedit_SRCS := user/apps/nsh/lineedit.c

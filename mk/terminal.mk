# The Terminal (user/apps/terminal, docs/terminal.md): the emulator's core, also built for
# the host tests and the fuzzer, and the drawing with libnxgfx.
TERMINAL_VT_SRCS := user/apps/terminal/vt.c user/apps/terminal/vt_parse.c \
                    user/apps/terminal/vt_input.c
build/bin/terminal: build/libnxgfx.a

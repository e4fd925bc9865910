# The Terminal (user/apps/terminal, docs/terminal.md): the emulator's core, also built for
# the host tests and the fuzzer, and the drawing with libnxgfx.
TERMINAL_VT_SRCS := user/apps/terminal/vt.c user/apps/terminal/vt_parse.c \
                    user/apps/terminal/vt_input.c
build/bin/terminal: build/libnxgfx.a build/libusers.a
# The QEMU test of nsh on the Terminal's pipes (tests/qemu/progs/termtest.c) runs the
# Terminal's own code for it.
build/bin/termtest: build/user/apps/terminal/shell.c.o build/user/apps/terminal/vt.c.o \
                    build/user/apps/terminal/vt_parse.c.o build/user/apps/terminal/vt_input.c.o \
                    build/libnxgfx.a build/libusers.a
# The login screen (user/apps/greeter, docs/login.md): widgets, and the users service's client
# and the session start of libusers.
build/bin/greeter: build/libnxgfx.a build/libusers.a build/libargon2.a

# Host test for key maps and key repeat (user/lib/keymap.c, keyrepeat.c, keyboard.c;
# nx/keymap.h).
HOST_TESTS += keymap
KEYMAP_SRCS := user/lib/keymap.c user/lib/keyrepeat.c user/lib/keyboard.c
keymap_SRCS := $(KEYMAP_SRCS)

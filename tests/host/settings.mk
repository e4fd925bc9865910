# The settings store (user/lib/settings.c, nx/settings.h): the schema's ranges at their
# limits, canonical forms, a damaged file loading what it can, and round trips. The key maps
# (user/lib/keymap.c) check that every keyboard layout the schema offers exists.
HOST_TESTS += settings
settings_SRCS := user/lib/settings.c user/lib/keymap.c

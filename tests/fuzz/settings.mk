# libFuzzer target for the settings store (user/lib/settings.c, nx/settings.h). The kept
# corpus (tests/fuzz/corpus/settings/) holds a clean file, a damaged one and values at
# their limits.
FUZZ_TARGETS += settings
settings_FUZZ_SRCS := user/lib/settings.c

# libFuzzer target for the ext2/ext3 library (user/lib/fs): corrupted images mounted (with
# journal recovery), walked and changed.
FUZZ_TARGETS += ext2
ext2_FUZZ_SRCS := $(wildcard user/lib/fs/*.c) tests/host/support/ext2_memdev.c

# The ext2/ext3 file-system library (user/lib/fs) against images made by mke2fs, each
# sequence checked by e2fsck -fn (test_ext2), and the power-cut test (test_ext2crash);
# tests/host/support/ext2_memdev.c is the disk.
EXT2_SRCS := $(wildcard user/lib/fs/*.c) tests/host/support/ext2_memdev.c
HOST_TESTS += ext2 ext2crash ext2prefix
ext2_SRCS := $(EXT2_SRCS)
ext2crash_SRCS := $(EXT2_SRCS)
ext2prefix_SRCS := $(EXT2_SRCS)

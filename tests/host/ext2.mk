# The ext2/ext3 file-system library (user/lib/fs) against images made by mke2fs, each
# sequence checked by e2fsck -fn; tests/host/support/ext2_memdev.c is the disk.
EXT2_SRCS := $(wildcard user/lib/fs/*.c) tests/host/support/ext2_memdev.c
HOST_TESTS += ext2
ext2_SRCS := $(EXT2_SRCS)

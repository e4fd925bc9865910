# Host test for the boot archive's finds (user/lib/bootfs.c: the files read past remembered),
# against the cpio reader's own cpio_find on the real archive of tests/host/cpio.mk, whole
# and cut or corrupted at every entry.
HOST_TESTS += bootfs
bootfs_SRCS := user/lib/bootfs.c kernel/lib/cpio.c
bootfs_DEPS := build/test-data/test.cpio

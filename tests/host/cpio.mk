# Host test for the cpio newc reader (kernel/lib/cpio.c).
# Its input is a REAL archive written by the `cpio` tool from a small tree
# made by tests/host/data/mk_cpio_tree.sh, sorted so the entry order is fixed.
HOST_TESTS += cpio
cpio_SRCS := kernel/lib/cpio.c
cpio_DEPS := build/test-data/test.cpio

build/test-data/test.cpio: tests/host/data/mk_cpio_tree.sh tests/host/cpio.mk
	sh tests/host/data/mk_cpio_tree.sh build/test-data/cpio-root
	cd build/test-data/cpio-root && find . | LC_ALL=C sort | \
	    cpio --quiet -o -H newc > ../test.cpio.tmp
	mv $@.tmp $@

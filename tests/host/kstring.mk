# The kernel's own memcpy and memset (kernel/lib/string.c, built into the test under other
# names): every alignment pair and length up to past two blocks, against byte-wise copies.
HOST_TESTS += kstring
kstring_SRCS :=

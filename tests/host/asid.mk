HOST_TESTS += asid
asid_SRCS := kernel/asid.c

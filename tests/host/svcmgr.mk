# The service manager's name table (user/services/svcmgr/names.c).
HOST_TESTS += svcmgr
svcmgr_SRCS := user/services/svcmgr/names.c

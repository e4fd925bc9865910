# Path arithmetic shared by the file system service and libnx (user/lib/path.c).
HOST_TESTS += path
path_SRCS := user/lib/path.c

# The file system service's filebuffer bookkeeping (user/services/fs/fbuf.c).
HOST_TESTS += fbuf
fbuf_SRCS := user/services/fs/fbuf.c user/lib/path.c

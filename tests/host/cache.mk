# The file system service's page cache policy (user/services/fs/cache.c).
HOST_TESTS += cache
cache_SRCS := user/services/fs/cache.c user/services/fs/fbuf.c user/lib/path.c

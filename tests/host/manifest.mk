# The boot manifest parser of init (user/init/manifest.c).
HOST_TESTS += manifest
manifest_SRCS := user/init/manifest.c
manifest_SRCS += user/init/restart.c

# The virtio-rng driver's pure parts: the entropy pool's bookkeeping and the request size
# checks (user/drivers/virtio-rng/pool.c).
HOST_TESTS += rng
rng_SRCS := user/drivers/virtio-rng/pool.c

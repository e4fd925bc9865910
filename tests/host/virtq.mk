# The split virtqueue ring arithmetic of the shared virtio transport (user/lib/virtio/virtq.c)
# and the block driver's request checks (user/drivers/virtio-blk/request.c).
HOST_TESTS += virtq
virtq_SRCS := user/lib/virtio/virtq.c user/drivers/virtio-blk/request.c

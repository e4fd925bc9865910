# The block driver's pure parts: split virtqueue ring arithmetic and request checks
# (user/drivers/virtio-blk/virtq.c, request.c).
HOST_TESTS += virtq
virtq_SRCS := user/drivers/virtio-blk/virtq.c user/drivers/virtio-blk/request.c

# The virtio GPU driver's pure parts: responses, mode, backing entries, damage clipping
# (user/drivers/virtio-gpu/proto.c) and the boot screen (bootscreen.c).
HOST_TESTS += virtio_gpu
virtio_gpu_SRCS := user/drivers/virtio-gpu/proto.c user/drivers/virtio-gpu/bootscreen.c

# libFuzzer target for what a virtio device hands the drivers: the used ring of the shared
# virtqueue (user/lib/virtio/virtq.c) and the GPU's responses and display info
# (user/drivers/virtio-gpu/proto.c).
FUZZ_TARGETS += virtio
virtio_FUZZ_SRCS := user/lib/virtio/virtq.c user/drivers/virtio-gpu/proto.c

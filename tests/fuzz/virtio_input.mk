# libFuzzer target for what a virtio input device hands its driver: configuration data and
# events (user/drivers/virtio-input/proto.c).
FUZZ_TARGETS += virtio_input
virtio_input_FUZZ_SRCS := user/drivers/virtio-input/proto.c

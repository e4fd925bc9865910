# The virtio input driver's pure parts: configuration parsing, event checks and translation,
# axis scaling (user/drivers/virtio-input/proto.c).
HOST_TESTS += virtio_input
virtio_input_SRCS := user/drivers/virtio-input/proto.c

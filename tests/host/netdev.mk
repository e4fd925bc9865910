# The virtio-net driver's bookkeeping: slot ownership, records from the stack and used entries
# from the device checked and followed (user/drivers/virtio-net/slots.c), over the shared
# virtqueue and record ring.
HOST_TESTS += netdev
netdev_SRCS := user/drivers/virtio-net/slots.c user/lib/virtio/virtq.c user/lib/ring.c

# libFuzzer target for the virtio-net driver's receive path: what a device writes in the used
# rings and what a stack writes in the control VMO's rings (user/drivers/virtio-net/slots.c).
FUZZ_TARGETS += netdev
netdev_FUZZ_SRCS := user/drivers/virtio-net/slots.c user/lib/virtio/virtq.c user/lib/ring.c

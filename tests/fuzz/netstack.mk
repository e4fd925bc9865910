# libFuzzer target for the stack's receive path: arbitrary records and frames from the driver
# into the netif (user/services/netstack/link.c) and lwIP's input, checksums not checked
# (lwipopts.h, NETSTACK_FUZZ) so that every frame reaches the protocols' parsers.
FUZZ_TARGETS += netstack
netstack_FUZZ_SRCS := user/lib/ring.c user/services/netstack/link.c user/services/netstack/timers.c \
                      tests/host/netdev_fake.c \
                      $(LWIP_SRCS)
build/fuzz/obj/fuzz_netstack/%.o: FUZZ_CFLAGS += $(LWIP_INC) -DNETSTACK_FUZZ
build/fuzz/obj/fuzz_netstack/tests/fuzz/fuzz_netstack.o: | $(LWIP_DIR)/.version

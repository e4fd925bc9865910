# Host test for the TCP/IP stack's netif over the driver protocol (user/services/netstack/
# link.c, nx/netdev.h) with lwIP itself (mk/lwip.mk), through a driver faked in memory.
HOST_TESTS += netstack
NETSTACK_SRCS := user/lib/ring.c user/services/netstack/link.c user/services/netstack/timers.c \
                 tests/host/netdev_fake.c \
                 $(LWIP_SRCS)
netstack_SRCS := $(NETSTACK_SRCS)
build/host/obj/test_netstack/%.o: HOST_CFLAGS += $(LWIP_INC)
build/host/obj/test_netstack/$(LWIP_DIR)/%.o: HOST_CFLAGS += $(LWIP_WARN)
build/host/obj/test_netstack/tests/host/test_netstack.o: | $(LWIP_DIR)/.version

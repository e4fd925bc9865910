# lwIP 2.1.3 (Debian's source package, fetched on demand into build/src/lwip, never committed)
# for the TCP/IP stack service (user/services/netstack, docs/network.md "The port"):
# build/liblwip.a for RISC-V with the user flags, and the same sources compiled into the
# host test and the fuzzer (tests/host/netstack.mk, tests/fuzz/netstack.mk).
# The core only: IPv4 with ARP, ICMP, UDP, TCP, raw, DHCP and DNS over Ethernet; no
# sequential or socket API (the service uses the raw API in one thread, NO_SYS=1).
LWIP_VERSION := 2.1.3+dfsg1-2
LWIP_DIR     := build/src/lwip
LWIP_PORT    := user/services/netstack
LWIP_SRCS    := $(addprefix $(LWIP_DIR)/src/core/,init.c def.c dns.c inet_chksum.c ip.c mem.c \
                  memp.c netif.c pbuf.c raw.c stats.c sys.c tcp.c tcp_in.c tcp_out.c \
                  timeouts.c udp.c) \
                $(addprefix $(LWIP_DIR)/src/core/ipv4/,dhcp.c etharp.c icmp.c ip4.c \
                  ip4_addr.c ip4_frag.c) \
                $(LWIP_DIR)/src/netif/ethernet.c
# The port's headers (lwipopts.h, arch/) come before lwIP's own.
LWIP_INC     := -I$(LWIP_PORT) -I$(LWIP_DIR)/src/include
# lwIP's sources are not written for -Wextra -Werror: their warnings are shown, not fatal,
# and the noisiest (unused parameters of disabled features, signed/unsigned comparisons)
# are silenced. The service's own sources keep every warning.
LWIP_WARN    := -Wno-error -Wno-unused-parameter -Wno-sign-compare -Wno-address \
                -Wno-unused-but-set-variable
LWIP_OBJS    := $(patsubst $(LWIP_DIR)/%.c,build/lwip/%.c.o,$(LWIP_SRCS))

$(LWIP_DIR)/.version:
	tools/fetch-source lwip $(LWIP_VERSION)
# The sources exist once the package is fetched.
$(LWIP_SRCS): | $(LWIP_DIR)/.version

build/lwip/%.c.o: $(LWIP_DIR)/%.c $(USER_FLAGS) $(wildcard $(LWIP_PORT)/*.h $(LWIP_PORT)/arch/*.h)
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) $(LWIP_INC) $(LWIP_WARN) -c -o $@ $<
build/liblwip.a: $(LWIP_OBJS)
	rm -f $@ && $(CROSS)ar rcs $@ $^

build/bin/netstack: build/liblwip.a
build/user/services/netstack/%.c.o: USER_CFLAGS += $(LWIP_INC)
$(patsubst %.c,build/%.c.o,$(wildcard $(LWIP_PORT)/*.c)): | $(LWIP_DIR)/.version

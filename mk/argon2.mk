# Argon2 (the reference implementation of the Password Hashing Competition's winner, CC0) for
# the user database (user/lib/users.c, docs/login.md). Debian's `argon2` source package is the
# first choice, but its upstream tarball (argon2_0~20171227.orig.tar.gz) is missing from the
# package registry this project reaches (404), so the same reference code comes from
# Debian's cryptsetup source package, which bundles it unchanged (lib/crypto_backend/argon2,
# README: "copied from P-H-C/phc-winner-argon2"). Fetched on demand into build/src/cryptsetup,
# never committed. Built with threads off (ARGON2_NO_THREADS: one lane, p = 1) and the
# portable `ref.c` (no SSE), for RISC-V (build/libargon2.a) and into the host test and fuzzer.
ARGON2_VERSION := 2:2.6.1-4~deb12u2
ARGON2_PKG     := build/src/cryptsetup
ARGON2_DIR     := $(ARGON2_PKG)/lib/crypto_backend/argon2
ARGON2_SRCS    := $(addprefix $(ARGON2_DIR)/,argon2.c core.c encoding.c ref.c blake2/blake2b.c)
ARGON2_INC     := -I$(ARGON2_DIR)
ARGON2_DEFS    := -DARGON2_NO_THREADS
# The reference code is not written for -Wextra -Werror: its warnings are shown, not fatal.
ARGON2_WARN    := -Wno-error -Wno-unused-parameter
ARGON2_OBJS    := $(patsubst $(ARGON2_PKG)/%.c,build/argon2/%.c.o,$(ARGON2_SRCS))

$(ARGON2_PKG)/.version:
	tools/fetch-source cryptsetup $(ARGON2_VERSION)
$(ARGON2_SRCS): | $(ARGON2_PKG)/.version

build/argon2/%.c.o: $(ARGON2_PKG)/%.c $(USER_FLAGS)
	@mkdir -p $(@D)
	$(CC_RV) $(USER_CFLAGS) $(ARGON2_INC) $(ARGON2_DEFS) $(ARGON2_WARN) -c -o $@ $<
build/libargon2.a: $(ARGON2_OBJS)
	rm -f $@ && $(CROSS)ar rcs $@ $^

# The user database (user/lib/users): its own archive, outside libnx (which every program
# links whole), so only the programs that check passwords carry Argon2:
#   build/bin/PROGRAM: build/libusers.a build/libargon2.a
build/user/lib/users/%.c.o: USER_CFLAGS += $(ARGON2_INC)
$(patsubst %.c,build/%.c.o,$(wildcard user/lib/users/*.c)): | $(ARGON2_PKG)/.version
build/libusers.a: $(patsubst %.c,build/%.c.o,$(wildcard user/lib/users/*.c))
	rm -f $@ && $(CROSS)ar rcs $@ $^
build/bin/users build/bin/login build/bin/nsh: build/libusers.a build/libargon2.a
# make bench's guibench calls the users service (login_hash_instr): the client only.
build/bin/guibench: build/libusers.a

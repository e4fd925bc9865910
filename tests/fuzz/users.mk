# libFuzzer target for the users file (user/lib/users/users.c, nx/users.h), seeded with a
# file of each kind of line.
FUZZ_TARGETS += users
users_FUZZ_SRCS := user/lib/users/users.c $(ARGON2_SRCS)
build/fuzz/obj/fuzz_users/%.o: FUZZ_CFLAGS += $(ARGON2_INC) $(ARGON2_DEFS)
build/fuzz/obj/fuzz_users/$(ARGON2_PKG)/%.o: FUZZ_CFLAGS += -w
build/fuzz/obj/fuzz_users/user/lib/users/users.o: | $(ARGON2_PKG)/.version
build/fuzz/fuzz_users: | build/fuzz/corpus_users/.seeded
build/fuzz/corpus_users/.seeded: tests/fuzz/users.mk
	mkdir -p $(@D)
	printf '# users\nroot:0:/:!\nnexus:1000:/home/nexus:$$argon2id$$v=19$$m=7168,t=5,p=1$$MDEyMzQ1Njc4OWFiY2RlZg$$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E\n' > $(@D)/seed
	touch $@

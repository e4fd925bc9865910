# The user database (user/lib/users, nx/users.h) with the Argon2 reference code (mk/argon2.mk):
# the file's parser and writer, password checks, and Argon2id against RFC 9106's vector.
HOST_TESTS += users
users_SRCS := user/lib/users/users.c $(ARGON2_SRCS)
build/host/obj/test_users/%.o: HOST_CFLAGS += $(ARGON2_INC) $(ARGON2_DEFS)
build/host/obj/test_users/$(ARGON2_PKG)/%.o: HOST_CFLAGS += $(ARGON2_WARN)
build/host/obj/test_users/tests/host/test_users.o: | $(ARGON2_PKG)/.version
build/host/obj/test_users/user/lib/users/users.o: | $(ARGON2_PKG)/.version

# Host unit tests: each tests/host/<name>.mk declares
#   HOST_TESTS += <name>
#   <name>_SRCS := kernel sources the test links with
#   <name>_DEPS := files the test reads at run time (built by rules in the same fragment)
# and tests/host/test_<name>.c holds the cmocka tests. Every test builds with ASan+UBSan.
HOST_CC      ?= cc
HOST_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all \
                -DNEXUS_HOST -Ikernel -Iinclude -Itests/host -Iuser/lib/include -Iuser/lib
HOST_LDLIBS  := -lcmocka

HOST_TESTS :=
-include $(wildcard tests/host/*.mk)

HOST_BINS := $(addprefix build/host/test_,$(HOST_TESTS))

# Each binary (test or fuzz target) compiles its sources to objects of its own, under
# build/{host,fuzz}/obj/<binary>/<source path>.o, with -MMD -MP like the kernel: the .d files
# (included by the Makefile) make a change to any header rebuild every binary using it.
# $(call bin_objs,BINARY,SOURCES); $(call obj_source,STEM): the source of obj/STEM.o.
bin_objs   = $(patsubst %.c,$(dir $(1))obj/$(notdir $(1))/%.o,$(2))
obj_source = $(patsubst $(firstword $(subst /, ,$(1)))/%,%,$(1)).c
.PRECIOUS: build/host/obj/%.o build/fuzz/obj/%.o

build/host/test_%: $$(call bin_objs,$$@,tests/host/test_$$*.c $$($$*_SRCS))
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $^ $(HOST_LDLIBS)
build/host/obj/%.o: $$(call obj_source,$$*)
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c -o $@ $<

.PHONY: host-test
host-test: $(HOST_BINS) $(foreach t,$(HOST_TESTS),$($(t)_DEPS))
	@set -e; for t in $(HOST_BINS); do echo "== $$t"; ASAN_OPTIONS=detect_leaks=1 $$t; done

# Fuzz targets: tests/fuzz/fuzz_<name>.c with LLVMFuzzerTestOneInput; <name>_FUZZ_SRCS in a fragment.
FUZZ_TARGETS :=
-include $(wildcard tests/fuzz/*.mk)
FUZZ_SECONDS ?= 20
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -DNEXUS_HOST -Ikernel -Iinclude \
               -Iuser/lib/include

build/fuzz/fuzz_%: $$(call bin_objs,$$@,tests/fuzz/fuzz_$$*.c $$($$*_FUZZ_SRCS))
	clang $(FUZZ_CFLAGS) -o $@ $^
build/fuzz/obj/%.o: $$(call obj_source,$$*)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

.PHONY: fuzz
fuzz: $(addprefix build/fuzz/fuzz_,$(FUZZ_TARGETS))
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus_$$t; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS)s"; \
	  build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build/fuzz/corpus_$$t $$(ls -d tests/fuzz/seeds_$$t 2>/dev/null); \
	done

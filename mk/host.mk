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
# Each target runs on the kept corpus tests/fuzz/corpus/<name>/ and a build corpus
# (build/fuzz/corpus_<name>: the seeds its fragment makes, and new finds), so fuzzing never
# writes to the tree; tests/fuzz/regress/<name>/ holds inputs that once crashed it, run every time.
# `make fuzz-corpus` merges what the build copies found back into the kept corpus
# (libFuzzer -merge=1: only inputs adding coverage, smallest first). docs/testing.md.
FUZZ_TARGETS :=
-include $(wildcard tests/fuzz/*.mk)
FUZZ_SECONDS ?= 20
# make test fuzzes every target this long: long enough to replay the corpus and find shallow
# regressions, short enough for CI.
FUZZ_QUICK_SECONDS ?= 8
# ...with a fixed seed, so that make test explores the same inputs on every machine: a crash
# it reports is reproducible, not the luck of one run. make fuzz takes a random seed each run.
FUZZ_QUICK_SEED ?= 1
FUZZ_MAX_LEN ?= 65536
# The kept corpus stays small (docs/testing.md): only inputs up to FUZZ_KEEP_MAX_LEN bytes
# enter it (longer finds stay in the build corpus), and fuzz-corpus refuses to grow it past
# FUZZ_CORPUS_MAX_KIB in all.
FUZZ_KEEP_MAX_LEN := 16384
FUZZ_CORPUS_MAX_KIB := 2048
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -DNEXUS_HOST -Ikernel -Iinclude \
               -Iuser/lib/include -Itests/host

build/fuzz/fuzz_%: $$(call bin_objs,$$@,tests/fuzz/fuzz_$$*.c $$($$*_FUZZ_SRCS))
	clang $(FUZZ_CFLAGS) -o $@ $^
build/fuzz/obj/%.o: $$(call obj_source,$$*)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

FUZZ_BINS := $(addprefix build/fuzz/fuzz_,$(FUZZ_TARGETS))

# One fuzzer: it reads every corpus directory and writes new finds only to the first, the
# build copy; crash inputs go to build/fuzz/artifacts/.
define fuzz_run
mkdir -p build/fuzz/corpus_$(1) build/fuzz/artifacts && \
echo "== fuzz $(1) for $(2)s" && \
build/fuzz/fuzz_$(1) -max_total_time=$(2) -max_len=$(FUZZ_MAX_LEN) -print_final_stats=0 $(3) \
    -artifact_prefix=build/fuzz/artifacts/$(1)- \
    build/fuzz/corpus_$(1) $$(ls -d tests/fuzz/corpus/$(1) tests/fuzz/regress/$(1) 2>/dev/null) 2>build/fuzz/$(1).log || \
    { tail -60 build/fuzz/$(1).log; exit 1; }; \
grep -E "^Done [0-9]+ runs" build/fuzz/$(1).log | tail -1
endef

.PHONY: fuzz fuzz-quick fuzz-corpus
fuzz: $(FUZZ_BINS)
	@set -e; $(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t),$(FUZZ_SECONDS));)

fuzz-quick: $(FUZZ_BINS)
	@set -e; $(foreach t,$(FUZZ_TARGETS),$(call fuzz_run,$(t),$(FUZZ_QUICK_SECONDS),-seed=$(FUZZ_QUICK_SEED));)

fuzz-corpus: $(FUZZ_BINS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  rm -rf build/fuzz/merge_$$t build/fuzz/keep_$$t; \
	  mkdir -p build/fuzz/merge_$$t build/fuzz/keep_$$t build/fuzz/corpus_$$t tests/fuzz/corpus/$$t; \
	  find build/fuzz/corpus_$$t -type f -size -$$(($(FUZZ_KEEP_MAX_LEN) + 1))c \
	      -exec cp {} build/fuzz/keep_$$t/ \; ; \
	  build/fuzz/fuzz_$$t -merge=1 -max_len=$(FUZZ_KEEP_MAX_LEN) build/fuzz/merge_$$t \
	      tests/fuzz/corpus/$$t build/fuzz/keep_$$t 2>build/fuzz/merge_$$t.log; \
	  rm -rf tests/fuzz/corpus/$$t; mv build/fuzz/merge_$$t tests/fuzz/corpus/$$t; \
	  echo "== $$t: $$(ls tests/fuzz/corpus/$$t | wc -l) inputs, $$(du -sk --apparent-size tests/fuzz/corpus/$$t | cut -f1) KiB"; \
	done; \
	kib=$$(du -sk --apparent-size tests/fuzz/corpus | cut -f1); echo "== kept corpus: $$kib KiB"; \
	if [ $$kib -gt $(FUZZ_CORPUS_MAX_KIB) ]; then \
	  echo "fuzz-corpus: over $(FUZZ_CORPUS_MAX_KIB) KiB: lower FUZZ_MAX_LEN or prune" >&2; exit 1; fi

# libFuzzer target for the cpio newc reader. The real archive from
# tests/host/cpio.mk seeds its corpus (build/fuzz/corpus_cpio, used by `make fuzz`).
FUZZ_TARGETS += cpio
cpio_FUZZ_SRCS := kernel/lib/cpio.c

build/fuzz/fuzz_cpio: | build/fuzz/corpus_cpio/.seeded
build/fuzz/corpus_cpio/.seeded: $(cpio_DEPS)
	mkdir -p $(@D)
	cp $^ $(@D)/
	touch $@

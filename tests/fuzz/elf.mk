# libFuzzer target for the ELF validator. The real test executables from
# tests/host/elf.mk seed its corpus (build/fuzz/corpus_elf, used by `make fuzz`).
FUZZ_TARGETS += elf
elf_FUZZ_SRCS := kernel/lib/elf.c

build/fuzz/fuzz_elf: | build/fuzz/corpus_elf/.seeded
build/fuzz/corpus_elf/.seeded: $(elf_DEPS)
	mkdir -p $(@D)
	cp $^ $(@D)/
	touch $@

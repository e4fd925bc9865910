# libFuzzer target for init's manifest parser (user/init/manifest.c), seeded with the default
# and test manifests.
FUZZ_TARGETS += manifest
manifest_FUZZ_SRCS := user/init/manifest.c

build/fuzz/fuzz_manifest: | build/fuzz/corpus_manifest/.seeded
build/fuzz/corpus_manifest/.seeded: user/init/manifest.txt $(wildcard tests/qemu/manifests/*)
	mkdir -p $(@D)
	cp $^ $(@D)/
	touch $@

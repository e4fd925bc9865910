# libFuzzer target for app manifests (user/lib/app_manifest.c, nx/app.h), seeded with the
# kept corpus (tests/fuzz/corpus/app_manifest/) and the manifests the archives carry.
FUZZ_TARGETS += app_manifest
app_manifest_FUZZ_SRCS := user/lib/app_manifest.c

build/fuzz/fuzz_app_manifest: | build/fuzz/corpus_app_manifest/.seeded
build/fuzz/corpus_app_manifest/.seeded: $(wildcard user/apps/*/*.app tests/qemu/apps/*.app)
	mkdir -p $(@D)
	$(if $^,cp $^ $(@D)/)
	touch $@

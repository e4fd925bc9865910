# libFuzzer targets for the graphics library (user/lib/gfx): text (UTF-8 decoding, layout,
# drawing through a small glyph cache; the DejaVu fonts of fonts-dejavu-core), damage
# regions (random operations against a bitmap), attaching a shared glyph atlas (bytes
# from a producer: raw, or patches to a real atlas) and widgets (any events into a form). GFX_SRCS, GFX_CFLAGS: mk/gfx.mk.
FUZZ_TARGETS += gfx_text gfx_damage gfx_atlas gfx_widget
gfx_text_FUZZ_SRCS := $(GFX_SRCS)
gfx_atlas_FUZZ_SRCS := $(GFX_SRCS) tests/host/support/gfx_files.c
gfx_widget_FUZZ_SRCS := $(GFX_SRCS) tests/host/support/gfx_files.c
gfx_damage_FUZZ_SRCS := user/lib/gfx/rect.c user/lib/gfx/damage.c
build/fuzz/obj/fuzz_gfx%.o: FUZZ_CFLAGS += $(GFX_CFLAGS)

# (Its maths functions come from libm, which clang links for libFuzzer's C++ runtime.)
gfx_text_FUZZ_SRCS += tests/host/support/gfx_files.c
# Seeds: a line of the golden scenes at 13 px in each font, kerned, and an empty region op.
build/fuzz/fuzz_gfx_text: | build/fuzz/corpus_gfx_text/.seeded
build/fuzz/corpus_gfx_text/.seeded: tests/fuzz/gfx.mk
	mkdir -p $(@D)
	printf '\011\001\010\014Hello, w\303\266rld! \303\244\303\266\303\274 \342\202\254 AVTo' > $(@D)/sans
	printf '\011\002\000\020Hello, w\303\266rld! \303\244\303\266\303\274 \342\202\254 0Oo1lI' > $(@D)/mono
	touch $@
# Seeds: a real atlas unchanged, and with its magic's first byte changed.
build/fuzz/fuzz_gfx_atlas: | build/fuzz/corpus_gfx_atlas/.seeded
build/fuzz/corpus_gfx_atlas/.seeded: tests/fuzz/gfx.mk
	mkdir -p $(@D)
	printf '\001' > $(@D)/real
	printf '\001\000\000\000' > $(@D)/magic
	touch $@

# libFuzzer target for what clients send the compositor (user/services/compositor): surface
# requests and presents checked and clipped, damage split among the windows over it.
FUZZ_TARGETS += compositor
compositor_FUZZ_SRCS := user/services/compositor/region.c user/services/compositor/scene.c \
                        user/services/compositor/request.c user/lib/gfx/rect.c

# The compositor's pure parts (user/services/compositor): the region maths (which window owns
# each damaged pixel), window frames, hit tests and stacking, and the checks of its clients'
# requests. Also fuzzed (tests/fuzz/compositor.mk).
HOST_TESTS += compositor
compositor_SRCS := user/services/compositor/region.c user/services/compositor/scene.c \
                   user/services/compositor/request.c user/lib/gfx/rect.c

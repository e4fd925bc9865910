# Host test for the loader's pure parts: the segment -> VMO plan (user/lib/loader_plan.c, on
# a real executable from tests/host/elf.mk) and the startup protocol's packing and state
# machine (user/lib/startup.c).
HOST_TESTS += loader
loader_SRCS := user/lib/loader_plan.c user/lib/startup.c kernel/lib/elf.c
loader_DEPS := build/test-data/elf/hello.elf  # built by tests/host/elf.mk

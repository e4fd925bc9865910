# libFuzzer target for the child's side of the startup protocol (user/lib/startup.c).
FUZZ_TARGETS += startup
startup_FUZZ_SRCS := user/lib/startup.c

# Host test for the request/reply helpers (user/lib/rpc.c), over a fake of the IPC syscalls.
HOST_TESTS += rpc
rpc_SRCS := user/lib/rpc.c

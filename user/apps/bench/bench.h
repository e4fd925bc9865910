#pragma once
// Shared by the bench program's files: each benchmark reports "BENCH <name> <value>" lines.
#include <stdint.h>

#define ITERATIONS 10000

void report(const char *name, uint64_t value);
// IPC round trips and bulk transfer through messages (ipc.c).
void bench_ipc(void);

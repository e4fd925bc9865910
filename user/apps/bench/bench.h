#pragma once
// Shared by the benchmark files: print one figure for bench/run_bench.py.
#include <stdint.h>

#define ITERATIONS 10000

void report(const char *name, uint64_t value);
void bench_vm(void);

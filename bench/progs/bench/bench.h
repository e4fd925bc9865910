#pragma once
// Shared by the benchmark files: print one figure for bench/run_bench.py.
#include <stdint.h>

#define ITERATIONS 10000

void report(const char *name, uint64_t value);
// IPC round trips and bulk transfer through messages (ipc.c).
void bench_ipc(void);
// Starting a program and malloc (exec.c).
void bench_exec(void);
// Mapping and unmapping VMOs (vm.c).
void bench_vm(void);
// A fault served by a pager (pager.c).
void bench_pager(void);
// Pipes: a byte each way, 16 MiB one way (pipe.c).
void bench_pipe(void);
// Timer interrupts of an idle desktop's timers in each power mode (power.c).
void bench_power(void);

// libnx benchmarks: starting a program from the boot archive, and malloc.
#include <stdlib.h>
#include <nx/loader.h>
#include <nx/nx.h>
#include "bench.h"

#define EXECS 20
#define HELLO_PAGES 64

// Average instructions (everything on the hart: loader, kernel, the child) of nx_exec of
// "hello" plus waiting for its exit.
static uint64_t exec_and_wait(void)
{
    uint64_t start = nx_rdinstret();
    for (int i = 0; i < EXECS; i++) {
        nx_handle_t proc;
        long status;
        if (nx_exec("hello", NULL, 0, NULL, 0, HELLO_PAGES, 0, &proc, NULL) != NX_OK)
            return 0;
        nx_process_wait(proc, NX_DEADLINE_NEVER, &status);
        nx_handle_close(proc);
    }
    return (nx_rdinstret() - start) / EXECS;
}

// Average instructions of malloc(64) + free once the heap is warm.
static uint64_t malloc_free(void)
{
    void *volatile p = malloc(64);  // volatile: the compiler may not pair malloc with free
    free(p);
    uint64_t start = nx_rdinstret();
    for (int i = 0; i < ITERATIONS; i++) {
        p = malloc(64);
        free(p);
    }
    return (nx_rdinstret() - start) / ITERATIONS;
}

void bench_exec(void)
{
    report("exec_wait_instr", exec_and_wait());
    report("malloc_free_instr", malloc_free());
}

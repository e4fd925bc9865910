#pragma once
// Processes: an address space, its threads and an exit status.
#include <stddef.h>
#include <stdint.h>
#include "arch/riscv/memlayout.h"

#define PROCESS_NAME_MAX 32

struct thread;

struct process {
    uint32_t pid;
    char name[PROCESS_NAME_MAX];
    paddr_t root;             // page-table root
    struct thread *threads;   // linked through thread.proc_next
    struct process *next;     // all live processes
};

// A process with an empty user address space, or NULL when out of memory.
struct process *process_create(const char *name);
// Load an ELF executable and a user stack into p; on success *entry is the first pc.
// Returns 0 or a negative nx_error; prints why a malformed file was rejected.
int process_load_elf(struct process *p, const void *file, size_t len, uint64_t *entry);
// Create p's first thread at entry with the standard stack and make it ready.
int process_start(struct process *p, uint64_t entry, uint64_t arg);
// Free p, its threads and its memory. The current thread, if it is p's, is left dead
// for the scheduler to free.
void process_destroy(struct process *p);
// End the current process: report, free everything, never return.
_Noreturn void process_exit(long status);
// End the current process because of a fault it took.
_Noreturn void process_kill_current(const char *cause, uint64_t pc, uint64_t addr);
// Processes still alive.
uint32_t process_count(void);

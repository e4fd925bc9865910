#pragma once
// Processes: an address space, a handle table, a page budget, threads and an exit status.
//
// Lifetime: a process is ALIVE from process_create until it exits or is killed; then its
// threads, handles and memory are released at once and it becomes DEAD. The struct itself is
// a kernel object that lives on while anything refers to it (handles, for the exit status;
// objects still charged to its budget), and is freed with the last reference.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/riscv/memlayout.h"
#include "budget.h"
#include "object.h"

#define PROCESS_NAME_MAX 32

struct thread;
struct handle_table;
struct handle_xfer;
struct hart;
struct notification;
struct nx_process_info;
struct aspace;
struct exit_watches;

enum process_state { PROCESS_ALIVE, PROCESS_DEAD };

struct process {
    struct kobject obj;
    uint32_t pid;
    enum process_state state;
    bool started;                   // process_start succeeded once
    char name[PROCESS_NAME_MAX];
    paddr_t root;                   // page-table root (0 once dead)
    uint64_t satp;                  // root and ASID as satp holds them (vm.h)
    bool flush_on_switch;           // it has no ASID of its own: every switch to it flushes
    uint64_t harts;                 // harts it ran on (bit i: index i): only grows (docs/smp.md)
    struct aspace *aspace;          // VMO mappings (aspace.c); NULL until the first map
    struct handle_table *handles;   // NULL once dead
    struct page_budget budget;      // everything the process makes is charged here
    struct process *creator;        // charged our budget's limit (a reference), or NULL
    struct process *children;       // live processes we created, linked through next_sibling
    struct process *next_sibling, *prev_sibling;  // in creator->children while alive
    struct thread *threads;         // linked through thread.proc_next
    uint64_t thread_slots;          // IPC buffer slots in use, one bit per thread
    long exit_status;
    struct exit_watches *watches;   // signalled when the process ends; NULL once dead
};
// Say on the console that p ended with status: always for a boot program (the kernel
// started it, nobody else waits for it), else only for a status other than 0 (its creator
// has the status through its process handle; a shell's every command ending was noise).
void process_report_exit(const struct process *p, long status);

// Set up what every process relies on (once, at boot, before the first process_create).
void process_init(void);
// A process with an empty user address space and handle table and a budget of `pages`,
// charged to creator's budget (NULL: the kernel's own, for boot programs).
// NX_ERR_NO_MEMORY when the creator's budget or the pmm is short.
int process_create(const char *name, size_t pages, struct process *creator,
                   struct process **out);
// Load an ELF executable and a user stack into p (boot programs); *entry is the first pc.
int process_load_elf(struct process *p, const void *file, size_t len, uint64_t *entry);
// Start p's first thread at pc with stack sp, a0 = arg, a1 = its IPC buffer, a2 = a handle
// of p to itself, a3 = arg3, at `priority`. With `give` set, the handle it names in `from` is
// moved into p first (handle_transfer rules) and its new value is a0 instead of arg.
// NX_ERR_BAD_STATE if p was started before or is dead, NX_ERR_NO_SPACE if p's table cannot
// take the handles, the transfer's errors, thread_create's; on error nothing changed.
int process_start(struct process *p, uint64_t pc, uint64_t sp, uint64_t arg, uint64_t arg3,
                  uint8_t priority, struct handle_table *from, struct handle_xfer *give);
// End p with status: free its threads, handles and memory, end every process it created
// (and theirs, with NX_EXIT_KILLED; iteratively, in O(tree size)), signal its exit
// watches. If the current thread is p's, the caller must switch away after.
// A process that never ran also ends when the last handle to it is closed.
void process_end(struct process *p, long status);
// End p (alive), killed by the current process; if p is the current process, never returns.
void process_kill(struct process *p);
// Signal `bits` (not 0) of n when p ends (at once if it has). Watches add up, to
// NX_PROCESS_MAX_WATCHES per process; a watch by n again only replaces its bits.
// NX_ERR_NO_SPACE when p has that many watches already.
int process_watch(struct process *p, struct notification *n, uint64_t bits);
// What nx_process_info reports about p.
void process_info(const struct process *p, struct nx_process_info *info);
// size zeroed bytes for a kernel object, charged to p's budget (a slab slot, or whole pages
// for objects over SLAB_MAX_OBJECT: see slab.h); the object holds a reference on p until
// process_free_object, so the budget outlives it. NULL, with nothing changed, when over budget.
void *process_alloc_object(struct process *p, size_t size);
void process_free_object(struct process *p, void *obj, size_t size);
// End the current process; never returns.
_Noreturn void process_exit(long status);
// End the current process because of a fault it took.
_Noreturn void process_kill_current(const char *cause, uint64_t pc, uint64_t addr);
// Processes still alive.
uint32_t process_count(void);
// p's page table changed: drop the stale translations on every hart p ran on.
void process_flush_tlb(struct process *p);

// The current thread's process, and the handle table syscalls use.
#define current_process (current_thread->proc)

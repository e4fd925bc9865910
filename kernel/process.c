// Process lifetime: create an address space, load a program, start, exit or die.
#include <nexus/errors.h>
#include "process.h"
#include "console.h"
#include "lib/elf.h"
#include "lib/string.h"
#include "panic.h"
#include "pmm.h"
#include "sched.h"
#include "thread.h"
#include "arch/riscv/pagetable.h"
#include "arch/riscv/vm.h"

static struct process *all_processes;
static uint32_t next_pid = 1;
static uint32_t live_processes;

struct process *process_create(const char *name)
{
    paddr_t pa = pmm_alloc();
    if (!pa)
        return NULL;
    struct process *p = pa_to_kva(pa);
    p->root = vm_create_user_root();
    if (!p->root) {
        pmm_free(pa);
        return NULL;
    }
    p->pid = next_pid++;
    size_t n = strnlen(name, PROCESS_NAME_MAX - 1);
    memcpy(p->name, name, n);
    p->name[n] = '\0';
    p->next = all_processes;
    all_processes = p;
    live_processes++;
    return p;
}

static uint64_t segment_pte_flags(uint32_t flags)
{
    return PTE_U | (flags & ELF_SEG_R ? PTE_R : 0) | (flags & ELF_SEG_W ? PTE_W : 0) |
           (flags & ELF_SEG_X ? PTE_X : 0);
}

// Map one page of a segment at va, filled with the file bytes that fall into it.
static int load_page(struct process *p, const struct elf_segment *s, const char *file,
                     uint64_t va)
{
    paddr_t pa = pmm_alloc();
    if (!pa)
        return NX_ERR_NO_MEMORY;
    uint64_t file_start = s->vaddr, file_end = s->vaddr + s->filesz;
    uint64_t from = va > file_start ? va : file_start;
    uint64_t to = va + PAGE_SIZE < file_end ? va + PAGE_SIZE : file_end;
    if (from < to)
        memcpy((char *)pa_to_kva(pa) + (from - va), file + s->offset + (from - file_start),
               to - from);
    if (pt_map(p->root, va, pa, PAGE_SIZE, segment_pte_flags(s->flags), 0)) {
        pmm_free(pa);
        return NX_ERR_NO_MEMORY;
    }
    return NX_OK;
}

static int load_segment(struct process *p, const struct elf_segment *s, const char *file)
{
    uint64_t end = PAGE_ROUND_UP(s->vaddr + s->memsz);
    for (uint64_t va = PAGE_ROUND_DOWN(s->vaddr); va < end; va += PAGE_SIZE) {
        int err = load_page(p, s, file, va);
        if (err)
            return err;
    }
    return NX_OK;
}

static int map_stack(struct process *p)
{
    for (uint64_t va = USER_STACK_TOP - USER_STACK_SIZE; va < USER_STACK_TOP; va += PAGE_SIZE) {
        paddr_t pa = pmm_alloc();
        if (!pa)
            return NX_ERR_NO_MEMORY;
        if (pt_map(p->root, va, pa, PAGE_SIZE, PTE_U | PTE_R | PTE_W, 0)) {
            pmm_free(pa);
            return NX_ERR_NO_MEMORY;
        }
    }
    return NX_OK;
}

int process_load_elf(struct process *p, const void *file, size_t len, uint64_t *entry)
{
    struct elf_image img;
    int err = elf_parse(file, len, &img);
    if (err) {
        kprintf("NEURON: %s: bad ELF: %s\n", p->name, elf_strerror(err));
        return NX_ERR_INVALID;
    }
    for (uint32_t i = 0; i < img.nsegs; i++) {
        err = load_segment(p, &img.seg[i], file);
        if (err)
            return err;
    }
    *entry = img.entry;
    return map_stack(p);
}

int process_start(struct process *p, uint64_t entry, uint64_t arg)
{
    struct thread *t = thread_create(p, entry, USER_STACK_TOP, arg, PRIO_DEFAULT);
    if (!t)
        return NX_ERR_NO_MEMORY;
    t->proc_next = p->threads;
    p->threads = t;
    sched_ready(t);
    return NX_OK;
}

static void unlink_process(struct process *p)
{
    struct process **pp = &all_processes;
    while (*pp != p)
        pp = &(*pp)->next;
    *pp = p->next;
    live_processes--;
}

void process_destroy(struct process *p)
{
    for (struct thread *t = p->threads, *next; t; t = next) {
        next = t->proc_next;
        sched_remove(t);
        if (t == current_thread)
            t->state = THREAD_DEAD;  // sched_switch frees it once it is off its stack
        else
            thread_free(t);
    }
    unlink_process(p);
    vm_destroy_user_root(p->root);
    pmm_free(kva_to_pa(p));
}

static _Noreturn void destroy_current(void)
{
    process_destroy(current_thread->proc);
    sched_switch();
    panic("dead thread was scheduled");
}

_Noreturn void process_exit(long status)
{
    struct process *p = current_thread->proc;
    kprintf("NEURON: process %u (%s) exited with status %ld\n", p->pid, p->name, status);
    destroy_current();
}

_Noreturn void process_kill_current(const char *cause, uint64_t pc, uint64_t addr)
{
    struct process *p = current_thread->proc;
    kprintf("NEURON: process %u (%s) killed: %s at pc %lx, address %lx\n", p->pid, p->name,
            cause, pc, addr);
    destroy_current();
}

uint32_t process_count(void)
{
    return live_processes;
}

// Process lifetime: create an address space and handle table under a page budget, load a boot
// program, start, end (exit, fault or kill), and free once nothing refers to the process.
#include <stddef.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "process.h"
#include "aspace.h"
#include "console.h"
#include "exit_watch.h"
#include "handle.h"
#include "hart.h"
#include "lib/elf.h"
#include "lib/string.h"
#include "notification.h"
#include "panic.h"
#include "pmm.h"
#include "sched.h"
#include "slab.h"
#include "thread.h"
#include "arch/riscv/pagetable.h"
#include "arch/riscv/vm.h"

// The handle table, charged to the process's own budget. The struct is a slab object of its
// creator (the kernel's for boot programs): the creator holds the handle that keeps it.
#define TABLE_PAGES (PAGE_ROUND_UP(sizeof(struct handle_table)) / PAGE_SIZE)
_Static_assert(sizeof(struct process) <= 256, "a process struct takes a 256-byte slab slot");

static uint32_t next_pid = 1;
static uint32_t live_processes;

// Each dead process holds a reference on its creator, so freeing one may free a whole chain of
// dead creators: a loop, not a recursion, keeps the kernel stack bounded however deep it is.
static void process_free(struct kobject *obj)
{
    struct process *p = (struct process *)obj;
    while (p) {
        struct process *creator = p->creator;
        size_t limit = p->budget.limit;
        slab_free(creator ? &creator->budget : NULL, p, sizeof(*p));
        if (!creator)
            return;
        budget_uncharge(&creator->budget, limit);
        p = kobject_release(&creator->obj) ? creator : NULL;
    }
}

static void link_child(struct process *creator, struct process *p)
{
    p->creator = creator;
    kobject_ref(&creator->obj);
    p->next_sibling = creator->children;
    if (creator->children)
        creator->children->prev_sibling = p;
    creator->children = p;
}

static void unlink_child(struct process *p)
{
    if (!p->creator)
        return;
    if (p->prev_sibling)
        p->prev_sibling->next_sibling = p->next_sibling;
    else
        p->creator->children = p->next_sibling;
    if (p->next_sibling)
        p->next_sibling->prev_sibling = p->prev_sibling;
    p->next_sibling = p->prev_sibling = NULL;
}

// The last handle to a process that never ran is gone: nobody can start it any more, so it
// ends (and is freed with its budget returned to its creator).
static void process_last_handle(struct kobject *obj)
{
    struct process *p = (struct process *)obj;
    if (p->state == PROCESS_ALIVE && !p->threads)
        process_end(p, NX_EXIT_KILLED);
}

void process_init(void)
{
    kobject_set_last_handle_hook(NX_OBJ_PROCESS, process_last_handle);
}

static void name_process(struct process *p, const char *name)
{
    size_t n = strnlen(name, PROCESS_NAME_MAX - 1);
    memcpy(p->name, name, n);
    p->name[n] = '\0';
}

// The memory of a new process, all or none: its struct and exit watches (slots of payer's
// slabs, which may take pages of payer's budget), its handle table and its page-table root,
// with room left in payer's budget for `pages` once those are paid for. Nothing else has seen
// them, so giving back a partial set changes nothing.
static struct process *alloc_process(struct page_budget *payer, size_t pages)
{
    struct process *p = slab_alloc(payer, sizeof(*p));
    struct exit_watches *watches = exit_watches_alloc(payer);
    paddr_t table = pmm_alloc_contig_unzeroed(TABLE_PAGES, 1);  // handle_table_init fills it
    paddr_t root = vm_create_user_root();
    if (p && watches && table && root && (!payer || budget_room(payer, pages))) {
        p->watches = watches;
        p->handles = pa_to_kva(table);
        p->root = root;
        p->satp = vm_assign_satp(root);
        p->flush_on_switch = vm_satp_flushes(p->satp);
        p->harts = 0;
        return p;
    }
    if (p)
        slab_free(payer, p, sizeof(*p));
    if (watches)
        exit_watches_end(watches, payer);
    if (table)
        pmm_free_contig(table, TABLE_PAGES);
    if (root)
        vm_destroy_user_root(root);
    return NULL;
}

// Check, then act: the creator's budget, the pid counter and the process list change only
// once nothing can fail any more.
int process_create(const char *name, size_t pages, struct process *creator,
                   struct process **out)
{
    struct page_budget *payer = creator ? &creator->budget : NULL;
    if (pages < TABLE_PAGES + 1 || (payer && !budget_room(payer, pages)))
        return NX_ERR_NO_MEMORY;
    struct process *p = alloc_process(payer, pages);
    if (!p)
        return NX_ERR_NO_MEMORY;
    kobject_init(&p->obj, NX_OBJ_PROCESS, process_free);  // the reference "it is alive"
    handle_table_init(p->handles);
    p->budget = (struct page_budget){ .limit = pages, .used = TABLE_PAGES };
    if (creator) {
        budget_charge(payer, pages);  // cannot fail: alloc_process checked the room
        link_child(creator, p);
    }
    p->pid = next_pid++;
    name_process(p, name);
    live_processes++;
    *out = p;
    return NX_OK;
}

void *process_alloc_object(struct process *p, size_t size)
{
    void *obj = slab_alloc(&p->budget, size);
    if (obj)
        kobject_ref(&p->obj);
    return obj;
}

void process_free_object(struct process *p, void *obj, size_t size)
{
    slab_free(&p->budget, obj, size);
    kobject_unref(&p->obj);
}

// ---- boot programs ----

// A fresh page mapped at va, charged to p. The page belongs to the page table: it goes with
// the address space.
static int map_new_page(struct process *p, uint64_t va, uint64_t flags, void **kva)
{
    paddr_t pa = budget_alloc(&p->budget, 1);
    if (!pa)
        return NX_ERR_NO_MEMORY;
    if (pt_map(p->root, va, pa, PAGE_SIZE, flags, 0)) {
        budget_free(&p->budget, pa, 1);
        return NX_ERR_NO_MEMORY;
    }
    if (kva)
        *kva = pa_to_kva(pa);
    return NX_OK;
}

// Map one page of a segment at va, filled with the file bytes that fall into it.
static int load_page(struct process *p, const struct elf_segment *s, const char *file,
                     uint64_t va)
{
    void *page;
    int err = map_new_page(p, va, pte_user_flags(s->flags), &page);
    if (err)
        return err;
    uint64_t file_start = s->vaddr, file_end = s->vaddr + s->filesz;
    uint64_t from = va > file_start ? va : file_start;
    uint64_t to = va + PAGE_SIZE < file_end ? va + PAGE_SIZE : file_end;
    if (from < to)
        memcpy((char *)page + (from - va), file + s->offset + (from - file_start), to - from);
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
        int err = map_new_page(p, va, pte_user_flags(NX_PROT_READ | NX_PROT_WRITE), NULL);
        if (err)
            return err;
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

// Rights of the handle a process gets to itself.
#define SELF_RIGHTS (NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_MANAGE | NX_RIGHT_DUPLICATE | \
                     NX_RIGHT_TRANSFER)

// Check, then act: the handles are checked and the thread (the one part that can still fail)
// is made before any handle moves, so a failed start leaves both tables as they were.
int process_start(struct process *p, uint64_t pc, uint64_t sp, uint64_t arg, uint64_t arg3,
                  uint8_t priority, struct handle_table *from, struct handle_xfer *give)
{
    if (p->state != PROCESS_ALIVE || p->started)
        return NX_ERR_BAD_STATE;
    if (handle_table_room(p->handles) < (give ? 2u : 1u))  // the given handle, the self handle
        return NX_ERR_NO_SPACE;
    int err = give ? handle_transfer_check(from, give, 1, p->handles) : NX_OK;
    struct thread *t;
    if (err == NX_OK)
        err = thread_create(p, pc, sp, arg, priority, &t);
    if (err)
        return err;
    if (give) {
        nx_handle_t given;
        handle_transfer_commit(from, give, 1, p->handles, &given, NULL);
        t->tf.regs[REG_A0] = given;
    }
    nx_handle_t self;
    if (handle_install(p->handles, &p->obj, SELF_RIGHTS, &self))
        panic("process_start: no room for the self handle");
    t->tf.regs[REG_A2] = self;
    t->tf.regs[REG_A3] = arg3;
    p->started = true;
    sched_ready(t);
    return NX_OK;
}

// ---- the end ----

// The watches are signalled and freed at the end, not with the struct: a dead process is
// watched no more (process_watch signals at once), and the slot goes back to the payer
// however long handles keep the struct for its status.
static void signal_exit(struct process *p)
{
    struct exit_watches *w = p->watches;
    p->watches = NULL;
    exit_watches_end(w, p->creator ? &p->creator->budget : NULL);
}

// End p alone; its children have ended already.
static void end_one(struct process *p, long status)
{
    p->state = PROCESS_DEAD;
    p->exit_status = status;
    while (p->threads)
        thread_kill(p->threads);
    unlink_child(p);
    live_processes--;
    handle_table_destroy(p->handles);
    pmm_free_contig(kva_to_pa(p->handles), TABLE_PAGES);
    p->handles = NULL;
    // No hart may translate through p's tables once they go: the harts still in p's address
    // space (waiting for the big lock, or idle) leave it. Entries other harts cached stay
    // harmless: nothing runs with p's ASID again before every hart has fenced (vm.h).
    harts_leave_address_space(p->harts, p->satp);
    vm_release_satp(p->satp);
    aspace_destroy(p);  // VMO pages belong to their VMOs, not to the page table
    vm_destroy_user_root(p->root);
    p->root = 0;
    signal_exit(p);
    kobject_unref(&p->obj);  // no longer alive; handles may keep the struct for its status
}

// The processes p created go with it: they run on budget p was given, and a process tree
// must be killable as a whole (a hostile process cannot leave orphans behind). The walk is
// post-order and always ends the first leaf it finds, which unlinks it from its creator's
// children: each step goes down one edge or ends one process, so killing n processes costs
// O(n) steps and no stack however deep the tree is. A creator outlives its children's end
// (they hold a reference on it), so going back up is safe.
void process_end(struct process *p, long status)
{
    if (p->state != PROCESS_ALIVE)
        return;
    struct process *q = p;
    for (;;) {
        while (q->children)
            q = q->children;
        struct process *up = q->creator;
        if (q == p) {
            end_one(p, status);
            return;
        }
        end_one(q, NX_EXIT_KILLED);
        q = up;
    }
}

static _Noreturn void end_current(long status)
{
    process_end(current_process, status);
    sched_switch();
    panic("dead thread was scheduled");
}

void process_report_exit(const struct process *p, long status)
{
    if (!p->creator || status != 0)
        kprintf("NEURON: process %u (%s) exited with status %ld\n", p->pid, p->name, status);
}

_Noreturn void process_exit(long status)
{
    process_report_exit(current_process, status);
    end_current(status);
}

_Noreturn void process_kill_current(const char *cause, uint64_t pc, uint64_t addr)
{
    struct process *p = current_process;
    kprintf("NEURON: process %u (%s) killed: %s at pc %lx, address %lx\n", p->pid, p->name,
            cause, pc, addr);
    end_current(NX_EXIT_KILLED);
}

uint32_t process_count(void)
{
    return live_processes;
}

void process_flush_tlb(struct process *p)
{
    // The entries just changed are visible before p's harts are read: a hart adding itself
    // meanwhile (adopt, sched.c) reads them after (docs/smp.md, shared paths).
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (p->state == PROCESS_ALIVE)  // an ended process's ASID is retired (end_one)
        vm_flush_space(p->satp, __atomic_load_n(&p->harts, __ATOMIC_RELAXED));
}

void process_kill(struct process *p)
{
    struct process *self = current_process;
    kprintf("NEURON: process %u (%s) killed by process %u (%s)\n", p->pid, p->name, self->pid,
            self->name);
    if (p == self)
        end_current(NX_EXIT_KILLED);
    process_end(p, NX_EXIT_KILLED);
    sched_preempt();
}

int process_watch(struct process *p, struct notification *n, uint64_t bits)
{
    if (p->state == PROCESS_ALIVE)
        return exit_watches_add(p->watches, n, bits);
    notification_signal(n, bits);
    sched_preempt();
    return NX_OK;
}

// The highest priority among p's threads (0 without threads).
static uint32_t top_priority(const struct process *p)
{
    uint32_t top = 0;
    for (const struct thread *t = p->threads; t; t = t->proc_next)
        top = t->rq.priority > top ? t->rq.priority : top;
    return top;
}

static uint32_t thread_count(const struct process *p)
{
    uint32_t n = 0;
    for (const struct thread *t = p->threads; t; t = t->proc_next)
        n++;
    return n;
}

void process_info(const struct process *p, struct nx_process_info *info)
{
    *info = (struct nx_process_info){
        .pid = p->pid,
        .state = p->state == PROCESS_ALIVE ? (p->started ? NX_PROC_RUNNING : NX_PROC_NEW)
                                           : NX_PROC_DEAD,
        .exit_status = p->exit_status,
        .budget_pages = p->budget.limit,
        .used_pages = p->budget.used,
        .threads = thread_count(p),
        .priority = top_priority(p),
    };
    memcpy(info->name, p->name, sizeof(info->name));
    // Oldest first: the list has the newest at its head.
    uint32_t n = info->threads;
    memset(info->thread_hart, NX_HART_NONE, sizeof(info->thread_hart));
    for (const struct thread *t = p->threads; t && n; t = t->proc_next)
        info->thread_hart[--n] = t->hart ? (uint8_t)t->hart->index : NX_HART_NONE;
}

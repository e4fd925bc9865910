// Per-hart state, inter-processor interrupts, and the waits one hart does for another (hart.h).
#include "hart.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/vm.h"
#include "sched.h"

struct hart harts[MAX_HARTS];
// The big lock, a reader-writer lock (docs/smp.md): every kernel path takes it exclusive but
// the IPC fast paths and a few read-only syscalls, which take it shared and lock what they
// share among themselves. trap.S takes and releases it inline on the paths from and to user
// mode; the layout is shared with it. `word` is BIG_LOCK_WRITER (a hart holds it exclusive,
// or waits for the shared holders to leave) plus the count of shared holders. Not a ticket
// lock: under QEMU on a loaded host a vCPU is often descheduled, and a FIFO hand-off then
// waits for the one vCPU whose turn it is, while any running waiter can take this one.
struct {
    uint32_t word;
    uint32_t unused;
    uint32_t sleepers;  // harts halted waiting for it (bit i: index i)
} big_lock __attribute__((aligned(8)));

#define WRITER BIG_LOCK_WRITER

// A waiter spins this long before it halts: long enough for a kernel path to finish, short
// enough not to burn a host CPU that the holder's vCPU may need.
#define SPINS_BEFORE_HALT 4000

void big_lock_wait(uint32_t seen);
void big_lock_wait_shared(struct hart *h);
void big_lock_wake_sleepers(void);

// Serve a request to leave the address space this hart is in: the kernel's page table
// holds nothing of any process (hart.h, harts_leave_address_space).
static void leave_address_space(struct hart *h)
{
    uint64_t kernel = vm_kernel_satp();
    csr_write(satp, kernel);
    sfence_vma_all();
    h->satp = kernel;
    __atomic_store_n(&h->leave_as, 0, __ATOMIC_RELEASE);
}

// Wait until take() succeeds: spin a while, then halt until a releaser's IPI (it sees the
// sleeper bit, or this hart sees could_take(): each fences between its store and its load).
// Meanwhile serve requests to leave the address space.
static void wait_until(struct hart *h, bool (*take)(void), bool (*could_take)(void))
{
    uint32_t bit = 1u << h->index;
    for (unsigned spins = 0; !take(); spins++) {
        if (__atomic_load_n(&h->leave_as, __ATOMIC_ACQUIRE))
            leave_address_space(h);
        if (spins < SPINS_BEFORE_HALT)
            continue;
        __atomic_fetch_or(&big_lock.sleepers, bit, __ATOMIC_SEQ_CST);
        if (!could_take() && !__atomic_load_n(&h->leave_as, __ATOMIC_SEQ_CST))
            wfi();
        __atomic_fetch_and(&big_lock.sleepers, ~bit, __ATOMIC_RELAXED);
        spins = 0;
    }
}

static bool no_writer(void)
{
    return !(__atomic_load_n(&big_lock.word, __ATOMIC_SEQ_CST) & WRITER);
}

static bool writer_bit_taken(void)
{
    return no_writer() && !(__atomic_fetch_or(&big_lock.word, WRITER, __ATOMIC_ACQUIRE) & WRITER);
}

static bool no_shared_holders(void)
{
    return __atomic_load_n(&big_lock.word, __ATOMIC_SEQ_CST) == WRITER;
}

// The exclusive take found the word `seen` (trap.S): if another hart had the writer bit,
// take it once it is free; then wait until the shared holders have left.
void big_lock_wait(uint32_t seen)
{
    struct hart *h = this_hart();
    if (seen & WRITER)
        wait_until(h, writer_bit_taken, no_writer);
    wait_until(h, no_shared_holders, no_shared_holders);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static bool shared_taken(void)
{
    if (!no_writer())
        return false;
    if (!(__atomic_fetch_add(&big_lock.word, 1, __ATOMIC_ACQUIRE) & WRITER))
        return true;
    big_lock_release_shared();  // a writer came first: it may be waiting for this count
    return false;
}

// The shared take found a writer (trap.S): take the count back, then wait for the writer.
void big_lock_wait_shared(struct hart *h)
{
    big_lock_release_shared();
    wait_until(h, shared_taken, no_writer);
}

void big_lock_wake_sleepers(void)
{
    hart_send_ipi(__atomic_load_n(&big_lock.sleepers, __ATOMIC_RELAXED), IPI_RESCHEDULE);
}

static void wake_sleepers_if_any(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&big_lock.sleepers, __ATOMIC_RELAXED))
        big_lock_wake_sleepers();
}

void big_lock_acquire(void)
{
    uint32_t seen = __atomic_fetch_or(&big_lock.word, WRITER, __ATOMIC_ACQUIRE);
    if (seen)
        big_lock_wait(seen);
}

void big_lock_release(void)
{
    __atomic_fetch_and(&big_lock.word, ~WRITER, __ATOMIC_RELEASE);
    wake_sleepers_if_any();
}

void big_lock_release_shared(void)
{
    __atomic_fetch_sub(&big_lock.word, 1, __ATOMIC_RELEASE);
    wake_sleepers_if_any();
}

void big_lock_exclusive_keeping_going(void)
{
    this_hart()->lock_shared = 0;
    big_lock_release_shared();
    big_lock_acquire();
}

void big_lock_end_if_dying(void)
{
    if (current_thread->dying)
        thread_dying();
}

void big_lock_exclusive_instead(void)
{
    big_lock_exclusive_keeping_going();
    big_lock_end_if_dying();
}

uint32_t nharts = 1;
uint64_t harts_online_mask = 1;
uint32_t smp;

struct hart *hart_init(uint32_t index, uint64_t hartid, uint64_t trap_stack_top)
{
    struct hart *h = &harts[index];
    h->index = index;
    h->bit = 1ull << index;
    h->hartid = hartid;
    h->trap_frame = trap_stack_top - sizeof(struct trapframe);
    h->satp = csr_read(satp);
    h->idle.hart = h;
    h->idle.state = THREAD_RUNNING;
    h->idle.affinity = 1ull << index;
    timerq_init(&h->clock);
    h->timer_deadline = UINT64_MAX;
    h->current = &h->idle;
    current_thread = &h->idle;
    return h;
}

// An SBI call to the harts in mask: one per group of harts whose ids fit in a 64-bit mask
// from the lowest of them. A fence (asid 0: of every address space) returns once done.
enum { SEND_IPI, SEND_FENCE };

static void sbi_to_harts(uint64_t mask, int what, uint64_t asid, uint64_t start, uint64_t size)
{
    while (mask) {
        uint64_t base = UINT64_MAX, ids = 0;
        for (uint64_t m = mask; m; m &= m - 1)
            if (harts[__builtin_ctzll(m)].hartid < base)
                base = harts[__builtin_ctzll(m)].hartid;
        for (uint64_t m = mask; m; m &= m - 1) {
            unsigned i = (unsigned)__builtin_ctzll(m);
            if (harts[i].hartid - base < 64) {
                ids |= 1ull << (harts[i].hartid - base);
                mask &= ~(1ull << i);
            }
        }
        if (what == SEND_IPI)
            sbi_send_ipi(ids, base);
        else if (asid)
            sbi_remote_sfence_vma_asid(ids, base, start, size, asid);
        else
            sbi_remote_sfence_vma(ids, base, start, size);
    }
}

// An idle hart is not fenced now: it cannot use a translation before its idle loop switches
// to a thread, which it does under the big lock, after a full fence (sched.c).
void harts_fence(uint64_t mask, uint64_t asid, uint64_t start, uint64_t size)
{
    for (uint64_t m = mask; m; m &= m - 1) {
        struct hart *h = &harts[__builtin_ctzll(m)];
        if (h->current == &h->idle) {
            h->tlb_stale = true;
            mask &= ~(1ull << h->index);
        }
    }
    if (mask)
        sbi_to_harts(mask, SEND_FENCE, asid, start, size);
}

void hart_send_ipi(uint64_t mask, uint32_t what)
{
    struct hart *self = this_hart();
    mask &= ~(1ull << self->index);
    for (uint64_t m = mask; m; m &= m - 1)
        __atomic_fetch_or(&harts[__builtin_ctzll(m)].ipi_pending, what, __ATOMIC_RELEASE);
    if (!mask)
        return;
    self->ipis_sent += (uint64_t)__builtin_popcountll(mask);
    sbi_to_harts(mask, SEND_IPI, 0, 0, 0);  // the ecall orders the stores above before it
}

void hart_ipi_interrupt(void)
{
    struct hart *h = this_hart();
    // Clear the pending bit before reading the request word: a request posted after the
    // read raises the interrupt again (Linux riscv smp.c does the same).
    csr_clear(sip, SIE_SSIE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_exchange_n(&h->ipi_pending, 0, __ATOMIC_ACQUIRE))
        h->ipis_taken++;
}

void harts_leave_address_space(uint64_t mask, uint64_t satp)
{
    struct hart *self = this_hart();
    uint64_t asked = 0;
    for (uint64_t m = mask & ~(1ull << self->index); m; m &= m - 1) {
        struct hart *h = &harts[__builtin_ctzll(m)];
        if (__atomic_load_n(&h->satp, __ATOMIC_ACQUIRE) != satp)
            continue;
        __atomic_store_n(&h->leave_as, 1, __ATOMIC_RELEASE);
        asked |= 1ull << h->index;
    }
    // A hart in that address space is idle or waiting for the big lock (its threads there are
    // dead): the IPI brings an idle one to the lock, whose wait loop serves leave_as.
    hart_send_ipi(asked, IPI_RESCHEDULE);
    for (uint64_t m = asked; m; m &= m - 1)
        while (__atomic_load_n(&harts[__builtin_ctzll(m)].leave_as, __ATOMIC_ACQUIRE))
            ;
}

void hart_wait_out_of_user(struct thread *t)
{
    struct hart *h = t->hart;
    if (!__atomic_load_n(&h->in_user, __ATOMIC_ACQUIRE))
        return;
    hart_send_ipi(1ull << h->index, IPI_RESCHEDULE);
    while (__atomic_load_n(&h->in_user, __ATOMIC_ACQUIRE))
        ;
}

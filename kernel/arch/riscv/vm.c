// Kernel page table: the image mapped at its link address with per-section permissions
// (text RX, rodata R, data/bss RW: no page both writable and executable), and the direct map
// of the low 4 GiB of physical space (RAM and devices) with 1 GiB pages, RW, never executable.
#include "arch/riscv/vm.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/pagetable.h"
#include <nexus/errors.h>
#include "lib/string.h"
#include "panic.h"
#include "pmm.h"
#include "asid.h"
#include "hart.h"

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];
// Unmapped pages below the boot stack and the trap stack (entry.S).
extern char boot_stack_guard[], trap_stack_guard[];

#define FIRST_KERNEL_INDEX (PT_ENTRIES / 2)  // Sv39 upper half starts at root entry 256

static paddr_t kernel_root;
uint64_t kstack_generation;
static paddr_t ram_base;  // kernel stacks' aliases are placed by their offset from it
static uint64_t ram_size;

static paddr_t image_pa(const char *va) { return (paddr_t)(uintptr_t)va - KERNEL_VA_OFFSET; }

static void map_image_range(const char *start, const char *end, uint64_t flags)
{
    uint64_t va = (uint64_t)(uintptr_t)start;
    if (pt_map(kernel_root, va, image_pa(start), (uint64_t)(end - start), flags | PTE_G, 0))
        panic("vm: cannot map kernel image at %lx", va);
}

// Kernel stack region. Its top-level tables (one per GiB) are made at boot, before any
// process root copies the kernel half, so every root shares them. Each of their entries holds
// the table of 2 MiB of the region (1 MiB of RAM), made by the first stack mapped there and
// freed with the last one, so stacks cost no memory beyond their own pages for long.
#define KSTACK_CHUNK_SHIFT 21
static uint8_t chunk_stacks[2 * DIRECT_MAP_SIZE >> KSTACK_CHUNK_SHIFT];  // stacks mapped in it

static void init_kstack_region(void)
{
    for (uint64_t off = 0; off < 2 * ram_size; off += pt_level_size(2))
        if (!pt_entry(kernel_root, KSTACK_BASE + off, 1, true))
            panic("vm: no page for the kernel stack tables");
}

static uint64_t kstack_va(paddr_t pa)
{
    return KSTACK_BASE + 2 * (pa - ram_base) + KSTACK_SIZE;  // above its guard
}

// The entry for the table of va's chunk, and how many stacks that table holds.
static pte_t *chunk_entry(uint64_t va, uint8_t **stacks)
{
    *stacks = &chunk_stacks[(va - KSTACK_BASE) >> KSTACK_CHUNK_SHIFT];
    return pt_entry(kernel_root, va, 1, false);
}

// Write the leaf entries of the stack at va (every root sees them: the tables are shared).
static void set_stack_entries(uint64_t va, paddr_t pa, bool map)
{
    for (uint64_t off = 0; off < KSTACK_SIZE; off += PAGE_SIZE) {
        pte_t *e = pt_entry(kernel_root, va + off, 0, false);
        *e = map ? pte_make(pa + off, PTE_R | PTE_W | PTE_G | PTE_A | PTE_D) : 0;
        sfence_vma_page(va + off);  // a fault on a stale invalid entry would be fatal here
    }
}

int vm_map_kstack(paddr_t pa, uint64_t *stack)
{
    uint64_t va = kstack_va(pa);
    uint8_t *stacks;
    pte_t *chunk = chunk_entry(va, &stacks);
    if (!(*chunk & PTE_V)) {
        paddr_t table = pmm_alloc();
        if (!table)
            return NX_ERR_NO_MEMORY;
        *chunk = pte_make(table, 0);
        sfence_vma_all();  // a non-leaf entry changed
    }
    ++*stacks;
    set_stack_entries(va, pa, true);
    kstack_generation++;  // other harts fence before they run a thread new to them
    *stack = va;
    return NX_OK;
}

void vm_unmap_kstack(paddr_t pa)
{
    uint64_t va = kstack_va(pa);
    uint8_t *stacks;
    pte_t *chunk = chunk_entry(va, &stacks);
    set_stack_entries(va, pa, false);
    if (--*stacks)
        return;
    paddr_t table = pte_pa(*chunk);
    *chunk = 0;
    sfence_vma_all();
    pmm_free(table);
}

bool vm_is_stack_guard(uint64_t va)
{
    if (va - (uint64_t)boot_stack_guard < PAGE_SIZE || va - (uint64_t)trap_stack_guard < PAGE_SIZE)
        return true;
    return va >= KSTACK_BASE && va - KSTACK_BASE < 2 * ram_size &&
           (va - KSTACK_BASE) % (2 * KSTACK_SIZE) < KSTACK_SIZE;
}

static struct asid_pool asids;  // ASIDs (asid.h)

// How many ASIDs satp holds: the ASID bits that stay set when all are written.
static void probe_asids(void)
{
    uint64_t old = csr_read(satp);
    csr_write(satp, old | SATP_ASID_MASK);
    asid_init(&asids, (uint32_t)((csr_read(satp) & SATP_ASID_MASK) >> SATP_ASID_SHIFT) + 1);
    csr_write(satp, old);
    sfence_vma_all();
}

void vm_init_kernel(paddr_t ram, uint64_t size)
{
    ram_base = ram;
    ram_size = size;
    kernel_root = pt_create();
    if (!kernel_root)
        panic("vm: no page for the kernel root table");
    if (pt_map(kernel_root, DIRECT_MAP_BASE, 0, DIRECT_MAP_SIZE, PTE_R | PTE_W | PTE_G, 2))
        panic("vm: cannot build the direct map");
    map_image_range(__kernel_start, __text_end, PTE_R | PTE_X);
    map_image_range(__text_end, __rodata_end, PTE_R);
    // Data, bss and the stacks (kernel.ld puts them last), but not their guard pages.
    map_image_range(__rodata_end, boot_stack_guard, PTE_R | PTE_W);
    map_image_range(boot_stack_guard + PAGE_SIZE, trap_stack_guard, PTE_R | PTE_W);
    map_image_range(trap_stack_guard + PAGE_SIZE, __kernel_end, PTE_R | PTE_W);
    init_kstack_region();
    vm_activate(vm_kernel_satp());
    probe_asids();
}

uint64_t vm_kernel_satp(void)
{
    return SATP_SV39 | (kernel_root >> PAGE_SHIFT);
}

paddr_t vm_create_user_root(void)
{
    paddr_t root = pt_create();
    if (!root)
        return 0;
    pte_t *dst = pa_to_kva(root);
    const pte_t *src = pa_to_kva(kernel_root);
    memcpy(&dst[FIRST_KERNEL_INDEX], &src[FIRST_KERNEL_INDEX],
           (PT_ENTRIES - FIRST_KERNEL_INDEX) * sizeof(pte_t));
    return root;
}

void vm_destroy_user_root(paddr_t root)
{
    struct hart *h = this_hart();
    if ((csr_read(satp) & PTE_PPN_MASK) == root >> PAGE_SHIFT) {
        h->satp = vm_kernel_satp();
        vm_activate(h->satp);
    }
    pt_destroy(root, FIRST_KERNEL_INDEX);
}

// ---- ASIDs (asid.h) ----

uint64_t vm_assign_satp(paddr_t root)
{
    bool fence_all;
    uint64_t asid = asid_take(&asids, &fence_all);
    if (fence_all) {
        sfence_vma_all();
        harts_fence(harts_online() & ~(1ull << this_hart()->index), 0, 0, 0);
    }
    return SATP_SV39 | asid << SATP_ASID_SHIFT | root >> PAGE_SHIFT;
}

void vm_release_satp(uint64_t satp)
{
    asid_retire(&asids, (uint32_t)((satp & SATP_ASID_MASK) >> SATP_ASID_SHIFT));
}

void vm_flush_space(uint64_t satp, uint64_t harts)
{
    uint64_t asid = (satp & SATP_ASID_MASK) >> SATP_ASID_SHIFT;
    if (asid)
        __asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
    else
        sfence_vma_all();
    harts_fence(harts & ~(1ull << this_hart()->index), asid, 0, 0);
}

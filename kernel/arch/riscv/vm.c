// Kernel page table: the image mapped at its link address with per-section permissions
// (text RX, rodata R, data/bss RW: no page both writable and executable), and the direct map
// of the low 4 GiB of physical space (RAM and devices) with 1 GiB pages, RW, never executable.
#include "arch/riscv/vm.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/pagetable.h"
#include "lib/string.h"
#include "panic.h"

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

#define FIRST_KERNEL_INDEX (PT_ENTRIES / 2)  // Sv39 upper half starts at root entry 256

static paddr_t kernel_root;

static paddr_t image_pa(const char *va) { return (paddr_t)(uintptr_t)va - KERNEL_VA_OFFSET; }

static void map_image_range(const char *start, const char *end, uint64_t flags)
{
    uint64_t va = (uint64_t)(uintptr_t)start;
    if (pt_map(kernel_root, va, image_pa(start), (uint64_t)(end - start), flags | PTE_G, 0))
        panic("vm: cannot map kernel image at %lx", va);
}

void vm_init_kernel(void)
{
    kernel_root = pt_create();
    if (!kernel_root)
        panic("vm: no page for the kernel root table");
    if (pt_map(kernel_root, DIRECT_MAP_BASE, 0, DIRECT_MAP_SIZE, PTE_R | PTE_W | PTE_G, 2))
        panic("vm: cannot build the direct map");
    map_image_range(__kernel_start, __text_end, PTE_R | PTE_X);
    map_image_range(__text_end, __rodata_end, PTE_R);
    map_image_range(__rodata_end, __kernel_end, PTE_R | PTE_W);
    vm_activate(kernel_root);
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

void vm_flush_tlb(void)
{
    sfence_vma_all();
}

void vm_destroy_user_root(paddr_t root)
{
    if ((csr_read(satp) & PTE_PPN_MASK) == root >> PAGE_SHIFT)
        vm_activate(kernel_root);
    pt_destroy(root, FIRST_KERNEL_INDEX);
}

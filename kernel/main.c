// NEURON's C entry point: read the device tree, set up memory, traps and the timer, start
// the programs named on the command line, then become the idle loop.
#include <stdbool.h>
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "console.h"
#include "lib/cpio.h"
#include "lib/fdt.h"
#include "lib/string.h"
#include "panic.h"
#include "pmm.h"
#include "pager.h"
#include "process.h"
#include "resource.h"
#include "vmo.h"
#include "handle.h"
#include "sched.h"
#include "hart.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/harts.h"
#include "arch/riscv/fpu.h"
#include "arch/riscv/plic.h"
#include "arch/riscv/timer.h"
#include "arch/riscv/trapframe.h"
#include "arch/riscv/vm.h"

#define DTB_MAX_SIZE (1UL << 20)
#define DEFAULT_INIT "init"

extern char __kernel_start[], __kernel_end[];
void trap_entry(void);
extern char trap_frame[];  // entry.S: the frame atop the boot hart's trap stack
_Noreturn void kmain(uint64_t hartid, paddr_t dtb, uint64_t entry_instret);

static struct fdt_info fdt;

static void read_device_tree(paddr_t dtb)
{
    const void *blob = pa_to_kva(dtb);
    uint32_t size = fdt_totalsize(blob);
    int err = fdt_parse(blob, size < DTB_MAX_SIZE ? size : DTB_MAX_SIZE, &fdt);
    if (err)
        panic("device tree at %lx rejected: %s", dtb, fdt_strerror(err));
    if (fdt.mem.base + fdt.mem.size > DIRECT_MAP_SIZE)
        fdt.mem.size = DIRECT_MAP_SIZE - fdt.mem.base;  // beyond the direct map: unused
}

static void print_memory_map(paddr_t dtb, paddr_t kstart, paddr_t kend)
{
    kprintf("NEURON memory map:\n");
    kprintf("  RAM       %016lx-%016lx (%lu MiB)\n", fdt.mem.base, fdt.mem.base + fdt.mem.size,
            fdt.mem.size >> 20);
    kprintf("  kernel    %016lx-%016lx\n", kstart, kend);
    kprintf("  dtb       %016lx-%016lx\n", dtb, dtb + fdt_totalsize(pa_to_kva(dtb)));
    if (fdt.initrd.size)
        kprintf("  initrd    %016lx-%016lx\n", fdt.initrd.base, fdt.initrd.base + fdt.initrd.size);
    for (uint32_t i = 0; i < fdt.nreserved; i++)
        kprintf("  reserved  %016lx-%016lx\n", fdt.reserved[i].base,
                fdt.reserved[i].base + fdt.reserved[i].size);
    kprintf("  uart      %016lx irq %u\n", fdt.uart.base, fdt.uart_irq);
    if (fdt.rtc.size)
        kprintf("  rtc       %016lx irq %u\n", fdt.rtc.base, fdt.rtc_irq);
    kprintf("  plic      %016lx (%u sources)\n", fdt.plic.base, fdt.plic_ndev);
    kprintf("  virtio    %u slots at %016lx\n", fdt.nvirtio, fdt.nvirtio ? fdt.virtio[0].base : 0);
    kprintf("  timebase  %lu Hz, %u hart(s), isa %s\n", fdt.timebase_hz, fdt.nharts, fdt.isa);
}

// Hand every page of RAM to the allocator except the firmware, kernel, device tree, boot
// archive and reserved ranges. The allocator's bitmap goes right after the kernel.
static void init_memory(paddr_t dtb, paddr_t kend)
{
    size_t npages = fdt.mem.size / PAGE_SIZE;
    uint64_t *bitmap = pa_to_kva(kend);
    paddr_t bitmap_end = PAGE_ROUND_UP(kend + (npages + 63) / 64 * 8);
    pmm_init(fdt.mem.base, npages, bitmap);
    pmm_release_range(bitmap_end, fdt.mem.base + fdt.mem.size);
    pmm_reserve_range(dtb, dtb + fdt_totalsize(pa_to_kva(dtb)));
    pmm_reserve_range(fdt.initrd.base, fdt.initrd.base + fdt.initrd.size);
    for (uint32_t i = 0; i < fdt.nreserved; i++)
        pmm_reserve_range(fdt.reserved[i].base, fdt.reserved[i].base + fdt.reserved[i].size);
    struct pmm_stats st = pmm_stats();
    kprintf("NEURON: %lu of %lu pages free\n", st.free_pages, st.total_pages);
}

// Value of "key=" in the boot arguments, copied into out; false when absent.
static bool bootarg(const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    for (const char *p = fdt.bootargs; *p;) {
        const char *end = p;
        while (*end && *end != ' ')
            end++;
        if ((size_t)(end - p) > klen && !strncmp(p, key, klen) && p[klen] == '=') {
            size_t n = (size_t)(end - p) - klen - 1;
            n = n < outlen - 1 ? n : outlen - 1;
            memcpy(out, p + klen + 1, n);
            out[n] = '\0';
            return true;
        }
        p = *end ? end + 1 : end;
    }
    return false;
}

// Every boot program may use this many pages (its budget) for everything it makes.
#define BOOT_PROGRAM_PAGES 49152  // 192 MiB: the graphical session (compositor, login screen, the user's apps) lives inside it

static struct kobject *device_resource;  // handed to the first boot program only

// What a program may do with the boot archive: read and map it, pass it on. Sealed: its
// contents are the same for every holder, for ever.
#define BOOT_ARCHIVE_RIGHTS (NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER)

// A sealed VMO over the boot archive's pages, installed in p (so init can load programs).
static int give_boot_archive(struct process *p, nx_handle_t *out)
{
    if (fdt.initrd.base % PAGE_SIZE)
        return NX_ERR_INVALID;
    struct vmo *v;
    int err = vmo_create_physical(fdt.initrd.base, PAGE_ROUND_UP(fdt.initrd.size), &p->budget,
                                  &v);
    if (err)
        return err;
    vmo_set_owner(v, &p->obj);
    vmo_seal(v);
    err = handle_install(p->handles, &v->obj, BOOT_ARCHIVE_RIGHTS, out);
    kobject_unref(&v->obj);  // the handle holds it, or nothing does
    return err;
}

// Start `name` from the boot archive. The first program started gets a0 = a handle to the
// device resource and a3 = a handle to the boot archive (a sealed VMO); the others get
// NX_HANDLE_INVALID in both.
static void start_program(const char *name)
{
    struct cpio_entry e;
    const void *archive = pa_to_kva(fdt.initrd.base);
    int err = cpio_find(archive, fdt.initrd.size, name, &e);
    if (err != CPIO_OK) {
        kprintf("NEURON: cannot start %s: %s\n", name,
                err == CPIO_END ? "not in the boot archive" : cpio_strerror(err));
        return;
    }
    struct process *p;
    uint64_t entry;
    nx_handle_t res = NX_HANDLE_INVALID, boot = NX_HANDLE_INVALID;
    err = process_create(name, BOOT_PROGRAM_PAGES, NULL, &p);
    if (err == NX_OK)
        err = process_load_elf(p, e.data, e.size, &entry);
    if (err == NX_OK && device_resource)
        err = handle_install(p->handles, device_resource, NX_RIGHTS_ALL, &res);
    if (err == NX_OK && device_resource)
        err = give_boot_archive(p, &boot);
    if (err == NX_OK)
        err = process_start(p, entry, USER_STACK_TOP, res, boot, PRIO_DEFAULT, NULL, NULL);
    if (err) {
        kprintf("NEURON: cannot start %s\n", name);
        if (p)
            process_end(p, NX_EXIT_KILLED);
        return;
    }
    if (device_resource) {
        kobject_unref(device_resource);  // the first program's handle holds it now
        device_resource = NULL;
    }
    kprintf("NEURON: started process %u (%s)\n", p->pid, p->name);
}

// init=a,b,c starts each program from the boot archive; the default is "init".
static void start_programs(void)
{
    char list[FDT_BOOTARGS_MAX] = DEFAULT_INIT;
    bootarg("init", list, sizeof(list));
    if (!fdt.initrd.size) {
        kprintf("NEURON: no boot archive (-initrd): nothing to run\n");
        return;
    }
    char *name = list;
    for (char *c = list;; c++) {
        if (*c != ',' && *c != '\0')
            continue;
        bool last = *c == '\0';
        *c = '\0';
        if (*name)
            start_program(name);
        if (last)
            break;
        name = c + 1;
    }
}

// Is the multi-letter extension `ext` in the riscv,isa string (e.g. "rv64imafdc_zicsr_sstc")?
static bool has_extension(const char *isa, const char *ext)
{
    size_t n = strlen(ext);
    for (const char *p = isa; *p; p++)
        if (*p == '_' && !strncmp(p + 1, ext, n) && (p[1 + n] == '_' || p[1 + n] == '\0'))
            return true;
    return false;
}

// A deliberate kernel fault, requested with test=kernel-fault, so the test suite can check
// that a kernel fault is reported with cause, pc, address and registers.
static void maybe_fault_on_purpose(void)
{
    char what[32];
    if (bootarg("test", what, sizeof(what)) && !strcmp(what, "kernel-fault"))
        *(volatile uint64_t *)0xffffffff00000000UL = 1;
}

_Noreturn void kmain(uint64_t hartid, paddr_t dtb, uint64_t entry_instret)
{
    csr_write(stvec, (uint64_t)trap_entry);
    csr_write(sscratch, 0);
    // Hart state first (this_hart() needs it), and the big lock: the other harts wait for it
    // in their idle loops until this one is done booting.
    hart_init(0, hartid, (uint64_t)trap_frame + TF_SIZE);
    big_lock_acquire();
    read_device_tree(dtb);
    bool uart_direct = console_use_uart(&fdt);
    paddr_t kstart = (paddr_t)(uintptr_t)__kernel_start - KERNEL_VA_OFFSET;
    paddr_t kend = (paddr_t)(uintptr_t)__kernel_end - KERNEL_VA_OFFSET;
    kprintf("\nNEURON microkernel (Nexus OS) on hart %lu, entry instret %lu\n", hartid,
            entry_instret);
    print_memory_map(dtb, kstart, kend);
    if (!uart_direct)
        kprintf("console: no ns16550a the kernel can write: through SBI\n");
    init_memory(dtb, kend);
    vm_init_kernel(fdt.mem.base, fdt.mem.size);
    fpu_init();
    csr_write(scounteren, 7);  // user mode may read cycle, time and instret
    timer_init(fdt.timebase_hz, has_extension(fdt.isa, "sstc"));
    plic_init(fdt.plic.base, fdt.plic_ndev, (uint32_t)hartid);
    csr_set(sie, SIE_SSIE);
    harts_start(&fdt, hartid);
    maybe_fault_on_purpose();
    device_resource = resource_init(&fdt);
    process_init();
    pager_init();
    start_programs();
    sched_idle_loop();
}

// VMOs and address spaces through real syscalls: kernel reads and writes, lazy mappings,
// unmap and protect (a bad touch kills only the toucher), seal, copy-on-write clones, a VMO
// shared with another process, the UART's registers through a physical VMO, DMA addresses,
// budgets, and the leak counters. Must be the first boot program (it needs the device resource handle).
// Prints "vmo: <check> ok" or "... WRONG (got X, want Y)".
#define TEST_NAME "vmo"
#include <stdlib.h>
#include <string.h>
#include "expect.h"

#define PAGE 4096l
#define MIB (1l << 20)
#define RW (NX_PROT_READ | NX_PROT_WRITE)
#define UART_BASE 0x10000000l
#define CHILD_PAGES 64
#define HEAP_CHILD_PAGES 512   // room for a 1 MiB heap


static long free_pages(void) { return nx_system_info(NX_INFO_FREE_PAGES); }

// Start fn(arg) in a copy of this program and wait for it to end; its exit status.
static long run_child(const char *name, void (*fn)(nx_handle_t), nx_handle_t arg)
{
    return spawn_and_wait(name, CHILD_PAGES, fn, arg);
}

static void kernel_copies(void)
{
    char buf[32] = { 0 };
    long v = nx_vmo_create(3 * PAGE - 100);  // rounded up to 3 pages
    expect("create", v > 0, 1);
    expect("create: size 0", nx_vmo_create(0), NX_ERR_INVALID);
    expect("create: too big", nx_vmo_create(1l << 40), NX_ERR_TOO_BIG);
    expect("read a fresh VMO: zeros", nx_vmo_read(v, 100, buf, 8) == 0 && buf[0] == 0, 1);
    expect("write across a page boundary", nx_vmo_write(v, PAGE - 3, "boundary", 9), NX_OK);
    expect("read it back", nx_vmo_read(v, PAGE - 3, buf, 9), NX_OK);
    expect("same bytes", buf[0] == 'b' && buf[7] == 'y' && buf[8] == 0, 1);
    expect("read past the end", nx_vmo_read(v, 3 * PAGE - 4, buf, 8), NX_ERR_INVALID);
    expect("offset wraps", nx_vmo_read(v, -4l, buf, 8), NX_ERR_INVALID);
    expect("longer than NX_VMO_RW_MAX", nx_vmo_read(v, 0, buf, NX_VMO_RW_MAX + 1),
           NX_ERR_TOO_BIG);
    expect("bad user pointer", nx_vmo_read(v, 0, (void *)0x10, 8), NX_ERR_BAD_ADDRESS);
    expect("read into read-only memory", nx_vmo_read(v, 0, "const", 4), NX_ERR_BAD_ADDRESS);
    long ro = nx_handle_duplicate(v, NX_RIGHT_READ);
    expect("write needs WRITE", nx_vmo_write(ro, 0, buf, 1), NX_ERR_ACCESS);
    expect("map needs MAP", nx_vm_map(nx_self, ro, 0, 0, PAGE, NX_PROT_READ), NX_ERR_ACCESS);
    long n = nx_notification_create();
    expect("wrong type", nx_vmo_read(n, 0, buf, 1), NX_ERR_WRONG_TYPE);
    long copied = nx_system_info(NX_INFO_BYTES_COPIED);
    nx_vmo_write(v, 0, buf, 16);
    expect("kernel copies are counted", nx_system_info(NX_INFO_BYTES_COPIED) - copied, 16);
    nx_handle_close(n);
    nx_handle_close(ro);
    nx_handle_close(v);
}

// In a copy of this program (its heap dies with it): libnx's heap grows by nx_vmo_commit,
// so 1 MiB malloc'd and written makes the kernel copy nothing.
static void heap_grows(nx_handle_t unused)
{
    (void)unused;
    free(malloc(64));  // the allocator's state first: its pages are the copy's to write
    long copied = nx_system_info(NX_INFO_BYTES_COPIED);
    char *p = malloc(MIB);
    if (p)
        memset(p, 1, MIB);
    expect("heap growth copies nothing",
           p ? nx_system_info(NX_INFO_BYTES_COPIED) - copied : -1, 0);
    free(p);
}

// nx_vmo_commit: pages committed without a byte copied; libnx's heap grows with it.
static void commits(void)
{
    long v = nx_vmo_create(8 * PAGE), before = free_pages();
    long copied = nx_system_info(NX_INFO_BYTES_COPIED);
    expect("commit 4 pages", nx_vmo_commit(v, PAGE, 4 * PAGE), NX_OK);
    expect("commit: the pages taken", before - free_pages(), 4);
    expect("commit copies nothing", nx_system_info(NX_INFO_BYTES_COPIED) - copied, 0);
    expect("commit again: nothing more", nx_vmo_commit(v, PAGE, 4 * PAGE) == NX_OK &&
                                         before - free_pages() == 4, 1);
    char buf[8] = "xxxxxxx";
    expect("committed pages read zero", nx_vmo_read(v, 2 * PAGE, buf, 8) == 0 && !buf[0], 1);
    nx_vmo_write(v, PAGE, "kept", 4);
    nx_vmo_commit(v, 0, 2 * PAGE);
    expect("commit keeps what was written", nx_vmo_read(v, PAGE, buf, 4) == 0 &&
                                            !memcmp(buf, "kept", 4), 1);
    expect("commit of nothing", nx_vmo_commit(v, 8 * PAGE, 0), NX_OK);
    expect("commit: outside", nx_vmo_commit(v, 7 * PAGE, 2 * PAGE), NX_ERR_INVALID);
    expect("commit: wraps", nx_vmo_commit(v, -PAGE, 2 * PAGE), NX_ERR_INVALID);
    expect("commit: over NX_VMO_RW_MAX", nx_vmo_commit(v, 0, NX_VMO_RW_MAX + 1), NX_ERR_TOO_BIG);
    long ro = nx_handle_duplicate(v, NX_RIGHT_READ), n = nx_notification_create();
    expect("commit needs WRITE", nx_vmo_commit(ro, 0, PAGE), NX_ERR_ACCESS);
    expect("commit: wrong type", nx_vmo_commit(n, 0, PAGE), NX_ERR_WRONG_TYPE);
    expect("commit: bad handle", nx_vmo_commit(-1, 0, PAGE), NX_ERR_BAD_HANDLE);
    long sealed = nx_vmo_create(PAGE);
    nx_vmo_seal(sealed);
    expect("commit: sealed", nx_vmo_commit(sealed, 0, PAGE), NX_ERR_ACCESS);
    long pager = nx_pager_create(n, 1), paged = nx_vmo_create_paged(pager, PAGE, 0);
    expect("commit: paged", paged > 0 ? nx_vmo_commit(paged, 0, PAGE) : paged, NX_ERR_BAD_STATE);
    long handles[] = { v, ro, n, sealed, pager, paged };
    for (unsigned i = 0; i < sizeof handles / sizeof handles[0]; i++)
        nx_handle_close(handles[i]);
    expect("the heap's child", spawn_and_wait("heap", HEAP_CHILD_PAGES, heap_grows, 0), 0);
}

static void lazy_mappings(void)
{
    long v = nx_vmo_create(2 * MIB);
    long before = free_pages();
    long va = nx_vm_map(nx_self, v, 0, 0, 2 * MIB, RW);
    expect("map 2 MiB", va > 0 && va % PAGE == 0, 1);
    expect("mapping commits no page", free_pages(), before);
    char *p = (char *)va;
    p[100 * PAGE + 5] = 'L';
    // (and the page-table pages and page-array node it falls in)
    expect("a touch commits one page (and its page table)", before - free_pages() <= 4, 1);
    char c = 0;
    nx_vmo_read(v, 100 * PAGE + 5, &c, 1);
    expect("the VMO holds what was stored", c, 'L');
    // A syscall writing into untouched mapped memory faults it in.
    expect("vmo_read into a fresh mapping",
           nx_vmo_read(v, 100 * PAGE, (void *)(va + 7 * PAGE + 10), 6), NX_OK);
    expect("landed there", p[7 * PAGE + 15], 'L');
    expect("unmap", nx_vm_unmap(nx_self, va, 2 * MIB), NX_OK);
    expect("unmap again is a no-op", nx_vm_unmap(nx_self, va, 2 * MIB), NX_OK);
    long at = nx_vm_map(nx_self, v, 0x40000000, 100 * PAGE, PAGE, NX_PROT_READ);
    expect("map at a chosen address and offset", at, 0x40000000);
    expect("same page again", ((char *)at)[5], 'L');
    expect("overlap refused", nx_vm_map(nx_self, v, 0x40000000, 0, PAGE, NX_PROT_READ),
           NX_ERR_BAD_STATE);
    expect("over the program image refused", nx_vm_map(nx_self, v, 0x10000, 0, PAGE, NX_PROT_READ),
           NX_ERR_BAD_STATE);
    expect("IPC buffer area refused", nx_vm_map(nx_self, v, NX_IPC_BUFFER_BASE, 0, PAGE,
                                                NX_PROT_READ), NX_ERR_INVALID);
    expect("W+X refused", nx_vm_map(nx_self, v, 0, 0, PAGE, RW | NX_PROT_EXEC), NX_ERR_INVALID);
    expect("unaligned size", nx_vm_map(nx_self, v, 0, 0, 100, NX_PROT_READ), NX_ERR_INVALID);
    expect("past the VMO", nx_vm_map(nx_self, v, 0, MIB, 2 * MIB, NX_PROT_READ), NX_ERR_INVALID);
    expect("unmap the stack refused", nx_vm_unmap(nx_self, 0x3fffff0000l, PAGE), NX_ERR_INVALID);
    nx_handle_close(v);  // the mapping keeps the VMO alive
    expect("still readable after close", ((char *)at)[5], 'L');
    nx_vm_unmap(nx_self, at, PAGE);
}

static void touch_after_unmap(nx_handle_t unused)
{
    (void)unused;
    long v = nx_vmo_create(PAGE);
    char *p = (char *)nx_vm_map(nx_self, v, 0, 0, PAGE, RW);
    p[0] = 1;
    nx_vm_unmap(nx_self, (long)p, PAGE);
    nx_puts("vmo: touching an unmapped page");
    p[0] = 2;
    nx_puts("vmo: STILL ALIVE after touching an unmapped page");
}

static void write_after_protect(nx_handle_t unused)
{
    (void)unused;
    long v = nx_vmo_create(2 * PAGE);
    char *p = (char *)nx_vm_map(nx_self, v, 0, 0, 2 * PAGE, RW);
    p[0] = p[PAGE] = 1;
    nx_vm_protect(nx_self, (long)p + PAGE, PAGE, NX_PROT_READ);
    p[0] = 3;  // the other page stays writable
    nx_printf("vmo: reading a protected page gives %d\n", p[PAGE]);
    p[PAGE] = 2;
    nx_puts("vmo: STILL ALIVE after writing a read-only page");
}

static void unmap_and_protect(void)
{
    expect("touching after unmap kills the toucher", run_child("unmapped", touch_after_unmap, 0),
           NX_EXIT_KILLED);
    expect("writing after protect kills the writer", run_child("protected", write_after_protect, 0),
           NX_EXIT_KILLED);
    long v = nx_vmo_create(4 * PAGE);
    long va = nx_vm_map(nx_self, v, 0x50000000, 0, 4 * PAGE, NX_PROT_READ);
    expect("protect up to the handle's rights", nx_vm_protect(nx_self, va, 4 * PAGE, RW), NX_OK);
    long ro = nx_handle_duplicate(v, NX_RIGHT_READ | NX_RIGHT_MAP);
    long rva = nx_vm_map(nx_self, ro, 0, 0, PAGE, NX_PROT_READ);
    expect("protect beyond the handle's rights", nx_vm_protect(nx_self, rva, PAGE, RW),
           NX_ERR_ACCESS);
    expect("map beyond the handle's rights", nx_vm_map(nx_self, ro, 0, 0, PAGE, RW), NX_ERR_ACCESS);
    expect("protect a hole", nx_vm_protect(nx_self, va, 8 * PAGE, NX_PROT_READ), NX_ERR_NOT_FOUND);
    expect("split by a partial unmap", nx_vm_unmap(nx_self, va + PAGE, PAGE), NX_OK);
    ((char *)va)[0] = 1;
    ((char *)va)[2 * PAGE] = 2;
    char got[3] = { 0 };
    nx_vmo_read(v, 0, &got[0], 1);
    nx_vmo_read(v, 2 * PAGE, &got[2], 1);
    expect("both halves still map the VMO", got[0] == 1 && got[2] == 2, 1);
    nx_vm_unmap(nx_self, va, 4 * PAGE);
    nx_vm_unmap(nx_self, rva, PAGE);
    nx_handle_close(ro);
    nx_handle_close(v);
}

static void seal_and_clone(void)
{
    long v = nx_vmo_create(2 * PAGE);
    nx_vmo_write(v, 10, "sealed data", 12);
    long va = nx_vm_map(nx_self, v, 0, 0, 2 * PAGE, RW);
    expect("clone of an unsealed VMO", nx_vmo_clone(v, 0, 2 * PAGE), NX_ERR_BAD_STATE);
    expect("seal with a writable mapping", nx_vmo_seal(v), NX_ERR_BAD_STATE);
    nx_vm_unmap(nx_self, va, 2 * PAGE);
    expect("seal", nx_vmo_seal(v), NX_OK);
    expect("write after seal", nx_vmo_write(v, 0, "x", 1), NX_ERR_ACCESS);
    expect("map a sealed VMO writable", nx_vm_map(nx_self, v, 0, 0, PAGE, RW), NX_ERR_ACCESS);
    va = nx_vm_map(nx_self, v, 0, 0, PAGE, NX_PROT_READ);
    expect("map a sealed VMO read-only", ((char *)va)[10], 's');

    expect("clone: unaligned", nx_vmo_clone(v, 1, PAGE), NX_ERR_INVALID);
    expect("clone: past the end", nx_vmo_clone(v, PAGE, 2 * PAGE), NX_ERR_INVALID);
    long c = nx_vmo_clone(v, 0, 2 * PAGE);
    expect("clone", c > 0, 1);
    long copied = nx_system_info(NX_INFO_BYTES_COPIED);
    char *cp = (char *)nx_vm_map(nx_self, c, 0, 0, 2 * PAGE, RW);
    expect("the clone shows the parent's data", cp[10] == 's' && cp[15] == 'd', 1);
    expect("copy-on-write copied one page", nx_system_info(NX_INFO_BYTES_COPIED) - copied, PAGE);
    cp[10] = 'S';
    expect("the clone changed", cp[10], 'S');
    expect("the parent did not", ((char *)va)[10], 's');
    nx_vm_unmap(nx_self, (long)cp, 2 * PAGE);
    nx_vm_unmap(nx_self, va, PAGE);
    nx_handle_close(c);
    nx_handle_close(v);
}

// The child's side of the shared VMO: check what the parent left, answer in the same page.
static void share_child(nx_handle_t v)
{
    char *p = (char *)nx_vm_map(nx_self, v, 0, 0, PAGE, RW);
    if ((long)p < 0)
        nx_exit(2);
    nx_printf("vmo: child reads \"%s\" from the parent\n", p);
    p[100] = 'c', p[101] = 'h', p[102] = 'i', p[103] = 'l', p[104] = 'd', p[105] = 0;
    nx_exit(p[0] == 'p' ? 0 : 3);
}

static void sharing(void)
{
    long v = nx_vmo_create(PAGE);
    char *p = (char *)nx_vm_map(nx_self, v, 0, 0, PAGE, RW);
    p[0] = 'p', p[1] = 'a', p[2] = 0;
    long child = nx_handle_duplicate(v, NX_RIGHTS_SAME);
    expect("child sees the parent's write", run_child("sharer", share_child, (nx_handle_t)child), 0);
    expect("parent sees the child's write", p[100] == 'c' && p[104] == 'd', 1);
    nx_vm_unmap(nx_self, (long)p, PAGE);
    nx_handle_close(v);
}

// The UART's transmit register is at offset 0 of its page (QEMU's 16550 never fills up).
static void uart(void)
{
    nx_handle_t res = nx_start_handle;
    expect("physical: RAM refused", nx_vmo_physical(res, 0x80000000l, PAGE), NX_ERR_ACCESS);
    expect("physical: unaligned", nx_vmo_physical(res, UART_BASE + 1, PAGE), NX_ERR_INVALID);
    expect("physical: not a resource", nx_vmo_physical(nx_self, UART_BASE, PAGE),
           NX_ERR_WRONG_TYPE);
    long v = nx_vmo_physical(res, UART_BASE, PAGE);
    expect("physical VMO of the UART", v > 0, 1);
    expect("device memory is never executable",
           nx_vm_map(nx_self, v, 0, 0, PAGE, NX_PROT_READ | NX_PROT_EXEC), NX_ERR_ACCESS);
    volatile uint8_t *thr = (volatile uint8_t *)nx_vm_map(nx_self, v, 0, 0, PAGE, RW);
    for (const char *s = "vmo: straight to the UART\n"; *s; s++)
        *thr = (uint8_t)*s;
    nx_vm_unmap(nx_self, (long)thr, PAGE);
    nx_handle_close(v);
}

// Physical addresses for a device: pinned, committed, the same on every call, only with DMA.
static void dma(void)
{
    long v = nx_vmo_create(4 * PAGE);
    uint64_t pa[4], again[2];
    expect("a new VMO has DMA", !!(nx_handle_info_rights(nx_handle_info(v)) & NX_RIGHT_DMA), 1);
    expect("dma of 4 pages", nx_vmo_dma(v, 0, 4 * PAGE, pa, NX_DMA_DEVICE_WRITES), 4);
    expect("addresses are RAM pages", pa[0] % PAGE == 0 && pa[3] >= 0x80000000ul, 1);
    expect("the same pages again", nx_vmo_dma(v, 2 * PAGE, 2 * PAGE, again, 0), 2);
    expect("page 2", again[0] == pa[2] && again[1] == pa[3], 1);
    expect("dma: unaligned", nx_vmo_dma(v, 100, PAGE, pa, 0), NX_ERR_INVALID);
    expect("dma: outside", nx_vmo_dma(v, 3 * PAGE, 2 * PAGE, pa, 0), NX_ERR_INVALID);
    expect("dma: unknown flag", nx_vmo_dma(v, 0, PAGE, pa, 4), NX_ERR_INVALID);
    expect("dma: both flags", nx_vmo_dma(v, 0, PAGE, pa, NX_DMA_DEVICE_WRITES | NX_DMA_RELEASE),
           NX_ERR_INVALID);
    expect("dma: release on a plain VMO changes nothing",
           nx_vmo_dma(v, 0, PAGE, NULL, NX_DMA_RELEASE), 1);
    expect("dma: bad pointer", nx_vmo_dma(v, 0, PAGE, (uint64_t *)0x10, 0), NX_ERR_BAD_ADDRESS);
    expect("dma: seal refused while a device may write", nx_vmo_seal(v), NX_ERR_BAD_STATE);
    long big = nx_vmo_create((NX_VMO_DMA_MAX + 1) * PAGE);
    expect("dma: over NX_VMO_DMA_MAX",
           nx_vmo_dma(big, 0, (NX_VMO_DMA_MAX + 1) * PAGE, pa, 0), NX_ERR_TOO_BIG);
    long no_dma = nx_handle_duplicate(v, NX_RIGHT_READ | NX_RIGHT_WRITE);
    expect("dma: without DMA", nx_vmo_dma(no_dma, 0, PAGE, pa, 0), NX_ERR_ACCESS);
    long ro = nx_handle_duplicate(v, NX_RIGHT_READ | NX_RIGHT_DMA);
    expect("dma: device writes need WRITE",
           nx_vmo_dma(ro, 0, PAGE, pa, NX_DMA_DEVICE_WRITES), NX_ERR_ACCESS);
    long phys = nx_vmo_physical(nx_start_handle, UART_BASE, PAGE);
    expect("dma: device registers never", nx_vmo_dma(phys, 0, PAGE, pa, 0), NX_ERR_ACCESS);
    nx_handle_close(phys);
    nx_handle_close(ro);
    nx_handle_close(no_dma);
    nx_handle_close(big);
    nx_handle_close(v);
}

static void over_budget(nx_handle_t unused)
{
    (void)unused;
    long huge = nx_vmo_create(64 * 1024 * MIB);  // a sparse page array: one slab object
    expect("a 64 GiB VMO is made whatever the budget", huge > 0, 1);
    long v = nx_vmo_create(MIB), err = NX_OK, off = 0;
    static char chunk[NX_VMO_RW_MAX];
    for (; off < MIB && err == NX_OK; off += NX_VMO_RW_MAX)
        err = nx_vmo_write(v, off, chunk, NX_VMO_RW_MAX);
    expect("writes beyond the budget fail", err, NX_ERR_NO_MEMORY);
    off -= NX_VMO_RW_MAX;  // the write that failed: fill what is left page by page
    do
        err = nx_vmo_write(v, off, chunk, 1);
    while (err == NX_OK && (off += PAGE) < MIB);
    expect("a huge VMO's page and page-array nodes are over budget too",
           nx_vmo_write(huge, 40000 * MIB, chunk, 1), NX_ERR_NO_MEMORY);
    nx_handle_close(huge);
    nx_handle_close(v);  // gives the pages back
    long small = nx_vmo_create(PAGE);
    expect("everything else still works", nx_vmo_write(small, 0, "ok", 2), NX_OK);
    char *p = (char *)nx_vm_map(nx_self, nx_vmo_create(MIB), 0, 0, MIB, RW);
    for (long off = 0; off < MIB; off += PAGE)
        p[off] = 1;  // faults past the budget: killed
    nx_puts("vmo: STILL ALIVE over budget");
}

static void budgets(void)
{
    expect("over budget: errors, then killed on a fault", run_child("greedy", over_budget, 0),
           NX_EXIT_KILLED);
}

int main(void)
{
    // The first map allocates the address-space table, which stays: take it before counting.
    long warm = nx_vmo_create(PAGE);
    nx_vm_unmap(nx_self, nx_vm_map(nx_self, warm, 0, 0, PAGE, NX_PROT_READ), PAGE);
    nx_handle_close(warm);
    long pages = free_pages(), objects = nx_system_info(NX_INFO_LIVE_OBJECTS);
    kernel_copies();
    commits();
    lazy_mappings();
    unmap_and_protect();
    seal_and_clone();
    sharing();
    uart();
    dma();
    budgets();
    expect("no page leaked", free_pages(), pages);
    expect("no object leaked", nx_system_info(NX_INFO_LIVE_OBJECTS), objects);
    nx_printf("vmo: %d failures\n", failures);
    return failures;
}

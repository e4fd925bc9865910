// nx_spawn: start another process running a copy of this program (see nx/nx.h).
#include <nx/nx.h>

#define PAGE 4096ul
#define ROUND_UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

// Bounds of the running program's segments (user/lib/user.ld).
extern char __nx_text_start[], __nx_rodata_start[], __nx_data_start[], __nx_data_end[];
// The child's first instruction (crt0.S): calls nx_spawn_entry(a0).
void nx_spawn_trampoline(void);
// Set just before .data is copied, so the child's copy names its entry function.
void (*nx_spawn_entry)(nx_handle_t);

// A new VMO holding a copy of [start, end), mapped at the same address in proc with prot.
// The mapping keeps the VMO: our handle is closed either way.
static long copy_segment(nx_handle_t proc, const char *start, const char *end, long prot)
{
    size_t len = (size_t)(end - start), size = ROUND_UP(len);
    if (size == 0)
        return NX_OK;
    long v = nx_vmo_create((long)size), err = v < 0 ? v : NX_OK;
    for (size_t off = 0; !err && off < len; off += NX_VMO_RW_MAX) {
        size_t n = len - off < NX_VMO_RW_MAX ? len - off : NX_VMO_RW_MAX;
        err = nx_vmo_write(v, (long)off, (long)(start + off), (long)n);
    }
    if (!err) {
        long va = nx_vm_map(proc, v, (long)start, 0, (long)size, prot);
        err = va < 0 ? va : NX_OK;
    }
    if (v >= 0)
        nx_handle_close(v);
    return err;
}

// A fresh stack for proc's first thread; *sp = its top.
static long map_stack(nx_handle_t proc, uint64_t *sp)
{
    long v = nx_vmo_create(NX_SPAWN_STACK_SIZE);
    if (v < 0)
        return v;
    long va = nx_vm_map(proc, v, 0, 0, NX_SPAWN_STACK_SIZE, NX_PROT_READ | NX_PROT_WRITE);
    nx_handle_close(v);
    *sp = (uint64_t)va + NX_SPAWN_STACK_SIZE;
    return va < 0 ? va : NX_OK;
}

static long populate(nx_handle_t proc, void (*entry)(nx_handle_t), uint64_t *sp)
{
    long err = copy_segment(proc, __nx_text_start, __nx_rodata_start,
                            NX_PROT_READ | NX_PROT_EXEC);
    if (!err)
        err = copy_segment(proc, __nx_rodata_start, __nx_data_start, NX_PROT_READ);
    nx_spawn_entry = entry;
    if (!err)
        err = copy_segment(proc, __nx_data_start, __nx_data_end, NX_PROT_READ | NX_PROT_WRITE);
    return err ? err : map_stack(proc, sp);
}

long nx_spawn(const char *name, size_t budget_pages, void (*entry)(nx_handle_t arg),
              nx_handle_t arg)
{
    size_t len = 0;
    while (name[len])
        len++;
    long proc = nx_process_create((long)name, (long)len, (long)budget_pages);
    if (proc < 0)
        return proc;
    uint64_t sp = 0;
    long err = populate((nx_handle_t)proc, entry, &sp);
    if (!err)
        err = nx_process_start(proc, (long)nx_spawn_trampoline, (long)sp, arg);
    if (err) {
        nx_process_kill(proc);
        nx_handle_close(proc);
        return err;
    }
    return proc;
}

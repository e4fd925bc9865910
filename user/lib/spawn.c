// nx_spawn: start another process running a copy of this program (see nx/nx.h).
#include <nx/nx.h>
#include <nx/stdio.h>
#include "internal.h"

// Bounds of the running program's segments (user/lib/user.ld).
extern char __nx_text_start[], __nx_rodata_start[], __nx_data_start[], __nx_data_end[];
// The child's first instruction (crt0.S): sets up TLS, calls nx_spawn_start.
void nx_spawn_trampoline(void);
// Set just before .data is copied, so the child's copy names its entry function.
void (*nx_spawn_entry)(nx_handle_t);

// A copy of [start, end), mapped at the same address in proc with prot.
static long copy_segment(nx_handle_t proc, const char *start, const char *end, uint32_t prot)
{
    size_t len = (size_t)(end - start);
    if (len == 0)
        return NX_OK;
    long va = nx_map_new_copy(proc, (uint64_t)start, NX_PAGE_UP(len), 0, start, len, prot);
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
    if (err)
        return err;
    long top = nx_map_stack(proc, NX_SPAWN_STACK_SIZE);
    *sp = (uint64_t)top;
    return top < 0 ? top : NX_OK;
}

long nx_spawn(const char *name, size_t budget_pages, void (*entry)(nx_handle_t arg),
              nx_handle_t arg)
{
    size_t len = 0;
    while (name[len])
        len++;
    long proc = nx_process_create(name, (long)len, (long)budget_pages);
    if (proc < 0)
        return proc;
    uint64_t sp = 0;
    long err = populate((nx_handle_t)proc, entry, &sp);
    if (!err)
        err = nx_process_start(proc, (long)nx_spawn_trampoline, (long)sp, arg,
                               PRIO_USER_DEFAULT);
    if (err) {
        nx_process_kill(proc);
        nx_handle_close(proc);
        return err;
    }
    return proc;
}

// The child, on its own stack and TLS block (crt0.S): the parent's heap, stdio sink, named
// handles, files and sockets are not in this address space, so it starts without them.
_Noreturn void nx_spawn_start(void)
{
    nx_tls_ipc_buffer = nx_ipc_buffer;
    nx_heap_forget();
    nx_startup_forget();
    nx_file_forget();
    nx_socket_forget();
    nx_stdio_forget_handles();
    nx_stdio_set_sink(NULL, NULL);
    nx_stdio_set_source(NULL, NULL);
    nx_spawn_entry(nx_start_handle);
    nx_exit_process(0);
}

// The C runtime between crt0 and main: constructors, the startup protocol (nx/startup.h) on
// the bootstrap endpoint, main(argc, argv), exit. Also the process-exit path picolibc ends in.
#include <stdlib.h>
#include <string.h>
#include <nx/ipc.h>
#include <nx/nx.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/startup.h>
#include <nx/stdio.h>
#include <nx/console.h>
#include <nx/thread.h>
#include "internal.h"

int main(int argc, char **argv);
void __libc_init_array(void);

// The calling thread's IPC buffer (set by crt0's callers: here, spawn.c and thread.c).
__thread struct nx_ipc_buffer *nx_tls_ipc_buffer;

static struct nx_startup_state startup;

struct nx_ipc_buffer *nx_ipc_buf(void)
{
    return nx_tls_ipc_buffer;
}

nx_handle_t nx_startup_handle(const char *name)
{
    for (size_t i = 0; i < startup.nhandles; i++)
        if (strcmp(startup.names[i], name) == 0)
            return startup.handles[i];
    return NX_HANDLE_INVALID;
}

size_t nx_startup_handle_count(void)
{
    return startup.nhandles;
}

nx_handle_t nx_startup_handle_at(size_t i, const char **name)
{
    if (i >= startup.nhandles)
        return NX_HANDLE_INVALID;
    *name = startup.names[i];
    return startup.handles[i];
}

void nx_startup_forget(void)
{
    startup.nhandles = 0;
}

// Take one received startup message; the status to reply with. Handles of a refused
// message are closed: the state did not take them.
static long take(const struct nx_msg *m)
{
    uint32_t nhandles = NX_MSG_NHANDLES(m->info);
    long err = NX_ERR_INVALID;
    if ((m->info & NX_MSG_CALL) && !(m->info & NX_MSG_SIGNALS))
        err = nx_startup_accept(&startup, NX_MSG_LABEL(m->info), nx_ipc_buffer->bytes,
                                NX_MSG_NBYTES(m->info), nx_ipc_buffer->handles, nhandles);
    for (uint32_t i = 0; err && i < nhandles; i++)
        nx_handle_close(nx_ipc_buffer->handles[i]);
    return err;
}

static uint64_t startup_deadline(void)
{
    return (uint64_t)nx_clock_get() + NX_STARTUP_TIMEOUT_NS;
}

// Answer the parent's calls on ep until DONE. NX_OK, or why the protocol failed.
static long run_startup(nx_handle_t ep)
{
    struct nx_msg m;
    long err = nx_ipc_recv(ep, &m, startup_deadline());
    while (err == NX_OK) {
        long status = take(&m);
        m.info = NX_MSG_INFO(0, 0, 0);
        m.w[0] = (uint64_t)status;
        if (status != NX_OK || startup.done) {
            nx_ipc_reply(&m);
            return status;
        }
        err = nx_ipc_reply_recv(ep, &m, startup_deadline());
    }
    return err;
}

// A program the kernel started has no parent to send arguments: argv[0] is its name.
static void boot_program_args(void)
{
    struct nx_process_info info = { .name = "" };
    nx_process_info(nx_self, &info);
    startup.args_len = strnlen(info.name, sizeof(info.name) - 1) + 1;
    memcpy(startup.args, info.name, startup.args_len);
    startup.argv[0] = startup.args;
    startup.argc = 1;
}

static bool is_endpoint(nx_handle_t h)
{
    long info = h == NX_HANDLE_INVALID ? -1 : nx_handle_info(h);
    return info >= 0 && nx_handle_info_type(info) == NX_OBJ_ENDPOINT;
}

_Noreturn void nx_runtime_start(void)
{
    nx_tls_ipc_buffer = nx_ipc_buffer;
    nx_startup_init(&startup);
    if (is_endpoint(nx_start_handle)) {
        long err = run_startup(nx_start_handle);
        nx_handle_close(nx_start_handle);
        nx_start_handle = NX_HANDLE_INVALID;
        if (err) {
            nx_printf("startup: protocol failed (%ld)\n", err);
            nx_exit_process(NX_STARTUP_EXIT_FAILED);
        }
    }
    if (startup.argc == 0)
        boot_program_args();
    if (startup.envc)
        environ = startup.envp;
    nx_handle_t con = nx_startup_handle("console");
    if (con != NX_HANDLE_INVALID)
        nx_console_take_stdio(con);  // a program handed a console talks on it
    nx_stdio_take_handles();
    __libc_init_array();
    exit(main(startup.argc, startup.argv));
}

// Where picolibc's exit() ends: the stdio buffer goes out, then the process.
void _exit(int status)
{
    nx_exit_process(status);
}

void (*nx_socket_exit_hook)(void);

_Noreturn void nx_exit_process(long status)
{
    nx_stdio_close_handles();  // flushed; a reader of our pipes sees end-of-file
    if (nx_socket_exit_hook)
        nx_socket_exit_hook();
    nx_file_close_all();
    nx_exit(status);
    __builtin_unreachable();
}

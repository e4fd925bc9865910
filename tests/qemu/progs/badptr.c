// Passes bad pointers and lengths to a syscall: each must come back as an error code, and the
// process must go on running afterwards.
#include <nx/nx.h>

static void try(const char *what, long ptr, long len, long expected)
{
    long r = nx_debug_write((const char *)ptr, (size_t)len);
    nx_printf("badptr: %s -> %ld %s\n", what, r, r == expected ? "ok" : "WRONG");
}

static const char text[] = "x";

static void check(const char *what, long r, long expected)
{
    nx_printf("badptr: %s -> %ld %s\n", what, r, r == expected ? "ok" : "WRONG");
}

// A handle is a whole register: a valid handle with a bit above 32 set names nothing, for
// every syscall (the notification calls once took 32 bits and ignored the rest).
static void handle_upper_bits(void)
{
    nx_handle_t n = (nx_handle_t)nx_notification_create();
    long far = (long)n | 1L << 40;
    uint64_t out[6];
    check("notify_signal, handle bit 40",
          nx_syscall7(NX_SYS_notify_signal, far, 1, 0, 0, 0, 0, 0), NX_ERR_BAD_HANDLE);
    check("notify_poll, handle bit 40",
          nx_syscall7_out(NX_SYS_notify_poll, far, 0, 0, 0, 0, 0, 0, out), NX_ERR_BAD_HANDLE);
    check("notify_wait, handle bit 40",
          nx_syscall7_out(NX_SYS_notify_wait, far, 0, 0, 0, 0, 0, 0, out), NX_ERR_BAD_HANDLE);
    check("vmo_size, handle bit 40", nx_syscall7(NX_SYS_vmo_size, far, 0, 0, 0, 0, 0, 0),
          NX_ERR_BAD_HANDLE);
    check("notify_signal, the handle itself", nx_notify_signal(n, 1), NX_OK);
    nx_handle_close(n);
}

int main(void)
{
    try("null pointer", 0, 1, NX_ERR_BAD_ADDRESS);
    try("kernel address", (long)0xffffffff80200000UL, 16, NX_ERR_BAD_ADDRESS);
    try("unmapped user address", 0x30000000, 8, NX_ERR_BAD_ADDRESS);
    try("range wrapping around", (long)text, -1, NX_ERR_TOO_BIG);
    try("too long", (long)text, NX_DEBUG_WRITE_MAX + 1, NX_ERR_TOO_BIG);
    try("crossing into unmapped", 0x3fffffeff8, 16, NX_ERR_BAD_ADDRESS);
    handle_upper_bits();
    long r = nx_syscall0(NX_SYSCALL_COUNT + 7);
    nx_printf("badptr: unknown syscall -> %ld %s\n", r, r == NX_ERR_BAD_SYSCALL ? "ok" : "WRONG");
    nx_printf("badptr: survived\n");
    return 3;
}

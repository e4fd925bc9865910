// Passes bad pointers and lengths to a syscall: each must come back as an error code, and the
// process must go on running afterwards.
#include <nx/nx.h>

static void try(const char *what, long ptr, long len, long expected)
{
    long r = nx_debug_write((const char *)ptr, (size_t)len);
    nx_printf("badptr: %s -> %ld %s\n", what, r, r == expected ? "ok" : "WRONG");
}

static const char text[] = "x";

int main(void)
{
    try("null pointer", 0, 1, NX_ERR_BAD_ADDRESS);
    try("kernel address", (long)0xffffffff80200000UL, 16, NX_ERR_BAD_ADDRESS);
    try("unmapped user address", 0x30000000, 8, NX_ERR_BAD_ADDRESS);
    try("range wrapping around", (long)text, -1, NX_ERR_TOO_BIG);
    try("too long", (long)text, NX_DEBUG_WRITE_MAX + 1, NX_ERR_TOO_BIG);
    try("crossing into unmapped", 0x3fffffeff8, 16, NX_ERR_BAD_ADDRESS);
    long r = nx_syscall0(NX_SYSCALL_COUNT + 7);
    nx_printf("badptr: unknown syscall -> %ld %s\n", r, r == NX_ERR_BAD_SYSCALL ? "ok" : "WRONG");
    nx_printf("badptr: survived\n");
    return 3;
}

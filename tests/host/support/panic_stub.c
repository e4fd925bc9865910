// See panic_stub.h. An unexpected panic aborts the test binary with the message.
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "support/panic_stub.h"
#include "panic.h"

jmp_buf panic_jump;
int panic_armed;
char panic_message[256];

_Noreturn void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(panic_message, sizeof(panic_message), fmt, ap);
    va_end(ap);
    if (panic_armed)
        longjmp(panic_jump, 1);
    fprintf(stderr, "unexpected kernel panic: %s\n", panic_message);
    abort();
}

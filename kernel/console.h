#pragma once
// The kernel's debug console (SBI console): early boot messages, exit reports and panics.
// Services get their own UART driver in user space.
#include <stdarg.h>
#include <stddef.h>

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t len);

#pragma once
// The kernel's console (the serial port, or SBI's console before it is known or without one):
// the one writer of the serial port. The kernel's own messages (boot, exit reports, panics)
// and everything processes write (nx_debug_write: programs, the log service's echo, and the
// UART driver's output for the console service) go out here, line by line
// (console_lines.h): no line mixes two writers.
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONSOLE_KERNEL 0  // the kernel's writer number; processes write as their pid (from 1)

struct fdt_info;
// Write the serial port the device tree names directly from now on (~10 instructions a byte
// where OpenSBI 1.1's legacy putchar, a trap into M-mode per byte, takes ~370); false: it has
// none the kernel can drive, and the console stays on SBI. Called once, at boot.
bool console_use_uart(const struct fdt_info *fdt);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
// A write of one writer: console_begin (ends_line: its last byte is '\n'), its bytes in as
// many console_put pieces as needed, console_end.
void console_begin(uint32_t source, bool ends_line);
void console_put(const char *s, size_t len);
void console_end(void);
// The kernel is halting: a line left open (the shell's prompt) is ended, not drawn again
// under the kernel's last words.
void console_panic(void);

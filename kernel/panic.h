#pragma once
// Fatal kernel errors: print, dump what is known, and power off. Never returns.
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

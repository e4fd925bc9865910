#pragma once
// Constants written once for C and assembly. UL(x) is x as an unsigned long in C and plain x
// in assembly, which has no integer suffixes; headers included by .S files keep their C
// declarations under #ifndef __ASSEMBLER__.
#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##UL
#endif

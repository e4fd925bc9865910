/* What every model of NEURON's SMP protocols shares (docs/testing.md, "SMP protocol models"):
 * three harts, the big kernel lock, the IPI pending bits, and each hart's address space and
 * leave_as request (kernel/hart.h, kernel/arch/riscv/trap.S). Memory is sequentially
 * consistent here: the kernel's fences (big_unlock's fence rw,w; big_lock's fence r,rw; the
 * release/acquire atomics of hart.c) are what make the hardware behave so for these fields.
 */
#define NHARTS 3
#define KERNEL_AS 0   /* satp of the kernel's page table */
#define P_AS 1        /* satp of the process P */

/* The ticket lock: a ticket is taken (amoadd) and waited for; tickets count modulo 4, more
 * than the harts that can hold one at once. */
#define TICKETS 4
byte next_ticket, serving;
bit sip[NHARTS];       /* an IPI is pending at the hart (sip.SSIP) */
bit leave_as[NHARTS];  /* the hart is asked to leave its address space */
byte satp[NHARTS];

/* big_lock in trap.S: while its ticket is not served, the hart serves a request to leave its
 * address space (the kernel's page table, then the flag cleared). */
inline lock(h, my)
{
    atomic { my = next_ticket; next_ticket = (next_ticket + 1) % TICKETS };
    do
    :: my == serving -> break
#ifndef BROKEN_NO_LEAVE_SERVE
    :: leave_as[h] -> satp[h] = KERNEL_AS; leave_as[h] = 0
#endif
    od
}

inline unlock()
{
    serving = (serving + 1) % TICKETS
}

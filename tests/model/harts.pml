/* What every model of NEURON's SMP protocols shares (docs/testing.md, "SMP protocol models"):
 * three harts, the big kernel lock, the IPI pending bits, and each hart's address space and
 * leave_as request (kernel/hart.h, kernel/hart.c, kernel/arch/riscv/trap.S). Memory is
 * sequentially consistent here: the kernel's fences and atomics (big_unlock's fence between
 * clearing the lock and reading the sleepers, the waiter's seq_cst sleeper bit before it
 * reads the lock, the release/acquire atomics of hart.c) are what make the hardware behave
 * so for these fields.
 */
#define NHARTS 3
#define KERNEL_AS 0   /* satp of the kernel's page table */
#define P_AS 1        /* satp of the process P */

/* The big lock (kernel/hart.c, trap.S big_lock): a reader-writer lock, the writer bit plus
 * the count of shared holders. lock(h) takes it exclusive: the writer bit once free, then
 * waits for the shared holders to leave. shared_lock(h) adds one to the count and keeps it
 * if no writer had the bit, else takes it back and waits. Every waiter serves a request to
 * leave its address space (the kernel's page table, then the flag cleared) while it waits;
 * after a while it sets its sleeper bit and, if it still has to wait and nobody asked it to
 * leave, halts in WFI until an interrupt is pending. A releaser (of either kind, and a
 * shared taker giving its count back) sends an IPI to every sleeper. */
bit writer;
byte readers;
bit sleeper[NHARTS];
bit sip[NHARTS];       /* an IPI is pending at the hart (sip.SSIP) */
bit leave_as[NHARTS];  /* the hart is asked to leave its address space */
byte satp[NHARTS];

inline wake_sleeper(h)
{
    if
    :: sleeper[h] -> sip[h] = 1
    :: else
    fi
}

inline wake_sleepers()
{
#ifndef BROKEN_NO_SLEEPER_WAKE
    wake_sleeper(0);
    wake_sleeper(1);
    wake_sleeper(2)
#else
    skip
#endif
}

/* One round of waiting while `blocked` holds. */
inline wait_a_while(h, blocked)
{
#ifndef BROKEN_NO_LEAVE_SERVE
    if
    :: leave_as[h] -> satp[h] = KERNEL_AS; leave_as[h] = 0
    :: else
    fi;
#endif
    if
    :: skip                 /* spin on */
    :: sleeper[h] = 1;      /* then halt, unless it may go on or leave_as came */
#ifdef BROKEN_SLEEP_UNCHECKED
        sip[h] == 1;
#else
        if
        :: (blocked) && !leave_as[h] -> sip[h] == 1
        :: else
        fi;
#endif
        sleeper[h] = 0
    fi
}

inline lock(h)
{
    do
    :: atomic { !writer -> writer = 1 }; break
    :: writer -> wait_a_while(h, writer)
    od;
    do
    :: readers == 0 -> break
    :: readers > 0 -> wait_a_while(h, readers > 0)
    od
}

inline unlock()
{
    writer = 0;
    wake_sleepers()
}

inline shared_lock(h, got)
{
    do
    :: atomic { readers++; got = !writer };
        if
        :: got -> break
        :: else -> readers--; wake_sleepers(); wait_a_while(h, writer)
        fi
    od
}

inline shared_unlock()
{
    readers--;
    wake_sleepers()
}

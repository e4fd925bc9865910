/* A wake-up against harts going idle (kernel/sched.c sched_ready, place, steal,
 * sched_idle_loop and halt; kernel/hart.c hart_send_ipi and hart_ipi_interrupt).
 *
 * A thread on hart 0 makes NWAKE blocked threads ready, one syscall each (under the big lock
 * each time), then either goes on in user mode (until its slice timer or an IPI brings hart 0
 * back for its queue) or blocks, and hart 0 idles. Harts 1 and 2 idle: under the lock they
 * take a thread from their own queue or steal one from another's, else set idling, give the
 * lock up and WFI; an IPI pending before the WFI makes it return at once (sip.SSIP stays set
 * until the interrupt is taken, after the lock is taken again).
 * Checked: no lost wake-up. When every hart sleeps (timeout), each woken thread has run.
 * Broken variant (must fail): -DBROKEN_NO_IPI, no IPI to the hart a thread was queued on.
 */
#include "harts.pml"

#define NWAKE 2

byte queued[NHARTS];   /* threads on each hart's run queue */
bit idling[NHARTS];
byte woken, ran;

/* sched_ready from hart self: the thread goes to an idle hart with an empty queue (any of
 * them: the kernel's order of preference is not what is checked) or else to self. */
inline ready_one(self, to)
{
    if
    :: idling[1] && queued[1] == 0 -> to = 1
    :: idling[2] && queued[2] == 0 -> to = 2
    :: else -> to = self
    fi;
    queued[to]++;
    woken++;
#ifndef BROKEN_NO_IPI
    if
    :: to != self -> sip[to] = 1   /* it idles, or runs a thread the woken one may preempt */
    :: else
    fi
#endif
}

/* The idle loop of hart h, entered with the lock held: run what is queued here, or steal,
 * or halt. A thread that runs here blocks again for good (its run is counted). */
inline idle_loop(h)
{
    do
    :: queued[h] > 0 -> queued[h]--; ran++
    :: queued[h] == 0 && queued[(h + 1) % NHARTS] > 0 -> queued[(h + 1) % NHARTS]--; ran++
    :: queued[h] == 0 && queued[(h + 2) % NHARTS] > 0 -> queued[(h + 2) % NHARTS]--; ran++
    :: else ->
        idling[h] = 1;
        unlock();
end_wfi:
        sip[h] == 1;
        lock(h);
        idling[h] = 0;
        sip[h] = 0     /* the IPI is taken once interrupts open (sched_idle_loop) */
    od
}

proctype waker()
{
    byte to, n;
    do
    :: n < NWAKE ->
        lock(0);           /* a syscall: signal, reply, ... */
        ready_one(0, to);
        n++;
        if
        :: n < NWAKE -> unlock()
        :: else -> break
        fi
    :: else -> break
    od;
    if
    :: unlock();               /* back to user mode, until the slice timer or an IPI */
end_user:
        (queued[0] > 0 || sip[0] == 1);
        lock(0);
        sip[0] = 0
    :: skip                    /* it blocks: hart 0 idles */
    fi;
    idle_loop(0)
}

proctype idle_hart(byte h)
{
    lock(h);
    idle_loop(h)
}

/* Everything asleep: every woken thread must have run. */
active proctype asleep()
{
    timeout -> assert(woken == ran)
}

init
{
    atomic {
        run waker();
        run idle_hart(1);
        run idle_hart(2)
    }
}

/* No LTL claim ("every woken thread eventually runs"): under weak fairness SPIN finds idle
 * harts waking each other for ever through late IPIs to lock sleepers while hart 0 keeps
 * finding the lock taken; the test-and-set lock is not starvation-free, which is a matter
 * of fairness, not a lost wake-up. The asleep process checks the wake-ups. */

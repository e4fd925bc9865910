/* The IPC hand-off under the big lock held shared (kernel/endpoint_fastpath.h
 * endpoint_call_shared and endpoint_reply_recv_shared, kernel/sched.c sched_hand_off,
 * kernel/arch/riscv/switch.S switch_context_release), against the exclusive paths.
 *
 * One server thread S serves two clients, C1 on hart 0 and C2 on hart 1, each calling it
 * NCALLS times. A call takes the lock shared, and takes S off the endpoint's receivers under
 * the endpoint's lock if S waits there; it then waits until S's context is stored (on_cpu),
 * and switches to S on its own hart. S replies at once: it puts itself back on the receivers
 * (marked still on its hart), then switches back to the client, storing its registers and
 * clearing on_cpu last. A call that finds no S falls back to the exclusive path, which runs
 * the same call and reply with no other hart in the kernel. Hart 2 meanwhile takes the lock
 * exclusive now and then (a kill, a map).
 * Checked: a thread's context is loaded only once stored (no hart runs a thread whose
 * registers another hart is still saving); no shared holder is inside while the lock is held
 * exclusive, and then no switch is half done; every call completes (no deadlock).
 * Broken variant (must fail): -DBROKEN_NO_ON_CPU_WAIT, the call does not wait for on_cpu.
 */
#include "harts.pml"

#define NCALLS 2
#define S 0
#define NONE 255

bit queued = 1;            /* S waits on the endpoint's receivers */
bit ep_lock;
bit on_cpu[3];             /* a hart has not finished storing the thread's registers */
bit stored[3];             /* the thread's registers are in its context (not running) */
byte inside;               /* harts inside a shared path */
bit exclusive;             /* a hart holds the lock exclusive and is inside */
byte done;

inline lock_ep()
{
    atomic { !ep_lock -> ep_lock = 1 }
}

/* The hart switches from prev to next: next's context must be stored; prev's is stored,
 * then on_cpu cleared (switch_context_release). */
inline switch_to(prev, next)
{
    assert(stored[next]);
    stored[next] = 0;
    stored[prev] = 1;
    on_cpu[prev] = 0
}

inline call_and_reply_exclusively(h, c)
{
    lock(h);
    exclusive = 1;
    assert(inside == 0);
    assert(!(queued && on_cpu[S]));  /* no hand-off is half done */
    if
    :: queued -> queued = 0; switch_to(c, S); queued = 1; switch_to(S, c); done++
    :: else                           /* S is on another hart: wait in line (not modelled) */
    fi;
    exclusive = 0;
    unlock()
}

proctype client_hart(byte h; byte c)
{
    byte n;
    bit got, took;
    do
    :: n < NCALLS ->
        shared_lock(h, got);
        inside++;
        assert(!exclusive);
        lock_ep();
        took = queued;
        queued = 0;
        ep_lock = 0;
        if
        :: took ->
            on_cpu[c] = 1;     /* sched_block_for_hand_off (c is running: already so) */
#ifndef BROKEN_NO_ON_CPU_WAIT
            on_cpu[S] == 0;    /* sched_hand_off waits for S's hart */
#endif
            switch_to(c, S);
            on_cpu[S] = 1;     /* S replies: back on the receivers, still on this hart */
            lock_ep();
            queued = 1;
            ep_lock = 0;
            on_cpu[c] == 0;
            switch_to(S, c);
            done++;
            n++;
            inside--;
            shared_unlock()
        :: else ->
            inside--;
            shared_unlock();   /* big_lock_exclusive_instead */
            call_and_reply_exclusively(h, c);
            n++
        fi
    :: else -> break
    od
}

proctype exclusive_hart()
{
    byte k;
    do
    :: k < 2 ->
        lock(2);
        exclusive = 1;
        assert(inside == 0);
        assert(!(queued && on_cpu[S]));
        exclusive = 0;
        unlock();
        k++
    :: else -> break
    od
}

active proctype finished()
{
    timeout -> assert(done == 2 * NCALLS)
}

init
{
    atomic {
        stored[S] = 1;
        on_cpu[1] = 1;
        on_cpu[2] = 1;
        run client_hart(0, 1);
        run client_hart(1, 2);
        run exclusive_hart()
    }
}

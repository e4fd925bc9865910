/* Killing a thread current on another hart, and ending its process (kernel/thread.c
 * thread_kill, kernel/process.c end_one, kernel/hart.c hart_wait_out_of_user and
 * harts_leave_address_space, trap.S enter_kernel/leave_kernel).
 *
 * Hart V runs thread T of process P: in user mode, or entering the kernel, or waiting for
 * the big lock, or in it; T may block for good or end P itself (thread_exit of P's last
 * thread). Hart K runs a thread of another process that kills P. Hart I idles in WFI, still
 * in P's address space (it ran one of P's threads before).
 * Checked: nobody frees T's user resources while T runs in user mode, T's kernel stack while
 * V is on it, or P's page tables while any hart translates through them; and no deadlock
 * (every wait ends; the idle harts may sleep at the end, the killer must finish).
 * Broken variants (each must fail): -DBROKEN_NO_IN_USER_WAIT (the killer does not wait for
 * V to leave user mode), -DBROKEN_NO_LEAVE_SERVE (harts waiting for the lock do not serve
 * leave_as), -DBROKEN_FREE_RUNNING (the killer drops the running thread's last reference),
 * -DBROKEN_NO_SLEEPER_WAKE (a releaser wakes no hart asleep waiting for the lock),
 * -DBROKEN_SLEEP_UNCHECKED (a waiter halts without looking at the lock and leave_as again).
 */
#include "harts.pml"

#define K 0
#define V 1
#define I 2

mtype = { RUNNING, BLOCKED, DEAD };
bit in_user[NHARTS];
mtype t_state = RUNNING;
bit t_dying;
byte t_refs = 1;       /* the reference that keeps T's pages: dropped once T is off them */
bit t_pages_freed;     /* T's kernel stack and thread struct */
bit t_user_freed;      /* T's user resources (its IPC buffer page) */
bit v_in_user_mode;    /* V executes T's user code */
bit v_on_t_stack;      /* V executes on T's kernel stack */
bit p_alive = 1;
bit pt_freed;          /* P's page tables */
bit killer_done;

inline drop_t_ref()
{
    t_refs--;
    if
    :: t_refs == 0 -> assert(!v_on_t_stack); t_pages_freed = 1
    :: else
    fi
}

/* thread_kill(T) by hart self, under the big lock. */
inline kill_t(self)
{
    if
    :: t_state == RUNNING && self != V ->
#ifndef BROKEN_NO_IN_USER_WAIT
        /* hart_wait_out_of_user */
        if
        :: in_user[V] -> sip[V] = 1; (in_user[V] == 0)
        :: else
        fi;
#endif
        t_dying = 1
    :: else
    fi;
    if
    :: t_state != DEAD ->
        assert(!v_in_user_mode);   /* unmap_ipc_buffer frees the page T may write */
        t_user_freed = 1;
#ifdef BROKEN_FREE_RUNNING
        drop_t_ref();
#else
        if
        :: t_state != RUNNING -> drop_t_ref()
        :: else
        fi;
#endif
        t_state = DEAD
    :: else
    fi
}

/* end_one(P) by hart self, under the big lock: every thread killed, every other hart still
 * in P's address space asked to leave it and waited for, this hart out of it, tables freed. */
inline end_p(self)
{
    p_alive = 0;
    kill_t(self);
    if
    :: self != V && satp[V] == P_AS -> leave_as[V] = 1; sip[V] = 1
    :: else
    fi;
    if
    :: self != I && satp[I] == P_AS -> leave_as[I] = 1; sip[I] = 1
    :: else
    fi;
    (leave_as[V] == 0 && leave_as[I] == 0);
    satp[self] = KERNEL_AS;    /* vm_destroy_user_root, when self was in P */
    assert(satp[K] != P_AS && satp[V] != P_AS && satp[I] != P_AS);
    pt_freed = 1
}

/* Halt until an IPI (sched.c halt): idling, the lock given up, WFI; woken, the lock again and
 * the IPI taken. A hart may sleep here for good. */
inline idle_forever(h)
{
    do
    :: unlock();
end_wfi:
        sip[h] == 1;
        lock(h);
        sip[h] = 0
    od
}

proctype killer()
{
    in_user[K] = 0;           /* enter_kernel: a syscall, process_kill(P) */
    lock(K);
    if
    :: p_alive -> end_p(K)
    :: else
    fi;
    in_user[K] = 1;           /* leave_kernel */
    unlock();
    killer_done = 1
}

proctype victim_hart()
{
    byte rounds;  /* returns to user mode: bounded, as the lock is not fair (no starvation) */
user:
    v_in_user_mode = 1;
    assert(!pt_freed && !t_user_freed);  /* T's code translates through P's tables */
    /* a trap: the IPI, an ecall or a fault */
    v_in_user_mode = 0;
    v_on_t_stack = 1;         /* trap entry saves T's registers on its kernel stack */
    assert(!t_pages_freed);
    in_user[V] = 0;
    lock(V);
    sip[V] = 0;
    assert(!t_pages_freed);
    if
    :: t_dying -> goto off_t          /* thread_dying */
    :: else
    fi;
    if
    :: rounds < 2 -> rounds++; in_user[V] = 1; unlock(); v_on_t_stack = 0; goto user
    :: t_state = BLOCKED              /* for good: nobody wakes it */
    :: end_p(V)                       /* thread_exit of P's last thread */
    fi;
off_t:
    /* switch_from: onto the idle thread, then the zombie (if T died) is reaped */
    v_on_t_stack = 0;
    if
    :: t_state == DEAD -> drop_t_ref()
    :: else
    fi;
    idle_forever(V)
}

proctype idle_hart()
{
end_wfi:
    sip[I] == 1;
    lock(I);
    sip[I] = 0;
    idle_forever(I)
}

init
{
    atomic {
        in_user[V] = 1;
        satp[K] = 2;              /* the killer's own process */
        satp[V] = P_AS;
        satp[I] = P_AS;
        run killer();
        run victim_hart();
        run idle_hart()
    }
}

ltl the_killer_finishes { <> killer_done }

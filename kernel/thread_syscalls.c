// Thread system calls: the process lookup and the argument checks around kernel/thread.c.
#include <nexus/errors.h>
#include <nexus/syscall.h>
#include "process.h"
#include "sched.h"
#include "syscall.h"
#include "thread.h"

#define THREAD_RIGHTS (NX_RIGHT_READ | NX_RIGHT_MANAGE | NX_RIGHT_DUPLICATE | NX_RIGHT_TRANSFER)

long sys_thread_create(uhandle_t proc, uint64_t pc, uint64_t sp, uint64_t arg, uint64_t priority)
{
    struct kobject *k;
    int err = syscall_get(proc, NX_OBJ_PROCESS, NX_RIGHT_MANAGE, &k, NULL);
    if (err)
        return err;
    struct process *p = (struct process *)k;
    if (pc < USER_VA_MIN || pc > USER_STACK_TOP || sp < USER_VA_MIN || sp > USER_STACK_TOP)
        return NX_ERR_INVALID;
    // No thread can make a thread more urgent than itself (else any could take the CPU).
    if (priority > current_thread->rq.priority)
        return NX_ERR_ACCESS;
    struct thread *t;
    err = syscall_room(1);
    if (err == NX_OK)
        err = thread_create(p, pc, sp, arg, (uint8_t)priority, &t);
    if (err)
        return err;
    // A thread of the caller's own process shares its global pointer, so code linked with
    // gp-relative relaxation works from its first instruction.
    if (p == current_process)
        t->tf.regs[REG_GP] = current_thread->tf.regs[REG_GP];
    kobject_ref(&t->obj);  // for the handle
    long h = syscall_install(&t->obj, THREAD_RIGHTS);
    sched_ready(t);
    sched_preempt();
    return h;
}

long sys_thread_exit(void)
{
    thread_exit();
}

long sys_thread_set_affinity(uhandle_t thread, uint64_t harts)
{
    struct thread *t = current_thread;
    if (thread != NX_HANDLE_INVALID) {
        struct kobject *k;
        int err = syscall_get(thread, NX_OBJ_THREAD, NX_RIGHT_MANAGE, &k, NULL);
        if (err)
            return err;
        t = (struct thread *)((char *)k - offsetof(struct thread, obj));
    }
    return sched_set_affinity(t, harts);
}

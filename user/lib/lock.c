// picolibc's retargetable locks (sys/lock.h), so that malloc and the rest of the C library
// can be used from several threads (nx_thread_start). Defining every symbol of picolibc's
// own no-op lock file keeps that file out of the link.
//
// One hart: a lock is an atomic flag plus its owner (the thread's TLS pointer, unique per
// thread) and depth for the recursive kind. A thread that finds the lock taken waits on a
// notification the releaser signals, with a 1 ms deadline as well: the holder may run at a
// lower priority, and the wait is what lets it run and release.
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/lock.h>
#include <nx/nx.h>

#define WAIT_NS 1000000ull

struct __lock {
    uint32_t locked;   // 0 or 1, changed atomically
    uint32_t waiting;  // a thread waits for the release
    void *owner;       // the holder's tp
    uint32_t depth;    // recursive acquisitions by the owner
};

// The lock malloc and friends use (__LIBC_LOCK).
struct __lock __lock___libc_recursive_mutex;

// Signalled at every contended release; made on the first contention.
static nx_handle_t release_notif;

static void *self(void)
{
    void *tp;
    __asm__("mv %0, tp" : "=r"(tp));
    return tp;
}

static nx_handle_t notification(void)
{
    if (release_notif == NX_HANDLE_INVALID) {
        long n = nx_notification_create();
        nx_handle_t none = NX_HANDLE_INVALID;
        if (n > 0 && !__atomic_compare_exchange_n(&release_notif, &none, (nx_handle_t)n, false,
                                                  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            nx_handle_close(n);  // another thread made it first
    }
    return release_notif;
}

static bool try_take(struct __lock *l)
{
    uint32_t free_value = 0;
    return __atomic_compare_exchange_n(&l->locked, &free_value, 1, false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

static void take(struct __lock *l)
{
    while (!try_take(l)) {
        __atomic_store_n(&l->waiting, 1, __ATOMIC_RELAXED);
        uint64_t bits;
        nx_notify_wait_bits(notification(), (uint64_t)nx_clock_get() + WAIT_NS, &bits);
    }
}

static void give(struct __lock *l)
{
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    if (__atomic_exchange_n(&l->waiting, 0, __ATOMIC_ACQ_REL))
        nx_notify_signal(release_notif, 1);
}

void __retarget_lock_acquire(_LOCK_T l)
{
    take(l);
}

int __retarget_lock_try_acquire(_LOCK_T l)
{
    return try_take(l);
}

void __retarget_lock_release(_LOCK_T l)
{
    give(l);
}

void __retarget_lock_acquire_recursive(_LOCK_T l)
{
    if (__retarget_lock_try_acquire_recursive(l))
        return;
    take(l);
    l->owner = self();
    l->depth = 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T l)
{
    if (l->owner == self() && l->depth) {
        l->depth++;
        return 1;
    }
    if (!try_take(l))
        return 0;
    l->owner = self();
    l->depth = 1;
    return 1;
}

void __retarget_lock_release_recursive(_LOCK_T l)
{
    if (--l->depth)
        return;
    l->owner = NULL;
    give(l);
}

void __retarget_lock_init(_LOCK_T *l)
{
    *l = calloc(1, sizeof(**l));
}

void __retarget_lock_init_recursive(_LOCK_T *l)
{
    __retarget_lock_init(l);
}

void __retarget_lock_close(_LOCK_T l)
{
    free(l);
}

void __retarget_lock_close_recursive(_LOCK_T l)
{
    free(l);
}

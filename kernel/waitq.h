#pragma once
// FIFO queues of blocked threads, linked through thread.wait_next/wait_prev. A thread is on
// at most one wait queue (the one it is blocked on).
#include <stdbool.h>
#include <stddef.h>
#include "thread.h"

struct waitq {
    struct thread *head, *tail;
};

static inline bool waitq_empty(const struct waitq *q) { return q->head == NULL; }

static inline void waitq_push(struct waitq *q, struct thread *t)
{
    t->wait_next = NULL;
    t->wait_prev = q->tail;
    if (q->tail)
        q->tail->wait_next = t;
    else
        q->head = t;
    q->tail = t;
}

static inline void waitq_remove(struct waitq *q, struct thread *t)
{
    if (t->wait_prev)
        t->wait_prev->wait_next = t->wait_next;
    else
        q->head = t->wait_next;
    if (t->wait_next)
        t->wait_next->wait_prev = t->wait_prev;
    else
        q->tail = t->wait_prev;
    t->wait_next = t->wait_prev = NULL;
}

// The oldest thread, off the queue; NULL if none. (The head has no wait_prev to unlink:
// cheaper than waitq_remove, and on the IPC fast path.)
static inline struct thread *waitq_pop(struct waitq *q)
{
    struct thread *t = q->head;
    if (t) {
        q->head = t->wait_next;
        if (q->head)
            q->head->wait_prev = NULL;
        else
            q->tail = NULL;
        t->wait_next = NULL;
    }
    return t;
}

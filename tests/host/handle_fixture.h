#pragma once
// Shared fixture of the handle-table tests: three tables, test objects and small helpers.
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <nexus/errors.h>
#include "handle.h"
#include "support/panic_stub.h"

struct tobj {
    struct kobject k;
    int destroyed;
};

static struct handle_table A, B, C;
static int destroy_calls;

static inline void count_destroy(struct kobject *k)
{
    ((struct tobj *)k)->destroyed++;
    destroy_calls++;
}

static inline void make(struct tobj *o, uint32_t type)
{
    memset(o, 0, sizeof(*o));
    kobject_init(&o->k, type, count_destroy);
}

static inline int setup(void **state)
{
    (void)state;
    handle_table_init(&A);
    handle_table_init(&B);
    handle_table_init(&C);
    destroy_calls = 0;
    return 0;
}

static inline nx_handle_t install(struct handle_table *t, struct tobj *o, uint32_t rights)
{
    nx_handle_t h = NX_HANDLE_INVALID;
    assert_int_equal(handle_install(t, &o->k, rights, &h), NX_OK);
    assert_int_not_equal(h, NX_HANDLE_INVALID);
    return h;
}

static inline nx_handle_t dup(struct handle_table *t, nx_handle_t h, uint32_t rights)
{
    nx_handle_t d;
    assert_int_equal(handle_duplicate(t, h, rights, &d), NX_OK);
    return d;
}

static inline nx_handle_t xfer(struct handle_table *from, nx_handle_t h, bool copy,
                        struct handle_table *to)
{
    nx_handle_t d;
    assert_int_equal(handle_transfer(from, h, NX_RIGHTS_SAME, copy, to, &d), NX_OK);
    return d;
}

static inline bool valid(struct handle_table *t, nx_handle_t h)
{
    struct kobject *k;
    return handle_get(t, h, NX_OBJ_ANY, 0, &k, NULL) == NX_OK;
}


// A process's tree (kernel/process_tree.c): pre-order from the root, only the root's own
// subtree (never its siblings or creator), any depth without a stack, and find by pid.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "process.h"
#include "process_tree.h"

#define N 8

// Links child under parent, as process_create does: the newest child first.
static void adopt(struct process *parent, struct process *child)
{
    child->creator = parent;
    child->next_sibling = parent->children;
    if (parent->children)
        parent->children->prev_sibling = child;
    parent->children = child;
}

// The pids of root's tree, in the walk's order, into out: how many.
static size_t walk(struct process *root, uint32_t *out)
{
    size_t n = 0;
    for (struct process *q = root; q; q = process_tree_next(root, q))
        out[n++] = q->pid;
    return n;
}

// 1 ─┬─ 2 ─┬─ 4
//    │     └─ 5 ── 7
//    └─ 3 ── 6          (8: a sibling of 1 under 0)
static void make_tree(struct process *p)
{
    memset(p, 0, sizeof(struct process) * (N + 1));
    for (uint32_t i = 0; i <= N; i++)
        p[i].pid = i;
    adopt(&p[0], &p[8]);
    adopt(&p[0], &p[1]);
    adopt(&p[1], &p[3]);
    adopt(&p[1], &p[2]);
    adopt(&p[2], &p[5]);
    adopt(&p[2], &p[4]);
    adopt(&p[5], &p[7]);
    adopt(&p[3], &p[6]);
}

static void the_walk_is_pre_order_and_stays_in_the_tree(void **state)
{
    (void)state;
    struct process p[N + 1];
    uint32_t pids[N + 1];
    make_tree(p);
    uint32_t whole[] = { 1, 2, 4, 5, 7, 3, 6 };
    assert_int_equal(walk(&p[1], pids), 7);
    assert_memory_equal(pids, whole, sizeof whole);
    uint32_t sub[] = { 2, 4, 5, 7 };
    assert_int_equal(walk(&p[2], pids), 4);
    assert_memory_equal(pids, sub, sizeof sub);
    // A leaf's tree is itself, though it has siblings.
    assert_int_equal(walk(&p[4], pids), 1);
    assert_int_equal(pids[0], 4);
    assert_int_equal(walk(&p[7], pids), 1);
}

static void find_reaches_only_the_tree(void **state)
{
    (void)state;
    struct process p[N + 1];
    make_tree(p);
    assert_ptr_equal(process_tree_find(&p[1], 7), &p[7]);
    assert_ptr_equal(process_tree_find(&p[1], 1), &p[1]);
    assert_ptr_equal(process_tree_find(&p[2], 5), &p[5]);
    assert_null(process_tree_find(&p[2], 3));   // a sibling's
    assert_null(process_tree_find(&p[2], 1));   // its creator
    assert_null(process_tree_find(&p[1], 8));   // the root's sibling
    assert_null(process_tree_find(&p[1], 99));
}

// A chain deeper than any stack would allow recursion for: the walk goes down and back up.
static void a_deep_chain_is_walked_without_recursion(void **state)
{
    (void)state;
    enum { DEPTH = 100000 };
    struct process *chain = test_calloc(DEPTH, sizeof *chain);
    for (uint32_t i = 0; i < DEPTH; i++) {
        chain[i].pid = i + 1;
        if (i)
            adopt(&chain[i - 1], &chain[i]);
    }
    size_t n = 0;
    for (struct process *q = &chain[0]; q; q = process_tree_next(&chain[0], q))
        n++;
    assert_int_equal(n, DEPTH);
    assert_ptr_equal(process_tree_find(&chain[0], DEPTH), &chain[DEPTH - 1]);
    test_free(chain);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_walk_is_pre_order_and_stays_in_the_tree),
        cmocka_unit_test(find_reaches_only_the_tree),
        cmocka_unit_test(a_deep_chain_is_walked_without_recursion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

// Timer queue: coalescing rule, cancel/move, callbacks that change the queue, saturation,
// and a randomized comparison against a plain array model.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "timerq.h"

// Records the order in which entries fire.
struct log {
    struct timerq_entry *fired[16];
    size_t n;
};

static void record(struct timerq_entry *e, void *ctx)
{
    struct log *l = ctx;
    assert_true(l->n < 16);
    assert_false(timerq_armed(e));
    l->fired[l->n++] = e;
}

// Act as the hardware: interrupt exactly at next_fire until nothing is armed.
static size_t run_until_idle(struct timerq *q, struct log *l)
{
    size_t interrupts = 0;
    while (timerq_next_fire(q) != UINT64_MAX) {
        assert_true(timerq_expire(q, timerq_next_fire(q), record, l) > 0);
        interrupts++;
    }
    return interrupts;
}

static void empty_queue(void **state)
{
    (void)state;
    struct timerq q;
    struct timerq_entry e = { 0 };
    struct log l = { 0 };
    timerq_init(&q);
    assert_int_equal(timerq_next_fire(&q), UINT64_MAX);
    assert_int_equal(timerq_expire(&q, UINT64_MAX, record, &l), 0);
    timerq_cancel(&q, &e);  // not armed: no effect
    assert_false(timerq_armed(&e));
    assert_int_equal(q.armed, 0);
}

static void single_timer(void **state)
{
    (void)state;
    struct timerq q;
    struct timerq_entry e = { 0 };
    struct log l = { 0 };
    timerq_init(&q);
    timerq_add(&q, &e, 100, 10);
    assert_true(timerq_armed(&e));
    assert_int_equal(timerq_next_fire(&q), 110);
    assert_int_equal(timerq_expire(&q, 99, record, &l), 0);  // window not open yet
    assert_int_equal(timerq_expire(&q, 100, record, &l), 1);
    assert_ptr_equal(l.fired[0], &e);
    assert_int_equal(timerq_next_fire(&q), UINT64_MAX);
}

static void coalesces_open_windows(void **state)
{
    (void)state;
    struct timerq q;
    struct timerq_entry a = { 0 }, b = { 0 }, c = { 0 };
    struct log l = { 0 };
    timerq_init(&q);
    timerq_add(&q, &a, 100, 50);
    timerq_add(&q, &b, 120, 0);
    timerq_add(&q, &c, 140, 100);
    assert_int_equal(timerq_next_fire(&q), 120);
    assert_int_equal(timerq_expire(&q, 120, record, &l), 2);
    assert_ptr_equal(l.fired[0], &a);
    assert_ptr_equal(l.fired[1], &b);
    assert_true(timerq_armed(&c));  // deadline 140 > 120: its window is not open
    assert_int_equal(timerq_next_fire(&q), 240);
}

static void overlap_needs_one_interrupt_disjoint_two(void **state)
{
    (void)state;
    struct timerq q;
    struct timerq_entry e[2] = { 0 };
    struct log l = { 0 };
    timerq_init(&q);
    timerq_add(&q, &e[0], 100, 50);  // [100, 150]
    timerq_add(&q, &e[1], 130, 70);  // [130, 200]
    assert_int_equal(run_until_idle(&q, &l), 1);
    assert_int_equal(l.n, 2);
    timerq_add(&q, &e[0], 300, 10);  // [300, 310]
    timerq_add(&q, &e[1], 400, 10);  // [400, 410]
    assert_int_equal(run_until_idle(&q, &l), 2);
    assert_int_equal(l.n, 4);
}

static void cancel_head_middle_last(void **state)
{
    (void)state;
    struct timerq q;
    struct timerq_entry e[5] = { 0 };
    struct log l = { 0 };
    timerq_init(&q);
    for (int i = 0; i < 5; i++)
        timerq_add(&q, &e[i], 100 * (uint64_t)(i + 1), 5);
    timerq_cancel(&q, &e[0]);  // head of both heaps
    assert_int_equal(timerq_next_fire(&q), 205);
    timerq_cancel(&q, &e[2]);  // middle
    timerq_cancel(&q, &e[4]);  // last
    timerq_cancel(&q, &e[4]);  // twice: no effect
    assert_int_equal(q.armed, 2);
    assert_int_equal(timerq_expire(&q, 1000, record, &l), 2);
    assert_ptr_equal(l.fired[0], &e[1]);
    assert_ptr_equal(l.fired[1], &e[3]);
}

static void readd_moves(void **state)
{
    (void)state;
    struct timerq q;
    struct timerq_entry a = { 0 }, b = { 0 };
    struct log l = { 0 };
    timerq_init(&q);
    timerq_add(&q, &a, 100, 0);
    timerq_add(&q, &b, 200, 0);
    timerq_add(&q, &a, 300, 7);  // later: b is now first
    assert_int_equal(q.armed, 2);
    assert_int_equal(timerq_next_fire(&q), 200);
    assert_int_equal(timerq_expire(&q, 299, record, &l), 1);
    assert_ptr_equal(l.fired[0], &b);
    timerq_add(&q, &a, 50, 0);  // earlier
    assert_int_equal(timerq_next_fire(&q), 50);
    assert_int_equal(a.deadline, 50);
}

// Re-arms itself for now (deadline already passed), cancels `victim`, adds `late_add` due now.
struct juggler {
    struct timerq *q;
    struct timerq_entry *self, *victim, *late_add;
    uint64_t now;
    int calls;
};

static void juggle(struct timerq_entry *e, void *ctx)
{
    struct juggler *j = ctx;
    assert_ptr_equal(e, j->self);  // the victim was cancelled before its turn
    j->calls++;
    timerq_add(j->q, e, j->now, 0);
    timerq_cancel(j->q, j->victim);
    timerq_add(j->q, j->late_add, j->now - 1, 0);
}

static void callback_may_readd_and_cancel(void **state)
{
    (void)state;
    struct timerq q;
    struct timerq_entry self = { 0 }, victim = { 0 }, late = { 0 };
    timerq_init(&q);
    timerq_add(&q, &self, 10, 0);
    timerq_add(&q, &victim, 20, 0);  // expired in the same call, fires after self
    struct juggler j = { &q, &self, &victim, &late, 50, 0 };
    assert_int_equal(timerq_expire(&q, 50, juggle, &j), 1);  // one call, no endless loop
    assert_int_equal(j.calls, 1);
    assert_false(timerq_armed(&victim));
    assert_true(timerq_armed(&self));  // re-added: waits for the next call
    assert_true(timerq_armed(&late));
    assert_int_equal(timerq_next_fire(&q), 49);
    struct log l = { 0 };
    assert_int_equal(timerq_expire(&q, 50, record, &l), 2);
    assert_ptr_equal(l.fired[0], &late);
    assert_ptr_equal(l.fired[1], &self);
}

static void slack_saturates(void **state)
{
    (void)state;
    struct timerq q;
    struct timerq_entry a = { 0 }, b = { 0 }, c = { 0 };
    struct log l = { 0 };
    timerq_init(&q);
    timerq_add(&q, &a, UINT64_MAX - 5, 100);
    timerq_add(&q, &b, UINT64_MAX, UINT64_MAX);
    assert_int_equal(timerq_next_fire(&q), UINT64_MAX);
    timerq_add(&q, &c, 10, UINT64_MAX - 10);  // ends exactly at UINT64_MAX
    assert_int_equal(timerq_next_fire(&q), UINT64_MAX);
    assert_int_equal(timerq_expire(&q, UINT64_MAX - 6, record, &l), 1);
    assert_int_equal(timerq_expire(&q, UINT64_MAX, record, &l), 2);
    assert_ptr_equal(l.fired[0], &c);
    assert_ptr_equal(l.fired[1], &a);
    assert_ptr_equal(l.fired[2], &b);
}

// ---- randomized model check ----

#define NT 64

static uint64_t rng_state;
static uint64_t rnd(uint64_t n)  // xorshift64*, deterministic; uniform enough for tests
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (rng_state * 0x2545F4914F6CDD1DULL) % n;
}

struct model {
    struct timerq q;
    struct timerq_entry e[NT];
    bool armed[NT], due[NT];  // due: expected to fire in the current expire call
    uint64_t deadline[NT], end[NT], now;
    bool exact;               // the caller expires at exactly next_fire
    size_t fired;
};

static void model_add(struct model *m, int i, uint64_t deadline, uint64_t slack)
{
    timerq_add(&m->q, &m->e[i], deadline, slack);
    m->armed[i] = true;
    m->due[i] = false;  // re-added during expire: must not fire in that call
    m->deadline[i] = deadline;
    m->end[i] = slack > UINT64_MAX - deadline ? UINT64_MAX : deadline + slack;
}

static void model_cancel(struct model *m, int i)
{
    timerq_cancel(&m->q, &m->e[i]);
    m->armed[i] = m->due[i] = false;
}

static void model_fire(struct timerq_entry *e, void *ctx)
{
    struct model *m = ctx;
    int i = (int)(e - m->e);
    assert_true(m->due[i]);                         // armed, expected, and only once
    assert_true(m->deadline[i] <= m->now);          // (a) never early
    if (m->exact)
        assert_true(m->now <= m->end[i]);           // (b) never late
    m->armed[i] = m->due[i] = false;
    m->fired++;
    if (i % 4 == 0)  // periodic: re-arm, possibly already due
        model_add(m, i, m->now + rnd(300), rnd(100));
    if (rnd(8) == 0)
        model_cancel(m, (int)rnd(NT));
}

static void model_check(struct model *m)
{
    uint64_t min_end = UINT64_MAX;
    size_t n = 0;
    for (int i = 0; i < NT; i++) {
        assert_int_equal(timerq_armed(&m->e[i]), m->armed[i]);
        if (m->armed[i] && m->end[i] < min_end)
            min_end = m->end[i];
        n += m->armed[i];
    }
    assert_int_equal(timerq_next_fire(&m->q), min_end);
    assert_int_equal(m->q.armed, n);
}

static void run_model(bool exact, uint64_t seed)
{
    static struct model m;
    memset(&m, 0, sizeof m);
    timerq_init(&m.q);
    m.exact = exact;
    rng_state = seed;
    for (int step = 0; step < 20000; step++) {
        uint64_t op = rnd(10);
        if (op < 5) {
            model_add(&m, (int)rnd(NT), m.now + rnd(1000), rnd(4) ? rnd(200) : 0);
        } else if (op < 7) {
            model_cancel(&m, (int)rnd(NT));
        } else {
            uint64_t next = timerq_next_fire(&m.q);
            if (exact && next == UINT64_MAX)
                continue;
            m.now = exact ? next : m.now + rnd(300);
            size_t due = 0;
            for (int i = 0; i < NT; i++)
                due += m.due[i] = m.armed[i] && m.deadline[i] <= m.now;
            m.fired = 0;
            size_t got = timerq_expire(&m.q, m.now, model_fire, &m);
            assert_int_equal(got, m.fired);         // (c) counts match
            assert_true(got <= due);                // fewer only if a callback cancelled
            for (int i = 0; i < NT; i++)
                assert_false(m.due[i]);             // every expected entry fired
            if (exact)
                assert_true(got > 0);               // an interrupt at next_fire is useful
        }
        model_check(&m);
    }
}

static void random_ops_match_model_exact(void **state)
{
    (void)state;
    run_model(true, 0x9E3779B97F4A7C15ULL);
}

static void random_ops_match_model_any_time(void **state)
{
    (void)state;
    run_model(false, 0xD1B54A32D192ED03ULL);
}

// ---- coalescing statistic ----

static void count_fire(struct timerq_entry *e, void *ctx)
{
    uint64_t now = *(uint64_t *)ctx;
    assert_true(e->deadline <= now && now <= e->deadline + e->slack);
}

static void coalescing_saves_interrupts(void **state)
{
    (void)state;
    enum { N = 1000 };
    static struct timerq_entry e[N];
    struct timerq q;
    timerq_init(&q);
    rng_state = 42;
    for (int i = 0; i < N; i++) {
        uint64_t timeout = 1000 + rnd(1000000);  // 1 ms .. 1 s in microseconds
        timerq_add(&q, &e[i], timeout, timeout / 10);
    }
    size_t interrupts = 0, fired = 0;
    uint64_t now;
    while ((now = timerq_next_fire(&q)) != UINT64_MAX) {
        fired += timerq_expire(&q, now, count_fire, &now);
        interrupts++;
    }
    assert_int_equal(fired, N);
    assert_true(interrupts < N);
    print_message("coalescing: %d timers, 10%% slack -> %zu interrupts\n", N, interrupts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(empty_queue),
        cmocka_unit_test(single_timer),
        cmocka_unit_test(coalesces_open_windows),
        cmocka_unit_test(overlap_needs_one_interrupt_disjoint_two),
        cmocka_unit_test(cancel_head_middle_last),
        cmocka_unit_test(readd_moves),
        cmocka_unit_test(callback_may_readd_and_cancel),
        cmocka_unit_test(slack_saturates),
        cmocka_unit_test(random_ops_match_model_exact),
        cmocka_unit_test(random_ops_match_model_any_time),
        cmocka_unit_test(coalescing_saves_interrupts),
    };
    return cmocka_run_group_tests_name("timerq", tests, NULL, NULL);
}

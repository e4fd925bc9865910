// Handle tables under thousands of random operations, checked against an independent model.
#include "handle_fixture.h"

// ---- random operations against a model ----
// The model keeps, per handle ever made, its table, value, object, rights and model parent,
// and computes every expected result independently of the derivation-tree code.
#define NT 3
#define NOBJ 8
#define NREC (NT * NX_HANDLE_TABLE_SIZE + 8)

struct rec {
    int table, obj, parent;  // parent: record index or -1
    nx_handle_t h;
    uint32_t rights;
    bool alive;
};
static struct rec rec[NREC];
static struct handle_table *tab[NT] = { &A, &B, &C };
static struct tobj objs[NOBJ];
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static int live_in(int t)
{
    int n = 0;
    for (int i = 0; i < NREC; i++)
        n += rec[i].alive && rec[i].table == t;
    return n;
}

// The live record with value h in table t, or -1.
static int find(int t, nx_handle_t h)
{
    for (int i = 0; i < NREC; i++)
        if (rec[i].alive && rec[i].table == t && rec[i].h == h)
            return i;
    return -1;
}

static int new_rec(int table, int obj, int parent, nx_handle_t h, uint32_t rights)
{
    for (int i = 0; i < NREC; i++)
        if (!rec[i].alive) {
            rec[i] = (struct rec){ table, obj, parent, h, rights, true };
            return i;
        }
    fail();
    return -1;
}

static void model_close(int r)
{
    rec[r].alive = false;
    for (int i = 0; i < NREC; i++)
        if (rec[i].alive && rec[i].parent == r)
            rec[i].parent = rec[r].parent;
}

static bool descends_from(int r, int anc)
{
    for (int p = rec[r].parent; p >= 0; p = rec[p].parent)
        if (p == anc)
            return true;
    return false;
}

static int model_revoke(int r)
{
    bool doomed[NREC] = { false };
    int n = 0;
    for (int i = 0; i < NREC; i++)
        n += doomed[i] = rec[i].alive && descends_from(i, r);
    for (int i = 0; i < NREC; i++)
        if (doomed[i])
            rec[i].alive = false;
    return n;
}

// What the kernel must answer for deriving from record r with `asked` rights into table `to`.
static int expect_derive(int r, uint32_t need, uint32_t asked, int to, size_t n)
{
    if (!rec[r].alive)
        return NX_ERR_BAD_HANDLE;
    if ((need | (asked == NX_RIGHTS_SAME ? 0 : asked)) & ~rec[r].rights)
        return NX_ERR_ACCESS;
    return live_in(to) + (int)n > NX_HANDLE_TABLE_SIZE ? NX_ERR_NO_SPACE : NX_OK;
}

static struct handle_slot *slot_of(int r)
{
    return &tab[rec[r].table]->slots[nx_handle_slot(rec[r].h)];
}

static void check_against_model(void)
{
    uint32_t refs[NOBJ] = { 0 };
    for (int t = 0; t < NT; t++) {
        assert_int_equal(handle_table_live(tab[t]), live_in(t));
        uint32_t nfree = 0, last = HANDLE_NO_SLOT;
        for (uint32_t i = tab[t]->free_head; i != HANDLE_NO_SLOT; i = tab[t]->slots[i].next_free)
            assert_null(tab[t]->slots[i].obj), assert_true(++nfree <= NX_HANDLE_TABLE_SIZE),
                last = i;
        assert_int_equal(nfree, NX_HANDLE_TABLE_SIZE - live_in(t));
        assert_int_equal(tab[t]->free_tail, last);
    }
    for (int i = 0; i < NREC; i++) {
        struct kobject *k;
        int err = handle_get(tab[rec[i].table], rec[i].h, NX_OBJ_ANY, rec[i].rights, &k, NULL);
        if (!rec[i].alive) {
            assert_int_equal(err, NX_ERR_BAD_HANDLE);
            continue;
        }
        assert_int_equal(err, NX_OK);
        assert_ptr_equal(k, &objs[rec[i].obj].k);
        refs[rec[i].obj]++;
        struct handle_slot *s = slot_of(i), *p = rec[i].parent >= 0 ? slot_of(rec[i].parent) : NULL;
        assert_int_equal(s->rights, rec[i].rights);
        assert_ptr_equal(s->parent, p);
        if (!p)
            assert_true(!s->prev_sibling && !s->next_sibling);
        else if (!s->prev_sibling)
            assert_ptr_equal(p->first_child, s);
        else
            assert_ptr_equal(s->prev_sibling->next_sibling, s);
        if (s->first_child)
            assert_ptr_equal(s->first_child->parent, s);
    }
    for (int o = 0; o < NOBJ; o++)
        assert_int_equal(objs[o].k.refcount, 1 + refs[o]);
}

static uint32_t pick_rights(int r)
{
    uint32_t any = rnd(NX_RIGHTS_ALL + 1);
    switch (rnd(4)) {
    case 0: return NX_RIGHTS_SAME;
    case 1: return any;  // often an escalation attempt
    default: return rec[r].rights & (any | NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE);
    }
}

// Mostly a live record; sometimes any, so stale values get tried too.
static int pick(void)
{
    int r = (int)rnd(NREC);
    for (int tries = 0; tries < 64 && rnd(8) && !rec[r].alive; tries++)
        r = (int)rnd(NREC);
    return r;
}

static void op_install(int t)
{
    int o = (int)rnd(NOBJ);
    uint32_t rights = rnd(NX_RIGHTS_ALL + 1);
    nx_handle_t h;
    int want = live_in(t) == NX_HANDLE_TABLE_SIZE ? NX_ERR_NO_SPACE : NX_OK;
    assert_int_equal(handle_install(tab[t], &objs[o].k, rights, &h), want);
    if (want == NX_OK)
        new_rec(t, o, -1, h, rights);
}

// A duplicate (to < 0) or a single transfer of r.
static void op_derive(int r, int to, bool copy)
{
    uint32_t asked = pick_rights(r);
    uint32_t got = asked == NX_RIGHTS_SAME ? rec[r].rights : asked;
    struct handle_table *from = tab[rec[r].table];
    nx_handle_t h;
    if (to < 0) {
        int want = expect_derive(r, NX_RIGHT_DUPLICATE, asked, rec[r].table, 1);
        assert_int_equal(handle_duplicate(from, rec[r].h, asked, &h), want);
        if (want == NX_OK)
            new_rec(rec[r].table, rec[r].obj, r, h, got);
        return;
    }
    uint32_t need = NX_RIGHT_TRANSFER | (copy ? NX_RIGHT_DUPLICATE : 0);
    int want = expect_derive(r, need, asked, to, 1);
    assert_int_equal(handle_transfer(from, rec[r].h, asked, copy, tab[to], &h), want);
    if (want == NX_OK && copy)
        new_rec(to, rec[r].obj, r, h, got);
    else if (want == NX_OK)
        rec[r].table = to, rec[r].h = h, rec[r].rights = got;
}

// A batch from r's table: two copies of r, then a move of s (mostly another handle).
static void op_batch(int r, int to)
{
    int from = rec[r].table, s = find(from, rec[rnd(8) ? rnd(NREC) : (uint32_t)r].h);
    nx_handle_t out[3], moved = s >= 0 ? rec[s].h : NX_HANDLE_INVALID;
    struct handle_xfer x[3] = { { rec[r].h, NX_RIGHTS_SAME, true, NULL },
                                { rec[r].h, NX_RIGHTS_SAME, true, NULL },
                                { moved, NX_RIGHTS_SAME, false, NULL } };
    int want = expect_derive(r, NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE, 0, to, 0);
    if (want == NX_OK && s < 0)
        want = NX_ERR_BAD_HANDLE;
    else if (want == NX_OK && !(rec[s].rights & NX_RIGHT_TRANSFER))
        want = NX_ERR_ACCESS;
    else if (want == NX_OK && s == r)
        want = NX_ERR_INVALID;
    else if (want == NX_OK)
        want = expect_derive(r, 0, 0, to, 3);
    assert_int_equal(handle_transfer_batch(tab[from], x, 3, tab[to], out), want);
    if (want == NX_OK) {
        new_rec(to, rec[r].obj, r, out[0], rec[r].rights);
        new_rec(to, rec[r].obj, r, out[1], rec[r].rights);
        rec[s].table = to, rec[s].h = out[2];
    }
}

// The record a message entry names in table `from`: mostly a live one of that table.
static int pick_in(int from)
{
    int c = pick();
    for (int tries = 0; tries < 64 && rnd(8) && !(rec[c].alive && rec[c].table == from); tries++)
        c = pick();
    return c;
}

// An IPC message's handles (handle_transfer_message) from table `from` to `to` (maybe the
// same): up to NX_MSG_HANDLES_MAX entries, mostly moves, sometimes a copy, a stale value, a
// handle named twice. The expected error is the first entry's, in order, then the room's.
static void op_message(int from, int to)
{
    static struct nx_ipc_buffer in, got, untouched;
    static struct handle_table before_from, before_to;
    size_t n = 1 + rnd(NX_MSG_HANDLES_MAX);
    int r[NX_MSG_HANDLES_MAX], want = NX_OK;
    uint32_t given[NX_MSG_HANDLES_MAX];
    bool copy[NX_MSG_HANDLES_MAX];
    for (size_t i = 0; i < n; i++) {
        int c = i > 0 && rnd(8) == 0 ? r[rnd((uint32_t)i)] : pick_in(from);
        if (c < 0)
            c = pick_in(from);
        uint32_t asked = rnd(2) ? NX_RIGHTS_SAME : pick_rights(c);
        copy[i] = rnd(4) == 0;
        in.handles[i] = rec[c].h;
        in.handle_rights[i] = asked | (copy[i] ? NX_XFER_COPY : 0);
        r[i] = find(from, rec[c].h);
        if (want != NX_OK)
            continue;
        if (r[i] < 0) {
            want = NX_ERR_BAD_HANDLE;
            continue;
        }
        uint32_t have = rec[r[i]].rights;
        given[i] = asked == NX_RIGHTS_SAME ? have : asked;
        if ((NX_RIGHT_TRANSFER | (copy[i] ? NX_RIGHT_DUPLICATE : 0) | given[i]) & ~have)
            want = NX_ERR_ACCESS;
        for (size_t j = 0; j < i && want == NX_OK; j++)
            if (r[j] == r[i] && (!copy[j] || !copy[i]))
                want = NX_ERR_INVALID;
    }
    if (want == NX_OK && live_in(to) + (int)n > NX_HANDLE_TABLE_SIZE)
        want = NX_ERR_NO_SPACE;
    memcpy(&before_from, tab[from], sizeof(before_from));
    memcpy(&before_to, tab[to], sizeof(before_to));
    memset(&got, 0, sizeof(got));
    assert_int_equal(handle_transfer_message(tab[from], &in, n, tab[to], &got), want);
    if (want != NX_OK) {  // nothing changed, on either side
        assert_memory_equal(tab[from], &before_from, sizeof(before_from));
        assert_memory_equal(tab[to], &before_to, sizeof(before_to));
        assert_memory_equal(&got, &untouched, sizeof(got));
        return;
    }
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got.handle_rights[i], given[i]);
        if (copy[i])
            new_rec(to, rec[r[i]].obj, r[i], got.handles[i], given[i]);
        else
            rec[r[i]].table = to, rec[r[i]].h = got.handles[i], rec[r[i]].rights = given[i];
    }
}

static void op_close_or_revoke(int r, bool revoke)
{
    struct handle_table *t = tab[rec[r].table];
    int want = rec[r].alive ? NX_OK : NX_ERR_BAD_HANDLE;
    if (!revoke) {
        assert_int_equal(handle_close(t, rec[r].h), want);
        if (want == NX_OK)
            model_close(r);
        return;
    }
    uint64_t revoked = handle_counters.revoked, visits = handle_counters.revoke_visits;
    assert_int_equal(handle_revoke(t, rec[r].h), want);
    int n = want == NX_OK ? model_revoke(r) : 0;
    assert_int_equal(handle_counters.revoked - revoked, n);
    assert_true(handle_counters.revoke_visits - visits <= 2u * (uint64_t)n);
}

static void op_destroy_table(int t)
{
    handle_table_destroy(tab[t]);
    for (int i = 0; i < NREC; i++)
        if (rec[i].alive && rec[i].table == t)
            model_close(i);
}

// Growing phases make, move and copy handles until tables fill; shrinking ones move, close,
// revoke and sometimes destroy a whole table.
static void random_op(bool grow)
{
    int r = pick(), t = (int)rnd(NT);
    int op = grow ? (int)rnd(75) : 50 + (int)rnd(50);
    if (op < 30)
        op_install(t);
    else if (op < 45)
        op_derive(r, -1, false);
    else if (op < 60)
        op_derive(r, t, rnd(2));
    else if (op < 65)
        op_batch(r, t);
    else if (op < 75)
        op_message((int)rnd(NT), t);
    else if (op < 99)
        op_close_or_revoke(r, op >= 90);
    else if (rnd(8) == 0)
        op_destroy_table(t);
}

static void random_operations_match_the_model(void **state)
{
    (void)state;
    for (int o = 0; o < NOBJ; o++)
        make(&objs[o], (uint32_t)(1 + o % (NX_OBJ_TYPE_COUNT - 1)));
    for (int i = 0; i < NREC; i++) {  // dead records whose values no table ever hands out
        uint32_t bad_slot = NX_HANDLE_TABLE_SIZE + (uint32_t)i % 64;
        rec[i] = (struct rec){ .table = i % NT, .parent = -1,
                               .h = nx_handle_encode(bad_slot, (uint32_t)i) };
    }
    for (int step = 0; step < 20000; step++) {
        random_op(step / 1500 % 2 == 0);
        if (step % 16 == 0)
            check_against_model();
    }
    check_against_model();
    for (int t = 0; t < NT; t++)
        handle_table_destroy(tab[t]);
    for (int o = 0; o < NOBJ; o++) {
        assert_int_equal(objs[o].k.refcount, 1);
        kobject_unref(&objs[o].k);
        assert_int_equal(objs[o].destroyed, 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(random_operations_match_the_model, setup),
    };
    return cmocka_run_group_tests_name("handle_model", tests, NULL, NULL);
}

// Handle tables: lookups and their errors, generations, rights, transfers, revocation.
#include "handle_fixture.h"
#define ALL NX_RIGHTS_ALL

static void encoding_round_trips(void **state)
{
    (void)state;
    const uint32_t gens[] = { 0, 1, 12345, NX_HANDLE_GEN_MASK };
    for (uint32_t s = 0; s < NX_HANDLE_TABLE_SIZE; s++)
        for (size_t g = 0; g < 4; g++) {
            nx_handle_t h = nx_handle_encode(s, gens[g]);
            assert_int_not_equal(h, NX_HANDLE_INVALID);
            assert_int_equal(nx_handle_slot(h), s);
            assert_int_equal(nx_handle_generation(h), gens[g]);
        }
    assert_int_equal(nx_handle_slot(NX_HANDLE_INVALID), UINT32_MAX);
    assert_int_equal(nx_handle_slot(5u << NX_HANDLE_SLOT_BITS), UINT32_MAX);
    assert_int_equal(nx_handle_encode(7, NX_HANDLE_GEN_MASK + 1), nx_handle_encode(7, 0));
    assert_int_equal(nx_handle_encode(0, 0), 1);
}

// nx_handle_info's result: every type and every set of rights (NX_RIGHTS_SAME, the top bit,
// included) comes back out, and the result is never negative, so it never reads as an error.
static void info_encoding_round_trips(void **state)
{
    (void)state;
    const uint32_t rights[] = { 0, NX_RIGHT_READ, NX_RIGHT_DMA, NX_RIGHTS_ALL, NX_RIGHTS_SAME,
                                UINT32_MAX };
    for (uint32_t type = 0; type <= NX_HANDLE_INFO_TYPE_MASK; type++)
        for (size_t r = 0; r < sizeof(rights) / sizeof(rights[0]); r++) {
            long info = nx_handle_info_encode(type, rights[r]);
            assert_true(info >= 0);
            assert_int_equal(nx_handle_info_type(info), type);
            assert_int_equal(nx_handle_info_rights(info), rights[r]);
        }
    assert_int_equal(nx_handle_info_encode(NX_OBJ_VMO, NX_RIGHT_READ), NX_OBJ_VMO | 1 << 8);
}

static void get_checks_handle_type_and_rights(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    nx_handle_t h = install(&A, &o, NX_RIGHT_READ | NX_RIGHT_MAP);
    struct kobject *k = NULL;
    assert_int_equal(handle_get(&A, h, NX_OBJ_VMO, NX_RIGHT_READ | NX_RIGHT_MAP, &k, NULL), NX_OK);
    assert_ptr_equal(k, &o.k);
    assert_int_equal(handle_get(&A, h, NX_OBJ_ANY, 0, &k, NULL), NX_OK);
    assert_int_equal(o.k.refcount, 2);  // lookups take no reference
    uint32_t type, rights;
    assert_int_equal(handle_info(&A, h, &type, &rights), NX_OK);
    assert_int_equal(type, NX_OBJ_VMO);
    assert_int_equal(rights, NX_RIGHT_READ | NX_RIGHT_MAP);

    k = NULL;
    const nx_handle_t bad[] = { NX_HANDLE_INVALID, h ^ (1u << NX_HANDLE_SLOT_BITS), h + 1,
                                nx_handle_encode(NX_HANDLE_TABLE_SIZE, 0), NX_HANDLE_SLOT_MASK,
                                h & ~NX_HANDLE_SLOT_MASK, UINT32_MAX };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(handle_get(&A, bad[i], NX_OBJ_ANY, 0, &k, NULL), NX_ERR_BAD_HANDLE);
        assert_int_equal(handle_info(&A, bad[i], &type, &rights), NX_ERR_BAD_HANDLE);
        assert_int_equal(handle_close(&A, bad[i]), NX_ERR_BAD_HANDLE);
        assert_int_equal(handle_revoke(&A, bad[i]), NX_ERR_BAD_HANDLE);
    }
    assert_int_equal(handle_get(&B, h, NX_OBJ_ANY, 0, &k, NULL), NX_ERR_BAD_HANDLE);  // other table
    assert_int_equal(handle_get(&A, h, NX_OBJ_ENDPOINT, 0, &k, NULL), NX_ERR_WRONG_TYPE);
    assert_int_equal(handle_get(&A, h, NX_OBJ_ENDPOINT, ALL, &k, NULL), NX_ERR_WRONG_TYPE);
    assert_int_equal(handle_get(&A, h, NX_OBJ_VMO, NX_RIGHT_WRITE, &k, NULL), NX_ERR_ACCESS);
    assert_int_equal(handle_get(&A, h, NX_OBJ_VMO, NX_RIGHT_READ | NX_RIGHT_DMA, &k, NULL),
                     NX_ERR_ACCESS);
    assert_null(k);
    assert_int_equal(handle_close(&A, h), NX_OK);
    assert_int_equal(o.k.refcount, 1);
}

static void install_rejects_bad_arguments(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_TIMER);
    nx_handle_t h = 77;
    assert_int_equal(handle_install(&A, NULL, ALL, &h), NX_ERR_INVALID);
    assert_int_equal(handle_install(&A, &o.k, ALL + 1, &h), NX_ERR_INVALID);
    assert_int_equal(handle_install(&A, &o.k, NX_RIGHTS_SAME, &h), NX_ERR_INVALID);
    assert_int_equal(h, 77);
    assert_int_equal(handle_table_live(&A), 0);
    assert_int_equal(o.k.refcount, 1);
    assert_true(PANICS(kobject_init(&o.k, NX_OBJ_ANY, NULL)));
    assert_true(PANICS(kobject_init(&o.k, NX_OBJ_TYPE_COUNT, NULL)));
}

static void stale_handle_fails_after_close_and_slot_reuse(void **state)
{
    (void)state;
    static nx_handle_t h[NX_HANDLE_TABLE_SIZE];
    struct tobj o, p;
    make(&o, NX_OBJ_VMO);
    make(&p, NX_OBJ_VMO);
    for (int i = 0; i < NX_HANDLE_TABLE_SIZE; i++)
        h[i] = install(&A, &o, ALL);
    nx_handle_t old = h[100];
    assert_int_equal(handle_close(&A, old), NX_OK);
    assert_int_equal(handle_close(&A, old), NX_ERR_BAD_HANDLE);
    nx_handle_t fresh = install(&A, &p, ALL);  // the only free slot: the same one
    assert_int_equal(nx_handle_slot(fresh), nx_handle_slot(old));
    assert_int_not_equal(fresh, old);
    struct kobject *k;
    nx_handle_t d;
    uint32_t ty, r;
    assert_int_equal(handle_get(&A, old, NX_OBJ_ANY, 0, &k, NULL), NX_ERR_BAD_HANDLE);
    assert_int_equal(handle_info(&A, old, &ty, &r), NX_ERR_BAD_HANDLE);
    assert_int_equal(handle_close(&A, old), NX_ERR_BAD_HANDLE);
    assert_int_equal(handle_revoke(&A, old), NX_ERR_BAD_HANDLE);
    assert_int_equal(handle_transfer(&A, old, NX_RIGHTS_SAME, false, &B, &d), NX_ERR_BAD_HANDLE);
    assert_int_equal(handle_get(&A, fresh, NX_OBJ_VMO, ALL, &k, NULL), NX_OK);
    assert_ptr_equal(k, &p.k);
    handle_table_destroy(&A);
    assert_int_equal(o.k.refcount, 1);
    assert_int_equal(p.k.refcount, 1);
}

static void full_table_rejects_and_changes_nothing(void **state)
{
    (void)state;
    static struct handle_table before_a, before_b;
    struct tobj o;
    make(&o, NX_OBJ_NOTIFICATION);
    nx_handle_t first = install(&A, &o, ALL), h = 0, b = install(&B, &o, ALL);
    for (int i = 1; i < NX_HANDLE_TABLE_SIZE; i++)
        install(&A, &o, ALL);
    assert_int_equal(handle_table_live(&A), NX_HANDLE_TABLE_SIZE);
    memcpy(&before_a, &A, sizeof(A));
    memcpy(&before_b, &B, sizeof(B));
    assert_int_equal(handle_install(&A, &o.k, ALL, &h), NX_ERR_NO_SPACE);
    assert_int_equal(handle_duplicate(&A, first, ALL, &h), NX_ERR_NO_SPACE);
    assert_int_equal(handle_transfer(&B, b, ALL, false, &A, &h), NX_ERR_NO_SPACE);
    assert_int_equal(handle_transfer(&B, b, ALL, true, &A, &h), NX_ERR_NO_SPACE);
    assert_int_equal(handle_transfer(&A, first, ALL, false, &A, &h), NX_ERR_NO_SPACE);
    assert_int_equal(h, 0);
    assert_memory_equal(&A, &before_a, sizeof(A));
    assert_memory_equal(&B, &before_b, sizeof(B));
    assert_int_equal(o.k.refcount, 1 + NX_HANDLE_TABLE_SIZE + 1);
    handle_table_destroy(&A);
    handle_table_destroy(&B);
    assert_int_equal(o.k.refcount, 1);
    assert_int_equal(handle_table_live(&A), 0);
}

static void object_destroyed_exactly_at_last_reference(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_ENDPOINT);
    nx_handle_t h = install(&A, &o, ALL);
    nx_handle_t d = dup(&A, h, NX_RIGHT_READ);
    nx_handle_t c = xfer(&A, h, true, &B);
    kobject_unref(&o.k);  // the creator lets go: handles keep it alive
    assert_int_equal(o.k.refcount, 3);
    assert_int_equal(handle_close(&A, h), NX_OK);
    assert_int_equal(handle_close(&A, d), NX_OK);
    assert_int_equal(o.destroyed, 0);
    assert_int_equal(handle_close(&B, c), NX_OK);
    assert_int_equal(o.destroyed, 1);
    assert_int_equal(o.k.refcount, 0);
    assert_true(PANICS(kobject_unref(&o.k)));
    assert_true(PANICS(kobject_ref(&o.k)));
    assert_int_equal(o.destroyed, 1);
}

static void duplicate_needs_right_and_never_escalates(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    uint32_t base = NX_RIGHT_READ | NX_RIGHT_MAP | NX_RIGHT_DUPLICATE;
    nx_handle_t h = install(&A, &o, base), d = 0, ro = install(&A, &o, NX_RIGHT_READ);
    uint32_t ty, r;
    assert_int_equal(handle_duplicate(&A, ro, NX_RIGHT_READ, &d), NX_ERR_ACCESS);
    assert_int_equal(handle_duplicate(&A, h, base | NX_RIGHT_WRITE, &d), NX_ERR_ACCESS);
    assert_int_equal(handle_duplicate(&A, h, ALL, &d), NX_ERR_ACCESS);
    assert_int_equal(handle_duplicate(&A, h, NX_RIGHTS_SAME | NX_RIGHT_READ, &d), NX_ERR_ACCESS);
    assert_int_equal(handle_duplicate(&A, h, 1u << 20, &d), NX_ERR_ACCESS);
    assert_int_equal(d, 0);
    assert_int_equal(handle_table_live(&A), 2);
    d = dup(&A, h, NX_RIGHTS_SAME);
    assert_int_equal(handle_info(&A, d, &ty, &r), NX_OK);
    assert_int_equal(r, base);
    d = dup(&A, h, NX_RIGHT_READ);  // without DUPLICATE: a dead end
    assert_int_equal(handle_info(&A, d, &ty, &r), NX_OK);
    assert_int_equal(r, NX_RIGHT_READ);
    assert_int_equal(handle_duplicate(&A, d, NX_RIGHT_READ, &d), NX_ERR_ACCESS);
    assert_int_equal(o.k.refcount, 5);
    handle_table_destroy(&A);
    assert_int_equal(o.k.refcount, 1);
}

static void transfer_move_and_copy(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_ENDPOINT);
    uint32_t xr = NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE | NX_RIGHT_SIGNAL | NX_RIGHT_WAIT;
    nx_handle_t h = install(&A, &o, xr), m, c;
    uint32_t ty, r;
    assert_int_equal(handle_transfer(&A, h, NX_RIGHT_TRANSFER | NX_RIGHT_SIGNAL, true, &B, &c),
                     NX_OK);
    assert_true(valid(&A, h));
    assert_int_equal(handle_info(&B, c, &ty, &r), NX_OK);
    assert_int_equal(r, NX_RIGHT_TRANSFER | NX_RIGHT_SIGNAL);
    assert_int_equal(o.k.refcount, 3);
    assert_int_equal(handle_transfer(&A, h, NX_RIGHTS_SAME, false, &C, &m), NX_OK);
    assert_false(valid(&A, h));
    assert_int_equal(handle_info(&C, m, &ty, &r), NX_OK);
    assert_int_equal(r, xr);
    assert_int_equal(o.k.refcount, 3);  // a move keeps the count
    assert_int_equal(handle_table_live(&A), 0);
    assert_int_equal(handle_table_live(&C), 1);
    handle_table_destroy(&B);
    handle_table_destroy(&C);
    assert_int_equal(o.k.refcount, 1);
}

// A service learns when no handle made from its own is left (nx_handle_info's DERIVED bit):
// copies in other tables count, wherever they moved, and go with their close or their table.
static void derived_handles_are_seen_until_the_last_goes(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_ENDPOINT);
    uint32_t xr = NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE | NX_RIGHT_SIGNAL;
    nx_handle_t h = install(&A, &o, xr), c, m;
    assert_false(handle_has_derived(&A, h));
    assert_int_equal(handle_transfer(&A, h, NX_RIGHTS_SAME, true, &B, &c), NX_OK);
    assert_true(handle_has_derived(&A, h));
    assert_int_equal(handle_transfer(&B, c, NX_RIGHTS_SAME, false, &C, &m), NX_OK);  // moved on
    assert_true(handle_has_derived(&A, h));
    assert_int_equal(handle_close(&C, m), NX_OK);
    assert_false(handle_has_derived(&A, h));
    assert_int_equal(handle_transfer(&A, h, NX_RIGHTS_SAME, true, &B, &c), NX_OK);
    assert_int_equal(handle_transfer(&B, c, NX_RIGHTS_SAME, true, &C, &m), NX_OK);  // a grandchild
    assert_int_equal(handle_close(&B, c), NX_OK);  // hands m to h
    assert_true(handle_has_derived(&A, h));
    handle_table_destroy(&C);                      // its process is gone
    assert_false(handle_has_derived(&A, h));
    assert_false(handle_has_derived(&A, h + 1));   // not a handle
    handle_table_destroy(&A);
    handle_table_destroy(&B);
}

static void transfer_errors_change_nothing(void **state)
{
    (void)state;
    static struct handle_table before_a, before_b;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    nx_handle_t no_xfer = install(&A, &o, ALL & ~NX_RIGHT_TRANSFER);
    nx_handle_t no_dup = install(&A, &o, NX_RIGHT_TRANSFER | NX_RIGHT_READ);
    nx_handle_t ok = install(&A, &o, NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE), out = 0;
    memcpy(&before_a, &A, sizeof(A));
    memcpy(&before_b, &B, sizeof(B));
    assert_int_equal(handle_transfer(&A, no_xfer, NX_RIGHT_READ, false, &B, &out), NX_ERR_ACCESS);
    assert_int_equal(handle_transfer(&A, no_xfer, NX_RIGHT_READ, true, &B, &out), NX_ERR_ACCESS);
    assert_int_equal(handle_transfer(&A, no_dup, NX_RIGHTS_SAME, true, &B, &out), NX_ERR_ACCESS);
    assert_int_equal(handle_transfer(&A, no_dup, NX_RIGHT_WRITE, false, &B, &out),
                     NX_ERR_ACCESS);
    assert_int_equal(handle_transfer(&A, ok, ALL, false, &B, &out), NX_ERR_ACCESS);
    assert_int_equal(handle_transfer(&A, ok, NX_RIGHT_MANAGE, true, &B, &out), NX_ERR_ACCESS);
    assert_int_equal(handle_transfer(&A, ok + 1, NX_RIGHTS_SAME, true, &B, &out),
                     NX_ERR_BAD_HANDLE);
    assert_int_equal(handle_transfer(&B, ok, NX_RIGHTS_SAME, true, &A, &out), NX_ERR_BAD_HANDLE);
    assert_int_equal(out, 0);
    assert_memory_equal(&A, &before_a, sizeof(A));
    assert_memory_equal(&B, &before_b, sizeof(B));
    assert_int_equal(o.k.refcount, 4);
    handle_table_destroy(&A);
}

static void batch_transfer_is_all_or_nothing(void **state)
{
    (void)state;
    static struct handle_table before_a, before_b;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    uint32_t xr = NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE | NX_RIGHT_READ;
    nx_handle_t h[4], out[4] = { 0 }, ro = install(&A, &o, NX_RIGHT_READ);
    for (int i = 0; i < 4; i++)
        h[i] = install(&A, &o, xr);
    struct handle_xfer x[4] = { { h[0], NX_RIGHTS_SAME, false, NULL },
                                { h[1], NX_RIGHT_TRANSFER, true, NULL },
                                { h[2], NX_RIGHTS_SAME, false, NULL },
                                { ro, NX_RIGHTS_SAME, false, NULL } };
    for (int i = 0; i < NX_HANDLE_TABLE_SIZE - 3; i++)
        install(&B, &o, 0);  // B has exactly 3 free slots
    memcpy(&before_a, &A, sizeof(A));
    memcpy(&before_b, &B, sizeof(B));
    assert_int_equal(handle_transfer_batch(&A, x, 4, &B, out), NX_ERR_ACCESS);  // x[3] lacks it
    x[3].handle = h[3];
    assert_int_equal(handle_transfer_batch(&A, x, 4, &B, out), NX_ERR_NO_SPACE);
    struct handle_xfer twice[2] = { { h[1], NX_RIGHTS_SAME, true, NULL },
                                    { h[1], NX_RIGHTS_SAME, false, NULL } };
    assert_int_equal(handle_transfer_batch(&A, twice, 2, &B, out), NX_ERR_INVALID);
    twice[0].copy = false;
    assert_int_equal(handle_transfer_batch(&A, twice, 2, &B, out), NX_ERR_INVALID);
    assert_int_equal(handle_transfer_batch(&A, x, NX_HANDLE_TABLE_SIZE + 1, &B, out),
                     NX_ERR_NO_SPACE);
    assert_memory_equal(&A, &before_a, sizeof(A));
    assert_memory_equal(&B, &before_b, sizeof(B));
    assert_int_equal(out[0], 0);

    twice[0].copy = twice[1].copy = true;  // copying one handle twice is fine
    assert_int_equal(handle_transfer_check(&A, twice, 2, &B), NX_OK);
    assert_int_equal(handle_transfer_check(&A, x, 3, &B), NX_OK);
    assert_memory_equal(&A, &before_a, sizeof(A));
    uint32_t given[3];
    handle_transfer_commit(&A, x, 3, &B, out, given);
    assert_int_equal(given[0], xr);
    assert_int_equal(given[1], NX_RIGHT_TRANSFER);
    assert_int_equal(given[2], xr);
    assert_false(valid(&A, h[0]));
    assert_true(valid(&A, h[1]));
    assert_false(valid(&A, h[2]));
    uint32_t ty, r;
    assert_int_equal(handle_info(&B, out[1], &ty, &r), NX_OK);
    assert_int_equal(r, NX_RIGHT_TRANSFER);
    assert_true(valid(&B, out[0]) && valid(&B, out[2]));
    assert_int_equal(handle_table_live(&B), NX_HANDLE_TABLE_SIZE);
    assert_true(PANICS(handle_transfer_commit(&A, x, 1, &C, out, NULL)));  // h[0] has gone since
    handle_table_destroy(&A);
    handle_table_destroy(&B);
    assert_int_equal(o.k.refcount, 1);
}

static void transfer_within_one_table(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    nx_handle_t h = install(&A, &o, ALL), child = dup(&A, h, ALL);
    nx_handle_t m = xfer(&A, h, false, &A);
    assert_false(valid(&A, h));
    assert_true(valid(&A, m));
    assert_int_equal(handle_revoke(&A, m), NX_OK);
    assert_false(valid(&A, child));
    assert_int_equal(handle_table_live(&A), 1);
    handle_table_destroy(&A);
}

// A: h -> h1 (dup); B: b1 (copy of h1) -> b2 (dup); C: c1 (copy of b2), c2 (copy of h).
static void revoke_reaches_every_table_and_level(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    nx_handle_t h = install(&A, &o, ALL), h1 = dup(&A, h, ALL);
    nx_handle_t b1 = xfer(&A, h1, true, &B), b2 = dup(&B, b1, ALL);
    nx_handle_t c1 = xfer(&B, b2, true, &C), c2 = xfer(&A, h, true, &C);
    nx_handle_t other = install(&B, &o, ALL);  // not derived from h
    assert_int_equal(o.k.refcount, 8);
    assert_int_equal(handle_revoke(&B, b1), NX_OK);  // the middle: b2, c1 go
    assert_true(valid(&B, b1) && valid(&A, h1) && valid(&C, c2));
    assert_false(valid(&B, b2) || valid(&C, c1));
    assert_int_equal(o.k.refcount, 6);
    b2 = dup(&B, b1, ALL);
    assert_int_equal(handle_revoke(&A, h), NX_OK);
    assert_true(valid(&A, h) && valid(&B, other));
    assert_false(valid(&A, h1) || valid(&B, b1) || valid(&B, b2) || valid(&C, c2));
    assert_int_equal(handle_table_live(&A) + handle_table_live(&B) + handle_table_live(&C), 2);
    assert_int_equal(o.k.refcount, 3);
    assert_int_equal(handle_revoke(&A, h), NX_OK);  // nothing left to revoke
    nx_handle_t reuse = install(&C, &o, ALL);  // a revoked slot comes back, new generation
    assert_false(valid(&C, c1) || valid(&C, c2));
    assert_true(valid(&C, reuse));
    handle_table_destroy(&A);
    handle_table_destroy(&B);
    handle_table_destroy(&C);
    assert_int_equal(o.k.refcount, 1);
}

static void close_hands_children_to_parent(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    nx_handle_t h = install(&A, &o, ALL), m = dup(&A, h, ALL);
    nx_handle_t x = xfer(&A, m, true, &B), y = dup(&B, x, ALL), z = xfer(&A, m, true, &C);
    nx_handle_t sib = dup(&A, h, ALL);
    assert_int_equal(handle_close(&A, m), NX_OK);  // x, z now hang off h
    assert_int_equal(handle_close(&B, x), NX_OK);  // y too
    assert_true(valid(&B, y) && valid(&C, z) && valid(&A, sib));
    assert_int_equal(handle_revoke(&A, h), NX_OK);
    assert_false(valid(&B, y) || valid(&C, z) || valid(&A, sib));
    // Closing a root makes its children roots: nothing above them can revoke them any more.
    nx_handle_t c = xfer(&A, h, true, &B), g = dup(&B, c, ALL);
    assert_int_equal(handle_close(&A, h), NX_OK);
    assert_true(valid(&B, c) && valid(&B, g));
    assert_int_equal(handle_revoke(&B, c), NX_OK);
    assert_false(valid(&B, g));
    handle_table_destroy(&B);
    assert_int_equal(o.k.refcount, 1);
}

static void moves_keep_the_derivation(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    nx_handle_t h = install(&A, &o, ALL), c = xfer(&A, h, true, &B), g = dup(&B, c, ALL);
    nx_handle_t c_moved = xfer(&B, c, false, &C);  // a child with a child moves
    nx_handle_t h_moved = xfer(&A, h, false, &B);  // so does the root
    assert_int_equal(handle_revoke(&B, h_moved), NX_OK);
    assert_false(valid(&C, c_moved) || valid(&B, g));
    assert_int_equal(handle_table_live(&B) + handle_table_live(&C), 1);
    handle_table_destroy(&B);
    assert_int_equal(o.k.refcount, 1);
}

static void revoke_cost_is_proportional_to_revoked(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    nx_handle_t root = install(&A, &o, ALL), unrelated = install(&A, &o, ALL);
    for (int i = 0; i < 100; i++)  // bystanders that a table scan would have to skip
        dup(&C, install(&C, &o, ALL), ALL);
    nx_handle_t last = root;  // a chain alternating A and B, plus a bushy level
    struct handle_table *t = &A;
    for (int i = 0; i < 100; i++) {
        struct handle_table *next = i % 2 ? &A : &B;
        last = (t == next) ? dup(t, last, ALL) : xfer(t, last, true, next);
        t = next;
    }
    for (int i = 0; i < 20; i++)
        dup(t, last, ALL);
    uint64_t visits = handle_counters.revoke_visits, revoked = handle_counters.revoked;
    assert_int_equal(handle_revoke(&A, unrelated), NX_OK);
    assert_int_equal(handle_counters.revoke_visits, visits);
    assert_int_equal(handle_revoke(&A, root), NX_OK);
    assert_int_equal(handle_counters.revoked - revoked, 120);
    assert_true(handle_counters.revoke_visits - visits <= 2 * 120);
    assert_int_equal(handle_table_live(&A) + handle_table_live(&B), 2);
    handle_table_destroy(&A);
    handle_table_destroy(&C);
    assert_int_equal(o.k.refcount, 1);
}

// A destructor that closes another handle, as an object owning a handle would.
static struct handle_table *victim_table;
static nx_handle_t victim;
static uint32_t live_in_a_at_destroy;

static void destroy_and_close(struct kobject *k)
{
    count_destroy(k);
    live_in_a_at_destroy = handle_table_live(&A);
    assert_int_equal(handle_close(victim_table, victim), NX_OK);
}

static void destructors_run_once_tables_are_consistent(void **state)
{
    (void)state;
    struct tobj owner, o;
    make(&o, NX_OBJ_VMO);
    memset(&owner, 0, sizeof(owner));
    kobject_init(&owner.k, NX_OBJ_PROCESS, destroy_and_close);
    install(&A, &owner, ALL);
    nx_handle_t v = install(&A, &o, ALL);
    victim = xfer(&A, v, true, &C);  // a child of a handle that table_destroy drops later
    victim_table = &C;
    kobject_unref(&owner.k);  // only the handle keeps it
    handle_table_destroy(&A);
    assert_int_equal(owner.destroyed, 1);
    assert_int_equal(live_in_a_at_destroy, 0);
    assert_int_equal(handle_table_live(&C), 0);
    assert_int_equal(o.k.refcount, 1);
}

static void table_destroy_drops_everything(void **state)
{
    (void)state;
    struct tobj o[3];
    for (int i = 0; i < 3; i++)
        make(&o[i], NX_OBJ_THREAD);
    nx_handle_t root = install(&A, &o[0], ALL);
    nx_handle_t mid = xfer(&A, root, true, &B), leaf = xfer(&B, mid, true, &C);
    for (int i = 0; i < 3; i++) {
        install(&B, &o[i], ALL);
        dup(&B, mid, ALL);
        kobject_unref(&o[i].k);
    }
    handle_table_destroy(&B);
    assert_int_equal(handle_table_live(&B), 0);
    assert_false(valid(&B, mid));
    assert_int_equal(o[1].destroyed + o[2].destroyed, 2);
    assert_int_equal(o[0].destroyed, 0);
    assert_int_equal(o[0].k.refcount, 2);
    assert_int_equal(handle_revoke(&A, root), NX_OK);  // leaf moved up to root
    assert_false(valid(&C, leaf));
    assert_int_equal(handle_close(&A, root), NX_OK);
    assert_int_equal(o[0].destroyed, 1);
    assert_int_equal(destroy_calls, 3);
    handle_table_destroy(&B);  // destroying an empty table is harmless
}
static int last_handle_calls;
static uint32_t refs_at_last_handle;

static void note_last_handle(struct kobject *k)
{
    last_handle_calls++;
    refs_at_last_handle = k->refcount;
}

// The last_handle hook runs once, when the last handle naming the object goes (however it
// goes: close, revoke, a table destroyed), never for moves, with the object still alive.
static void last_handle_hook_runs_when_no_handle_is_left(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_PROCESS);
    kobject_set_last_handle_hook(NX_OBJ_PROCESS, note_last_handle);
    last_handle_calls = 0;
    nx_handle_t h = install(&A, &o, NX_RIGHTS_ALL);
    nx_handle_t d = dup(&A, h, NX_RIGHTS_SAME);
    nx_handle_t m = xfer(&A, d, false, &B);  // moved: still two handles
    xfer(&A, h, true, &C);                   // copied: three
    assert_int_equal(o.k.handles, 3);
    assert_int_equal(handle_close(&B, m), NX_OK);
    assert_int_equal(handle_revoke(&A, h), NX_OK);  // takes the copy in C
    assert_int_equal(o.k.handles, 1);
    assert_int_equal(last_handle_calls, 0);
    handle_table_destroy(&A);
    assert_int_equal(last_handle_calls, 1);
    assert_int_equal(refs_at_last_handle, 2);  // the creator's and the last handle's
    assert_int_equal(o.k.handles, 0);
    assert_int_equal(o.k.refcount, 1);
    kobject_unref(&o.k);
    assert_int_equal(o.destroyed, 1);
    kobject_set_last_handle_hook(NX_OBJ_PROCESS, NULL);
}

static void mint_fixes_a_badge_that_travels(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_ENDPOINT);
    nx_handle_t root = install(&A, &o, ALL), minted, dup, moved, again;
    uint32_t badge = 0;
    struct kobject *k;
    assert_int_equal(handle_mint(&A, root, 0, ALL, &minted), NX_ERR_INVALID);  // 0 = none
    assert_int_equal(handle_mint(&A, root, 42, ALL, &minted), NX_OK);
    assert_int_equal(handle_mint(&A, minted, 7, ALL, &again), NX_ERR_INVALID);  // fixed
    assert_int_equal(handle_duplicate(&A, minted, NX_RIGHTS_SAME, &dup), NX_OK);
    assert_int_equal(handle_transfer(&A, dup, NX_RIGHT_SIGNAL, false, &B, &moved), NX_OK);
    assert_int_equal(handle_get(&B, moved, NX_OBJ_ENDPOINT, NX_RIGHT_SIGNAL, &k, &badge), NX_OK);
    assert_int_equal(badge, 42);
    assert_int_equal(handle_get(&A, root, NX_OBJ_ANY, 0, &k, &badge), NX_OK);
    assert_int_equal(badge, 0);
    nx_handle_t weak = install(&A, &o, NX_RIGHT_DUPLICATE);  // no MANAGE: cannot mint
    assert_int_equal(handle_mint(&A, weak, 5, NX_RIGHT_DUPLICATE, &again), NX_ERR_ACCESS);
    assert_int_equal(handle_revoke(&A, root), NX_OK);  // minted handles are derived: revoked
    assert_false(valid(&B, moved));
}

// handle_find (the inline lookup of the IPC fast path) agrees with handle_get on every value.
static void find_agrees_with_get(void **state)
{
    (void)state;
    struct tobj o;
    make(&o, NX_OBJ_ENDPOINT);
    nx_handle_t h = install(&A, &o, NX_RIGHT_SIGNAL), closed = install(&A, &o, ALL);
    assert_int_equal(handle_close(&A, closed), NX_OK);
    uint64_t values[] = { h, h | 1ull << 32, h | 1ull << 63, closed, NX_HANDLE_INVALID,
                          nx_handle_encode(NX_HANDLE_TABLE_SIZE, 0), UINT64_MAX,
                          h + (1u << NX_HANDLE_SLOT_BITS), nx_handle_encode(5, 0) };
    uint32_t types[] = { NX_OBJ_ENDPOINT, NX_OBJ_VMO }, rights[] = { 0, NX_RIGHT_SIGNAL,
                                                                     NX_RIGHT_WAIT };
    for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
        for (size_t t = 0; t < 2; t++)
            for (size_t r = 0; r < 3; r++) {
                struct kobject *k = NULL;
                int err = values[v] > UINT32_MAX ? NX_ERR_BAD_HANDLE
                                                 : handle_get(&A, (nx_handle_t)values[v],
                                                              types[t], rights[r], &k, NULL);
                const struct handle_slot *s = handle_find(&A, values[v], types[t], rights[r]);
                assert_int_equal(s != NULL, err == NX_OK);
                if (s)
                    assert_ptr_equal(s->obj, k);
            }
}

// A message's handles, as IPC moves them (handle_transfer_message).
static void message_entries(struct nx_ipc_buffer *b, const nx_handle_t *h, uint32_t rights,
                            size_t n)
{
    for (size_t i = 0; i < n; i++)
        b->handles[i] = h[i], b->handle_rights[i] = rights;
}

// The free list of t walks from free_head to free_tail through every free slot.
static void assert_free_list_whole(struct handle_table *t)
{
    uint32_t n = 0, last = HANDLE_NO_SLOT;
    for (uint32_t i = t->free_head; i != HANDLE_NO_SLOT; i = t->slots[i].next_free, n++)
        assert_null(t->slots[i].obj), last = i;
    assert_int_equal(n, NX_HANDLE_TABLE_SIZE - handle_table_live(t));
    assert_int_equal(t->free_tail, last);
}

// At the limits of both tables: the sender's full (its free list empty before the moves),
// the receiver's with one slot too few, then exactly enough (its list empty after).
static void message_moves_at_the_table_limits(void **state)
{
    (void)state;
    static struct handle_table before_a, before_b;
    static struct nx_ipc_buffer in, got, untouched;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    uint32_t xr = NX_RIGHT_TRANSFER | NX_RIGHT_READ;
    nx_handle_t h[NX_MSG_HANDLES_MAX], spare;
    for (int i = 0; i < NX_MSG_HANDLES_MAX; i++)
        h[i] = install(&A, &o, xr);
    while (handle_table_live(&A) < NX_HANDLE_TABLE_SIZE)
        install(&A, &o, 0);
    while (handle_table_live(&B) < NX_HANDLE_TABLE_SIZE - NX_MSG_HANDLES_MAX)
        install(&B, &o, 0);
    spare = install(&B, &o, 0);  // B has NX_MSG_HANDLES_MAX - 1 free slots
    message_entries(&in, h, NX_RIGHTS_SAME, NX_MSG_HANDLES_MAX);
    memcpy(&before_a, &A, sizeof(A));
    memcpy(&before_b, &B, sizeof(B));
    assert_int_equal(handle_transfer_message(&A, &in, NX_MSG_HANDLES_MAX, &B, &got),
                     NX_ERR_NO_SPACE);
    assert_memory_equal(&A, &before_a, sizeof(A));
    assert_memory_equal(&B, &before_b, sizeof(B));
    assert_memory_equal(&got, &untouched, sizeof(got));

    assert_int_equal(handle_close(&B, spare), NX_OK);  // exactly NX_MSG_HANDLES_MAX free
    assert_int_equal(handle_transfer_message(&A, &in, NX_MSG_HANDLES_MAX, &B, &got), NX_OK);
    assert_int_equal(handle_table_live(&A), NX_HANDLE_TABLE_SIZE - NX_MSG_HANDLES_MAX);
    assert_int_equal(handle_table_live(&B), NX_HANDLE_TABLE_SIZE);
    assert_free_list_whole(&A);
    assert_free_list_whole(&B);
    for (int i = 0; i < NX_MSG_HANDLES_MAX; i++) {
        assert_false(valid(&A, h[i]));
        assert_true(valid(&B, got.handles[i]));
        assert_int_equal(got.handle_rights[i], xr);
    }
    assert_int_equal(o.k.refcount, 1 + 2 * NX_HANDLE_TABLE_SIZE - NX_MSG_HANDLES_MAX);

    // And back, with rights that shrink: B's list was empty, A's is not.
    message_entries(&in, got.handles, NX_RIGHT_READ | NX_RIGHT_WRITE, NX_MSG_HANDLES_MAX);
    assert_int_equal(handle_transfer_message(&B, &in, NX_MSG_HANDLES_MAX, &A, &got),
                     NX_ERR_ACCESS);  // WRITE would be gained
    message_entries(&in, got.handles, NX_RIGHT_TRANSFER, NX_MSG_HANDLES_MAX);
    assert_int_equal(handle_transfer_message(&B, &in, NX_MSG_HANDLES_MAX, &A, &got), NX_OK);
    assert_int_equal(got.handle_rights[0], NX_RIGHT_TRANSFER);
    assert_free_list_whole(&A);
    assert_free_list_whole(&B);
    for (int i = 0; i < NX_MSG_HANDLES_MAX; i++)  // B's freed slots can be taken again
        install(&B, &o, 0);
    assert_free_list_whole(&B);
    handle_table_destroy(&A);
    handle_table_destroy(&B);
    assert_int_equal(o.k.refcount, 1);
}

// Every refusal leaves both tables and the receiver's buffer as they were.
static void message_failures_change_nothing(void **state)
{
    (void)state;
    static struct handle_table before_a, before_b;
    static struct nx_ipc_buffer in, got, untouched;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    nx_handle_t ok = install(&A, &o, NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE);
    nx_handle_t no_xfer = install(&A, &o, NX_RIGHT_DUPLICATE);
    nx_handle_t no_dup = install(&A, &o, NX_RIGHT_TRANSFER), closed = install(&A, &o, ALL);
    assert_int_equal(handle_close(&A, closed), NX_OK);
    const struct {
        nx_handle_t h[2];
        uint32_t rights[2];
        int err;
    } cases[] = {
        { { ok, closed }, { NX_RIGHTS_SAME, NX_RIGHTS_SAME }, NX_ERR_BAD_HANDLE },
        { { ok, no_xfer }, { NX_RIGHTS_SAME, NX_RIGHTS_SAME }, NX_ERR_ACCESS },
        { { ok, no_dup }, { NX_RIGHTS_SAME, NX_XFER_COPY | NX_RIGHTS_SAME }, NX_ERR_ACCESS },
        { { ok, no_dup }, { NX_RIGHTS_SAME, NX_RIGHT_WRITE }, NX_ERR_ACCESS },  // a gain
        { { ok, no_dup }, { NX_RIGHTS_SAME, NX_RIGHTS_SAME | 1 }, NX_ERR_ACCESS },
        { { ok, ok }, { NX_RIGHTS_SAME, NX_RIGHTS_SAME }, NX_ERR_INVALID },
        { { ok, ok }, { NX_XFER_COPY | NX_RIGHTS_SAME, NX_RIGHTS_SAME }, NX_ERR_INVALID },
        { { ok, ok }, { NX_RIGHTS_SAME, NX_XFER_COPY | NX_RIGHTS_SAME }, NX_ERR_INVALID },
    };
    memcpy(&before_a, &A, sizeof(A));
    memcpy(&before_b, &B, sizeof(B));
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        for (int i = 0; i < 2; i++)
            in.handles[i] = cases[c].h[i], in.handle_rights[i] = cases[c].rights[i];
        assert_int_equal(handle_transfer_message(&A, &in, 2, &B, &got), cases[c].err);
        assert_int_equal(handle_transfer_message(&A, &in, 2, NULL, NULL), cases[c].err);
    }
    assert_int_equal(handle_transfer_message(&A, &in, NX_MSG_HANDLES_MAX + 1, &B, &got),
                     NX_ERR_TOO_BIG);
    in.handles[1] = no_dup, in.handle_rights[1] = NX_RIGHTS_SAME;
    assert_int_equal(handle_transfer_message(&A, &in, 2, NULL, NULL), NX_OK);  // check only
    assert_memory_equal(&A, &before_a, sizeof(A));
    assert_memory_equal(&B, &before_b, sizeof(B));
    assert_memory_equal(&got, &untouched, sizeof(got));
    handle_table_destroy(&A);
}

// Copies, handles with derivations and moves within one table take the general commit: the
// tree and the counts come out as from handle_transfer_batch.
static void message_copies_and_derived_handles(void **state)
{
    (void)state;
    static struct nx_ipc_buffer in, got;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    uint32_t xr = NX_RIGHT_TRANSFER | NX_RIGHT_DUPLICATE | NX_RIGHT_READ;
    nx_handle_t root = install(&A, &o, xr), child = dup(&A, root, xr), plain = install(&A, &o, xr);
    nx_handle_t h[3] = { child, root, plain };
    message_entries(&in, h, NX_RIGHTS_SAME, 3);
    in.handle_rights[1] = NX_XFER_COPY | NX_RIGHT_TRANSFER;  // root copied, the others moved
    assert_int_equal(handle_transfer_message(&A, &in, 3, &B, &got), NX_OK);
    assert_true(valid(&A, root));
    assert_false(valid(&A, child) || valid(&A, plain));
    assert_int_equal(got.handle_rights[1], NX_RIGHT_TRANSFER);
    assert_int_equal(handle_table_live(&A), 1);
    assert_int_equal(handle_table_live(&B), 3);
    assert_free_list_whole(&A);
    assert_free_list_whole(&B);
    nx_handle_t moved_child = got.handles[0], moved_plain = got.handles[2];
    message_entries(&in, &moved_plain, NX_RIGHTS_SAME, 1);  // within one table
    assert_int_equal(handle_transfer_message(&B, &in, 1, &B, &got), NX_OK);
    assert_false(valid(&B, moved_plain));
    assert_true(valid(&B, got.handles[0]));
    assert_free_list_whole(&B);
    assert_int_equal(handle_revoke(&A, root), NX_OK);  // reaches the moved child and the copy
    assert_false(valid(&B, moved_child));
    assert_int_equal(handle_table_live(&B), 1);
    handle_table_destroy(&A);
    handle_table_destroy(&B);
    assert_int_equal(o.k.refcount, 1);
}

// Moves within one table with exactly as many free slots as handles moved (one, then the
// most a message has): the slots freed join the list the moves emptied.
static void message_within_one_table_at_its_limit(void **state)
{
    (void)state;
    static struct nx_ipc_buffer in, got;
    struct tobj o;
    make(&o, NX_OBJ_VMO);
    const size_t counts[] = { 1, NX_MSG_HANDLES_MAX };
    for (size_t c = 0; c < 2; c++) {
        size_t n = counts[c];
        nx_handle_t h[NX_MSG_HANDLES_MAX];
        for (size_t i = 0; i < n; i++)
            h[i] = install(&A, &o, NX_RIGHT_TRANSFER);
        while (handle_table_live(&A) < NX_HANDLE_TABLE_SIZE - n)
            install(&A, &o, 0);
        message_entries(&in, h, NX_RIGHTS_SAME, n);
        assert_int_equal(handle_transfer_message(&A, &in, n, &A, &got), NX_OK);
        assert_free_list_whole(&A);
        for (size_t i = 0; i < n; i++)
            assert_true(valid(&A, got.handles[i]) && !valid(&A, h[i]));
        for (size_t i = 0; i < n; i++)
            install(&A, &o, 0);
        assert_int_equal(handle_table_live(&A), NX_HANDLE_TABLE_SIZE);
        handle_table_destroy(&A);
        handle_table_init(&A);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
    const struct CMUnitTest tests[] = {
        T(encoding_round_trips),
        T(info_encoding_round_trips),
        T(get_checks_handle_type_and_rights),
        T(install_rejects_bad_arguments),
        T(stale_handle_fails_after_close_and_slot_reuse),
        T(full_table_rejects_and_changes_nothing),
        T(object_destroyed_exactly_at_last_reference),
        T(duplicate_needs_right_and_never_escalates),
        T(transfer_move_and_copy),
        T(derived_handles_are_seen_until_the_last_goes),
        T(transfer_errors_change_nothing),
        T(batch_transfer_is_all_or_nothing),
        T(transfer_within_one_table),
        T(revoke_reaches_every_table_and_level),
        T(close_hands_children_to_parent),
        T(moves_keep_the_derivation),
        T(revoke_cost_is_proportional_to_revoked),
        T(destructors_run_once_tables_are_consistent),
        T(table_destroy_drops_everything),
        T(last_handle_hook_runs_when_no_handle_is_left),
        T(mint_fixes_a_badge_that_travels),
        T(find_agrees_with_get),
        T(message_moves_at_the_table_limits),
        T(message_failures_change_nothing),
        T(message_copies_and_derived_handles),
        T(message_within_one_table_at_its_limit),
    };
    return cmocka_run_group_tests_name("handle", tests, NULL, NULL);
}

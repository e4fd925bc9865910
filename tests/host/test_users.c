// The user database (user/lib/users/users.c): Argon2id as built (RFC 9106's test vector),
// set and verify, the file's round trip, and every kind of bad line and bad input refused
// with its line number and nothing half-parsed kept.
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <argon2.h>
#include <nexus/errors.h>
#include <nx/users.h>

#pragma GCC diagnostic ignored "-Wunused-parameter"  // cmocka's void **state

// Cheap parameters for the tests (the bounds' floor); the default's cost is the login's.
#define CHEAP ((struct nx_argon2_params){ 8, 1, 1 })
static const uint8_t salt[NX_USER_SALT_BYTES] = "0123456789abcdef";

// RFC 9106 section 5.3: Argon2id, version 0x13, 32 KiB, 3 passes, 4 lanes (run one after
// another with threads off), password 32 x 0x01, salt 16 x 0x02, secret 8 x 0x03,
// associated data 12 x 0x04.
static void test_argon2id_matches_rfc9106(void **state)
{
    static const uint8_t tag[32] = {
        0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37, 0xa3, 0x4a, 0x8b,
        0x53, 0xc9, 0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75, 0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9,
        0x6b, 0x01, 0xe6, 0x59,
    };
    uint8_t pwd[32], s[16], secret[8], ad[12], out[32];
    memset(pwd, 1, sizeof(pwd));
    memset(s, 2, sizeof(s));
    memset(secret, 3, sizeof(secret));
    memset(ad, 4, sizeof(ad));
    argon2_context ctx = {
        .out = out, .outlen = 32, .pwd = pwd, .pwdlen = 32, .salt = s, .saltlen = 16,
        .secret = secret, .secretlen = 8, .ad = ad, .adlen = 12, .t_cost = 3, .m_cost = 32,
        .lanes = 4, .threads = 1, .version = ARGON2_VERSION_13,
    };
    assert_int_equal(argon2_ctx(&ctx, Argon2_id), ARGON2_OK);
    assert_memory_equal(out, tag, sizeof(tag));
}

static struct nx_users db;

static void add_with_password(const char *name, uint32_t uid, const char *pw)
{
    char home[64];
    snprintf(home, sizeof(home), "/home/%s", name);
    assert_int_equal(nx_users_add(&db, name, uid, home), NX_OK);
    struct nx_user *u = nx_users_find(&db, name, strlen(name));
    assert_non_null(u);
    assert_int_equal(nx_user_set_password(u, pw, strlen(pw), salt, CHEAP), NX_OK);
}

static void test_set_then_verify(void **state)
{
    db.count = 0;
    add_with_password("nexus", 1000, "correct horse");
    struct nx_user *u = nx_users_find(&db, "nexus", 5);
    assert_int_equal(strncmp(u->hash, "$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$", 50), 0);
    assert_int_equal(nx_user_verify(u, "correct horse", 13), NX_OK);
    assert_int_equal(nx_user_verify(u, "correct horsE", 13), NX_ERR_ACCESS);
    assert_int_equal(nx_user_verify(u, "correct hors", 12), NX_ERR_ACCESS);
    // Salt matters: the same password with another salt gives another hash.
    char first[sizeof(u->hash)];
    memcpy(first, u->hash, sizeof(first));
    uint8_t other[NX_USER_SALT_BYTES] = { 1 };
    assert_int_equal(nx_user_set_password(u, "correct horse", 13, other, CHEAP), NX_OK);
    assert_string_not_equal(first, u->hash);
    assert_int_equal(nx_user_verify(u, "correct horse", 13), NX_OK);
}

// The working memory through the hooks: one block of m_kib KiB for each hash and each check,
// each given back; a refused one is NX_ERR_NO_MEMORY with the hash unchanged. The hashes are
// the library's own one-call functions' (argon2id_hash_encoded, argon2id_verify).
static size_t hook_live, hook_calls, hook_bytes;
static bool hook_refuse;

static int hook_alloc(uint8_t **memory, size_t bytes)
{
    if (hook_refuse)
        return NX_ARGON2_NO_MEMORY;
    *memory = malloc(bytes);
    hook_live++, hook_calls++, hook_bytes = bytes;
    return *memory ? 0 : NX_ARGON2_NO_MEMORY;
}

static void hook_free(uint8_t *memory, size_t bytes)
{
    assert_int_equal(bytes, hook_bytes);
    free(memory);
    hook_live--;
}

static void test_argon2_memory_hooks(void **state)
{
    (void)state;
    db.count = 0;
    nx_users_argon2_memory(hook_alloc, hook_free);
    hook_calls = hook_live = 0;
    hook_refuse = false;
    add_with_password("nexus", 1000, "correct horse");
    struct nx_user *u = nx_users_find(&db, "nexus", 5);
    assert_int_equal(nx_user_verify(u, "correct horse", 13), NX_OK);
    assert_int_equal(nx_user_verify(u, "wrong", 5), NX_ERR_ACCESS);
    assert_int_equal(hook_calls, 3);
    assert_int_equal(hook_live, 0);
    assert_int_equal(hook_bytes, CHEAP.m_kib * 1024);

    char lib[NX_USER_HASH_MAX + 1];
    assert_int_equal(argon2id_hash_encoded(CHEAP.t, CHEAP.m_kib, CHEAP.p, "correct horse", 13,
                                           salt, NX_USER_SALT_BYTES, 32, lib, sizeof lib),
                     ARGON2_OK);
    assert_string_equal(lib, u->hash);
    assert_int_equal(argon2id_verify(u->hash, "correct horse", 13), ARGON2_OK);

    char before[sizeof u->hash];
    memcpy(before, u->hash, sizeof before);
    hook_refuse = true;
    assert_int_equal(nx_user_set_password(u, "another one", 11, salt, CHEAP), NX_ERR_NO_MEMORY);
    assert_string_equal(before, u->hash);
    assert_int_equal(nx_user_verify(u, "correct horse", 13), NX_ERR_NO_MEMORY);
    nx_users_argon2_memory(NULL, NULL);
    assert_int_equal(nx_user_verify(u, "correct horse", 13), NX_OK);
}

static void test_new_user_has_no_password(void **state)
{
    db.count = 0;
    assert_int_equal(nx_users_add(&db, "guest", 1001, "/home/guest"), NX_OK);
    struct nx_user *u = nx_users_find(&db, "guest", 5);
    assert_string_equal(u->hash, "!");
    assert_int_equal(nx_user_verify(u, "!", 1), NX_ERR_ACCESS);
    assert_int_equal(nx_user_verify(u, "anything", 8), NX_ERR_ACCESS);
}

static void test_file_round_trip(void **state)
{
    db.count = 0;
    add_with_password("nexus", 1000, "nexus");
    add_with_password("alice", 1001, "wonderland");
    assert_int_equal(nx_users_add(&db, "bob", 1002, "/home/bob"), NX_OK);
    static char text[NX_USERS_FILE_MAX];
    long n = nx_users_format(&db, text, sizeof(text));
    assert_true(n > 0);
    static struct nx_users back;
    unsigned line = 99;
    assert_int_equal(nx_users_parse(text, (size_t)n, &back, &line), NX_OK);
    assert_int_equal(line, 0);
    assert_int_equal(back.count, 3);
    assert_memory_equal(&back.user, &db.user, 3 * sizeof(db.user[0]));
    assert_int_equal(nx_user_verify(nx_users_find(&back, "alice", 5), "wonderland", 10), NX_OK);
    // Too small a buffer is refused, not cut.
    assert_int_equal(nx_users_format(&db, text, (size_t)n - 1), NX_ERR_TOO_BIG);
}

static const char *good_hash = "$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$"
                               "SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E";

// A file of one good line then `bad`: refused at line 2 (or as `err` at `at`).
static void refused(const char *bad, long err, unsigned at)
{
    char text[4096];
    snprintf(text, sizeof(text), "root:0:/:%s\n%s\n", good_hash, bad);
    unsigned line = 0;
    assert_int_equal(nx_users_parse(text, strlen(text), &db, &line), err);
    assert_int_equal(line, at);
}

static void test_bad_lines_refused(void **state)
{
    char line[512];
    const char *bad[] = {
        "", "nexus", "nexus:1000:/home/nexus", "Nexus:1000:/h:!", "1abc:1000:/h:!",
        "ne xus:1000:/h:!", "nexus:-1:/h:!", "nexus:65535:/h:!", "nexus:0100:/h:!",
        "nexus:99999999999:/h:!", "nexus:1000:home:!", "nexus:1000::!", "nexus:1000:/h:",
        "nexus:1000:/h:!!", "root:5:/h:!", "other:0:/h:!",
        "nexus:1000:/h:$argon2i$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E",
        "nexus:1000:/h:$argon2id$v=16$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E",
        "nexus:1000:/h:$argon2id$v=19$m=4194304,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E",
        "nexus:1000:/h:$argon2id$v=19$m=8,t=1000000,p=1$MDEyMzQ1Njc4OWFiY2RlZg$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E",
        "nexus:1000:/h:$argon2id$v=19$m=8,t=1,p=9$MDEyMzQ1Njc4OWFiY2RlZg$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E",
        "nexus:1000:/h:$argon2id$v=19$t=1,m=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E",
        "nexus:1000:/h:$argon2id$v=19$m=8,t=1,p=1$MDEy$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E",
        "nexus:1000:/h:$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$SY2n",
        "nexus:1000:/h:$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E$",
        "nexus:1000:/h:$argon2id$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFi*2RlZg$SY2nL9vbFmMbmkN2ebW6kXuFvJyAn0bp6tqnqRHpF7E",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        refused(bad[i], NX_ERR_INVALID, 2);
    // A name of 33 bytes, a home of 128.
    snprintf(line, sizeof(line), "%s:1000:/h:!", "abcdefghijklmnopqrstuvwxyzabcdefg");
    refused(line, NX_ERR_INVALID, 2);
    snprintf(line, sizeof(line), "nexus:1000:/%0127d:!", 0);
    refused(line, NX_ERR_INVALID, 2);
    // Comments and a last line without its newline are fine.
    char text[256];
    snprintf(text, sizeof(text), "# users\nroot:0:/:%s", good_hash);
    unsigned at = 0;
    assert_int_equal(nx_users_parse(text, strlen(text), &db, &at), NX_OK);
    assert_int_equal(db.count, 1);
}

static void test_limits(void **state)
{
    static char text[NX_USERS_FILE_MAX + 2];
    unsigned line = 0;
    size_t n = 0;
    for (int i = 0; i <= NX_USERS_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "u%d:%d:/h:!\n", i, i);
    assert_int_equal(nx_users_parse(text, n, &db, &line), NX_ERR_TOO_BIG);
    assert_int_equal(line, NX_USERS_MAX + 1);
    // Exactly the limit parses.
    n -= strlen("u64:64:/h:!\n");
    assert_int_equal(nx_users_parse(text, n, &db, &line), NX_OK);
    assert_int_equal(db.count, NX_USERS_MAX);
    assert_int_equal(nx_users_add(&db, "late", 9999, "/h"), NX_ERR_NO_SPACE);
    // Users with the longest homes and hashes do not fit a file: formatting refuses them.
    char home[NX_USER_HOME_MAX + 1];
    memset(home, 'h', NX_USER_HOME_MAX);
    home[0] = '/', home[NX_USER_HOME_MAX] = 0;
    for (unsigned i = 0; i < db.count; i++) {
        strcpy(db.user[i].home, home);
        memset(db.user[i].hash, 'x', NX_USER_HASH_MAX);
    }
    assert_int_equal(nx_users_format(&db, text, sizeof(text)), NX_ERR_TOO_BIG);
    // A file over the size limit is refused whole.
    memset(text, '#', sizeof(text));
    assert_int_equal(nx_users_parse(text, NX_USERS_FILE_MAX + 1, &db, &line), NX_ERR_TOO_BIG);
    assert_int_equal(line, 0);
    assert_int_equal(nx_users_parse(text, NX_USERS_FILE_MAX, &db, &line), NX_OK);
}

static void test_names_and_passwords_checked(void **state)
{
    static char huge[100000];
    memset(huge, 'a', sizeof(huge));
    assert_int_equal(nx_user_name_check(huge, 10000), NX_ERR_TOO_BIG);
    assert_int_equal(nx_user_name_check(huge, NX_USER_NAME_MAX), NX_OK);
    assert_int_equal(nx_user_name_check("", 0), NX_ERR_INVALID);
    assert_int_equal(nx_password_check(huge, sizeof(huge)), NX_ERR_TOO_BIG);
    assert_int_equal(nx_password_check(huge, NX_PASSWORD_MAX), NX_OK);
    assert_int_equal(nx_password_check("", 0), NX_ERR_INVALID);
    assert_int_equal(nx_password_check("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 14), NX_OK);
    const char *bad[] = { "\xff", "\xc3", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "a\x01", "a\x7f", "tab\there", "a\nb" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(nx_password_check(bad[i], strlen(bad[i])), NX_ERR_INVALID);
    // Verifying such a password says so; it never reaches the hash.
    db.count = 0;
    add_with_password("nexus", 1000, "nexus");
    struct nx_user *u = nx_users_find(&db, "nexus", 5);
    assert_int_equal(nx_user_verify(u, huge, sizeof(huge)), NX_ERR_TOO_BIG);
    assert_int_equal(nx_user_verify(u, "\xff", 1), NX_ERR_INVALID);
    assert_int_equal(nx_user_set_password(u, "\xc0\xaf", 2, salt, CHEAP), NX_ERR_INVALID);
    assert_int_equal(nx_user_verify(u, "nexus", 5), NX_OK);   // the old hash kept
    // Parameters out of bounds are refused before any work.
    struct nx_argon2_params big = { NX_ARGON2_M_MAX + 1, 1, 1 };
    assert_int_equal(nx_user_set_password(u, "x", 1, salt, big), NX_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_argon2id_matches_rfc9106),
        cmocka_unit_test(test_set_then_verify),
        cmocka_unit_test(test_argon2_memory_hooks),
        cmocka_unit_test(test_new_user_has_no_password),
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_bad_lines_refused),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_names_and_passwords_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

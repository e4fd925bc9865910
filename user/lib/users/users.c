// The user database (nx/users.h): parsing and formatting the users file, and the Argon2id
// hashes in it (the reference implementation, mk/argon2.mk).
#include <stdbool.h>
#include <string.h>
#include <argon2.h>
#include <encoding.h>   // the reference code's own PHC string encoding (encode_/decode_string)
#include <nexus/errors.h>
#include <nx/users.h>

#define HASH_BYTES 32
#define LOCKED     "!"   // the hash of an account without a password: matches nothing

static bool name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || c == '_' ||
           (!first && ((c >= '0' && c <= '9') || c == '-'));
}

long nx_user_name_check(const char *name, size_t len)
{
    if (len > NX_USER_NAME_MAX)
        return NX_ERR_TOO_BIG;
    if (len == 0)
        return NX_ERR_INVALID;
    for (size_t i = 0; i < len; i++)
        if (!name_char(name[i], i == 0))
            return NX_ERR_INVALID;
    return NX_OK;
}

// The length of the UTF-8 sequence at s (n bytes left), or 0 if it is not a valid one
// (overlong forms, surrogates and code points past U+10FFFF are not).
static size_t utf8_length(const unsigned char *s, size_t n)
{
    static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
    size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
               : (s[0] & 0xf0) == 0xe0 ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    uint32_t cp = len == 1 ? s[0] : s[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    bool bad = cp < least[len] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff;
    return bad ? 0 : len;
}

long nx_password_check(const char *password, size_t len)
{
    if (len > NX_PASSWORD_MAX)
        return NX_ERR_TOO_BIG;
    if (len == 0)
        return NX_ERR_INVALID;
    const unsigned char *s = (const unsigned char *)password;
    for (size_t i = 0, n; i < len; i += n) {
        if (s[i] < 0x20 || s[i] == 0x7f || !(n = utf8_length(s + i, len - i)))
            return NX_ERR_INVALID;
    }
    return NX_OK;
}

// A decimal number of at most max in s[0..len): its value in *v.
static bool parse_u32(const char *s, size_t len, uint32_t max, uint32_t *v)
{
    uint64_t n = 0;
    if (len == 0 || len > 10 || (len > 1 && s[0] == '0'))
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        n = n * 10 + (uint64_t)(s[i] - '0');
    }
    *v = (uint32_t)n;
    return n <= max;
}

// The bytes unpadded base64 of n characters decodes to, if n is a valid length.
static bool b64_bytes(const char *s, size_t n, size_t *bytes)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return false;
    }
    *bytes = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    return n % 4 != 1;
}

// The next '$'-separated field of s at *pos (len bytes in all): start in *f, length returned.
static size_t field(const char *s, size_t len, size_t *pos, const char **f)
{
    size_t start = *pos;
    while (*pos < len && s[*pos] != '$')
        (*pos)++;
    *f = s + start;
    size_t n = *pos - start;
    if (*pos < len)
        (*pos)++;
    return n;
}

// "m=M,t=T,p=P" within the bounds of nx/users.h.
static bool parse_params(const char *s, size_t len, struct nx_argon2_params *p)
{
    const char *keys = "mtp";
    uint32_t *vals[] = { &p->m_kib, &p->t, &p->p };
    const uint32_t min[] = { NX_ARGON2_M_MIN, 1, 1 };
    const uint32_t max[] = { NX_ARGON2_M_MAX, NX_ARGON2_T_MAX, NX_ARGON2_P_MAX };
    size_t i = 0;
    for (int k = 0; k < 3; k++) {
        if (i + 2 > len || s[i] != keys[k] || s[i + 1] != '=')
            return false;
        size_t j = i += 2;
        while (j < len && s[j] != ',')
            j++;
        if (!parse_u32(s + i, j - i, max[k], vals[k]) || *vals[k] < min[k])
            return false;
        if ((k < 2) != (j < len))
            return false;
        i = j + 1;
    }
    return p->m_kib >= 8 * p->p;
}

// Is s (len bytes) an Argon2id hash this library will check: the PHC string with version
// 19, parameters within bounds, a salt of 8 to 64 bytes and a hash of 16 to 64?
static bool hash_valid(const char *s, size_t len)
{
    const char *f[6];
    size_t n[6], pos = 0, salt, hash;
    struct nx_argon2_params p;
    for (int i = 0; i < 6; i++)
        n[i] = field(s, len, &pos, &f[i]);
    return pos == len && n[0] == 0 && n[1] == 8 && !memcmp(f[1], "argon2id", 8) &&
           n[2] == 4 && !memcmp(f[2], "v=19", 4) && parse_params(f[3], n[3], &p) &&
           b64_bytes(f[4], n[4], &salt) && salt >= 8 && salt <= 64 &&
           b64_bytes(f[5], n[5], &hash) && hash >= 16 && hash <= 64 &&
           s[len - 1] != '$';
}

static bool home_valid(const char *s, size_t len)
{
    if (len == 0 || len > NX_USER_HOME_MAX || s[0] != '/')
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ':')
            return false;
    return true;
}

static bool taken(const struct nx_users *db, const char *name, uint32_t uid)
{
    for (unsigned i = 0; i < db->count; i++)
        if (!strcmp(db->user[i].name, name) || db->user[i].uid == uid)
            return true;
    return false;
}

// One line (without its newline) into db.
static long parse_line(const char *s, size_t len, struct nx_users *db)
{
    const char *f[4];
    size_t n[4], pos = 0;
    for (int i = 0; i < 4; i++) {
        f[i] = s + pos;
        while (pos < len && (i == 3 || s[pos] != ':'))
            pos++;
        n[i] = (size_t)(s + pos - f[i]);
        if (i < 3 && pos++ >= len)
            return NX_ERR_INVALID;
    }
    uint32_t uid;
    bool locked = n[3] == 1 && f[3][0] == LOCKED[0];
    if (nx_user_name_check(f[0], n[0]) || !parse_u32(f[1], n[1], NX_USER_UID_MAX, &uid) ||
        !home_valid(f[2], n[2]) || n[3] > NX_USER_HASH_MAX || !(locked || hash_valid(f[3], n[3])))
        return NX_ERR_INVALID;
    if (db->count == NX_USERS_MAX)
        return NX_ERR_TOO_BIG;
    struct nx_user *u = &db->user[db->count];
    memset(u, 0, sizeof(*u));
    memcpy(u->name, f[0], n[0]);
    memcpy(u->home, f[2], n[2]);
    memcpy(u->hash, f[3], n[3]);
    u->uid = uid;
    if (taken(db, u->name, uid))
        return NX_ERR_INVALID;
    db->count++;
    return NX_OK;
}

long nx_users_parse(const char *text, size_t len, struct nx_users *db, unsigned *line)
{
    db->count = 0;
    *line = 0;
    if (len > NX_USERS_FILE_MAX)
        return NX_ERR_TOO_BIG;
    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        ++*line;
        long err = text[pos] == '#' ? NX_OK : parse_line(text + pos, end - pos, db);
        if (err)
            return err;
        pos = end + 1;
    }
    *line = 0;
    return NX_OK;
}

long nx_users_format(const struct nx_users *db, char *out, size_t cap)
{
    size_t at = 0;
    if (cap > NX_USERS_FILE_MAX)
        cap = NX_USERS_FILE_MAX;   // never a file the parser would refuse
    for (unsigned i = 0; i < db->count; i++) {
        const struct nx_user *u = &db->user[i];
        char uid[11];
        int d = 10;
        uid[d] = 0;
        for (uint32_t v = u->uid; d == 10 || v; v /= 10)
            uid[--d] = (char)('0' + v % 10);
        const char *parts[] = { u->name, ":", uid + d, ":", u->home, ":", u->hash, "\n" };
        for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
            size_t n = strlen(parts[k]);
            if (at + n > cap)
                return NX_ERR_TOO_BIG;
            memcpy(out + at, parts[k], n);
            at += n;
        }
    }
    return (long)at;
}

struct nx_user *nx_users_find(struct nx_users *db, const char *name, size_t len)
{
    for (unsigned i = 0; i < db->count; i++)
        if (strlen(db->user[i].name) == len && !memcmp(db->user[i].name, name, len))
            return &db->user[i];
    return NULL;
}

long nx_users_add(struct nx_users *db, const char *name, uint32_t uid, const char *home)
{
    size_t n = strlen(name), h = strlen(home);
    if (nx_user_name_check(name, n) || uid > NX_USER_UID_MAX || !home_valid(home, h) ||
        taken(db, name, uid))
        return NX_ERR_INVALID;
    if (db->count == NX_USERS_MAX)
        return NX_ERR_NO_SPACE;
    struct nx_user *u = &db->user[db->count++];
    memset(u, 0, sizeof(*u));
    memcpy(u->name, name, n);
    memcpy(u->home, home, h);
    memcpy(u->hash, LOCKED, sizeof(LOCKED));
    u->uid = uid;
    return NX_OK;
}

static long from_argon2(int err)
{
    return err == ARGON2_OK ? NX_OK
         : err == ARGON2_MEMORY_ALLOCATION_ERROR ? NX_ERR_NO_MEMORY
         : err == ARGON2_VERIFY_MISMATCH ? NX_ERR_ACCESS : NX_ERR_INVALID;
}

// Argon2's working memory: malloc and free unless nx_users_argon2_memory set others.
static nx_argon2_alloc_fn argon2_alloc;
static nx_argon2_free_fn argon2_free;

void nx_users_argon2_memory(nx_argon2_alloc_fn alloc, nx_argon2_free_fn release)
{
    argon2_alloc = alloc;
    argon2_free = release;
}

// What argon2id_hash_encoded does, with the working memory from the hooks.
static int hash_encoded(struct nx_argon2_params p, const char *password, size_t len,
                        const uint8_t *salt, char *encoded, size_t cap)
{
    uint8_t raw[HASH_BYTES];
    argon2_context ctx = {
        .out = raw, .outlen = HASH_BYTES, .pwd = (uint8_t *)(uintptr_t)password,
        .pwdlen = (uint32_t)len, .salt = (uint8_t *)(uintptr_t)salt,
        .saltlen = NX_USER_SALT_BYTES, .t_cost = p.t, .m_cost = p.m_kib, .lanes = p.p,
        .threads = p.p, .version = ARGON2_VERSION_NUMBER, .allocate_cbk = argon2_alloc,
        .free_cbk = argon2_free, .flags = ARGON2_DEFAULT_FLAGS,
    };
    int err = argon2_ctx(&ctx, Argon2_id);
    if (err == ARGON2_OK)
        err = encode_string(encoded, cap, &ctx, Argon2_id);
    memset(raw, 0, sizeof raw);
    return err;
}

// What argon2id_verify does, the same way; the stored hash is at most NX_USER_HASH_MAX bytes,
// so its salt and hash fit buffers of that size.
static int verify_encoded(const char *encoded, const char *password, size_t len)
{
    uint8_t salt[NX_USER_HASH_MAX], want[NX_USER_HASH_MAX];
    argon2_context ctx = {
        .out = want, .outlen = sizeof want, .salt = salt, .saltlen = sizeof salt,
        .pwd = (uint8_t *)(uintptr_t)password, .pwdlen = (uint32_t)len,
    };
    int err = decode_string(&ctx, encoded, Argon2_id);
    if (err != ARGON2_OK)
        return err;
    uint8_t got[NX_USER_HASH_MAX];
    ctx.out = got;   // argon2_verify_ctx hashes into out and compares it with want
    ctx.allocate_cbk = argon2_alloc;
    ctx.free_cbk = argon2_free;
    err = argon2_verify_ctx(&ctx, (const char *)want, Argon2_id);
    memset(got, 0, sizeof got);
    return err;
}

long nx_user_set_password(struct nx_user *u, const char *password, size_t len,
                          const uint8_t salt[NX_USER_SALT_BYTES],
                          struct nx_argon2_params p)
{
    long err = nx_password_check(password, len);
    if (err)
        return err;
    if (p.m_kib < NX_ARGON2_M_MIN || p.m_kib > NX_ARGON2_M_MAX || p.t < 1 ||
        p.t > NX_ARGON2_T_MAX || p.p < 1 || p.p > NX_ARGON2_P_MAX || p.m_kib < 8 * p.p)
        return NX_ERR_INVALID;
    char hash[NX_USER_HASH_MAX + 1] = { 0 };
    err = from_argon2(hash_encoded(p, password, len, salt, hash, sizeof(hash)));
    if (!err)
        memcpy(u->hash, hash, sizeof(hash));
    return err;
}

long nx_user_verify(const struct nx_user *u, const char *password, size_t len)
{
    long err = nx_password_check(password, len);
    if (err)
        return err;
    size_t n = strnlen(u->hash, sizeof(u->hash));
    if (n == sizeof(u->hash) || !hash_valid(u->hash, n))
        return NX_ERR_ACCESS;   // locked (or never a valid hash): nothing matches
    return from_argon2(verify_encoded(u->hash, password, len));
}

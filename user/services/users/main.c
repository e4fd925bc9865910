// The users service: the one holder of the user database (/etc/users) and of the recovery
// account (/etc/recovery), answering logins and password changes (nx/users.h,
// docs/login.md). It delays a name's next try after each wrong password, so the delay binds
// every client alike. Passwords live only in the request's copy and are wiped after use;
// nothing here logs one, or a name that matched no user (it may be a password typed early).
#include <string.h>
#include <nexus/errors.h>
#include <nx/file.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/random.h>
#include <nx/rpc.h>
#include <nx/startup.h>
#include <nx/throttle.h>
#include <nx/users.h>

#define USERS_PATH    "/etc/users"
#define RECOVERY_PATH "/etc/recovery"

// The account first boot makes (README, docs/login.md), and the recovery account's.
#define FIRST_USER     "nexus"
#define FIRST_PASSWORD "nexus"
#define FIRST_UID      1000
#define RECOVERY_PASSWORD "recovery"

// Failed tries of one name: the main file's users by index, then the recovery account, then
// every name that matches no user (one counter, so guessing names gains nothing).
#define SLOT_RECOVERY NX_USERS_MAX
#define SLOT_UNKNOWN  (NX_USERS_MAX + 1)
static struct nx_users db, recovery;
static struct nx_throttle tries[NX_USERS_MAX + 2];
static bool db_ok;   // /etc/users read and valid: else only the recovery account logs in

static void wipe(void *p, size_t n)
{
    volatile uint8_t *v = p;
    while (n--)
        *v++ = 0;
}

// Read and parse path into d: NX_OK, NX_ERR_NOT_FOUND, or the parser's error (*line).
static long load(const char *path, struct nx_users *d, unsigned *line)
{
    static char text[NX_USERS_FILE_MAX + 1];
    *line = 0;
    long n = nx_file_read_whole(path, text, sizeof(text));
    return n < 0 ? n : nx_users_parse(text, (size_t)n, d, line);
}

// Write d to path whole or not at all (nx_file_write_whole).
static long save(const char *path, const struct nx_users *d)
{
    static char text[NX_USERS_FILE_MAX];
    long len = nx_users_format(d, text, sizeof(text));
    return len < 0 ? len : nx_file_write_whole(path, text, (size_t)len);
}

static long set_password(struct nx_user *u, const char *pw, size_t len)
{
    uint8_t salt[NX_USER_SALT_BYTES];
    long err = nx_random(salt, sizeof(salt));
    return err ? NX_ERR_IO : nx_user_set_password(u, pw, len, salt, NX_ARGON2_DEFAULT);
}

// A database of one user with a password, written to path.
static long create(const char *path, struct nx_users *d, const char *name, uint32_t uid,
                   const char *home, const char *pw)
{
    d->count = 0;
    long err = nx_users_add(d, name, uid, home);
    if (!err)
        err = set_password(&d->user[0], pw, strlen(pw));
    return err ? err : save(path, d);
}

// First boot: /etc, /home/nexus and both files. Afterwards: read them; a corrupt or
// unreadable users file is reported and leaves only the recovery account.
static void load_all(void)
{
    unsigned line;
    long err = load(USERS_PATH, &db, &line);
    if (err == NX_ERR_NOT_FOUND) {
        nx_fs_mkdir("/etc");
        nx_fs_mkdir("/home");
        nx_fs_mkdir("/home/" FIRST_USER);
        err = create(USERS_PATH, &db, FIRST_USER, FIRST_UID, "/home/" FIRST_USER, FIRST_PASSWORD);
        nx_log(err ? NX_LOG_ERROR : NX_LOG_INFO, "first boot: account %s %s (%ld)", FIRST_USER,
               err ? "not made" : "made", err);
    } else if (err) {
        nx_log(NX_LOG_ERROR, "%s is corrupt (line %u, error %ld): only %s can log in",
               USERS_PATH, line, err, NX_USERS_RECOVERY);
    }
    db_ok = err == NX_OK;
    err = load(RECOVERY_PATH, &recovery, &line);
    if (err == NX_ERR_NOT_FOUND)
        err = create(RECOVERY_PATH, &recovery, NX_USERS_RECOVERY, 0, "/", RECOVERY_PASSWORD);
    if (err || recovery.count != 1 || strcmp(recovery.user[0].name, NX_USERS_RECOVERY)) {
        nx_log(NX_LOG_ERROR, "%s is unusable (line %u, error %ld)", RECOVERY_PATH, line, err);
        recovery.count = 0;
    }
}

// The user a name is (or NULL) and its slot in tries.
static struct nx_user *lookup(const char *name, size_t len, int *slot)
{
    struct nx_user *u = NULL;
    if (len == strlen(NX_USERS_RECOVERY) && !memcmp(name, NX_USERS_RECOVERY, len))
        u = nx_users_find(&recovery, name, len);
    else if (db_ok)
        u = nx_users_find(&db, name, len);
    *slot = !u ? SLOT_UNKNOWN : u == recovery.user ? SLOT_RECOVERY : (int)(u - db.user);
    return u;
}

// Check name's password, with its delays: NX_OK and *user, or an error with rep->retry_ms.
static long check(const char *name, size_t nlen, const char *pw, size_t plen,
                  struct nx_users_login_rep *rep, struct nx_user **user)
{
    long err = nx_user_name_check(name, nlen);
    if (!err)
        err = nx_password_check(pw, plen);
    if (err)
        return err;
    int slot;
    struct nx_user *u = lookup(name, nlen, &slot);
    struct nx_throttle *t = &tries[slot];
    uint64_t now = (uint64_t)nx_clock_get();
    if ((rep->retry_ms = nx_throttle_wait_ms(t, now)))
        return NX_ERR_TIMED_OUT;
    // A name with no user costs a hash too (of a locked entry's stand-in), so the time a
    // refusal takes does not tell which names exist.
    static struct nx_user nobody;
    if (!u && !nobody.hash[0])
        set_password(&nobody, "-", 1);
    err = nx_user_verify(u ? u : &nobody, pw, plen);
    if (!u && !err)
        err = NX_ERR_ACCESS;
    if (err == NX_ERR_ACCESS) {
        rep->retry_ms = nx_throttle_failed(t, now);
        if (u)
            nx_log(NX_LOG_WARN, "wrong password for %s (%u in a row)", u->name, t->failures);
        else
            nx_log(NX_LOG_WARN, "login refused: no such user");
        return !db_ok && slot != SLOT_RECOVERY ? NX_ERR_BAD_STATE : err;
    }
    if (!err)
        nx_throttle_passed(t);
    *user = u;
    return err;
}

// The request's bytes (passwords) wiped: its copy, and the IPC buffer it came in, which the
// reply overwrites only in part.
static void forget_request(struct nx_rpc_req *req)
{
    wipe((void *)req->data, req->len);
    wipe(req->reply, req->len);
}

// The reply: err as the verdict; only a malformed request fails the call itself.
static long verdict(struct nx_rpc_req *req, struct nx_users_login_rep *rep, long err)
{
    if (err == NX_ERR_INVALID || err == NX_ERR_TOO_BIG)
        return err;
    rep->result = (int32_t)err;
    memcpy(req->reply, rep, sizeof(*rep));
    req->reply_len = sizeof(*rep);
    return NX_OK;
}

static long op_login(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_users_login_req q;
    struct nx_users_login_rep rep = { 0 };
    struct nx_user *u = NULL;
    memcpy(&q, req->data, sizeof(q));
    const char *name = (const char *)req->data + sizeof(q);
    long err = (uint64_t)q.name_len + q.password_len == req->len - sizeof(q) ? NX_OK
                                                                             : NX_ERR_INVALID;
    if (!err)
        err = check(name, q.name_len, name + q.name_len, q.password_len, &rep, &u);
    forget_request(req);
    if (!err) {
        rep.uid = u->uid;
        strcpy(rep.home, u->home);
        nx_log(NX_LOG_INFO, "%s logged in", u->name);
    }
    return verdict(req, &rep, err);
}

static long op_passwd(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_users_passwd_req q;
    struct nx_users_login_rep rep = { 0 };
    struct nx_user *u = NULL;
    memcpy(&q, req->data, sizeof(q));
    const char *name = (const char *)req->data + sizeof(q);
    const char *old = name + q.name_len, *new = old + q.old_len;
    long err = (uint64_t)q.name_len + q.old_len + q.new_len == req->len - sizeof(q)
                   ? NX_OK : NX_ERR_INVALID;
    if (!err)
        err = check(name, q.name_len, old, q.old_len, &rep, &u);
    if (!err) {
        struct nx_user before = *u;
        bool rec = u == recovery.user;
        err = set_password(u, new, q.new_len);
        if (!err)
            err = rec ? save(RECOVERY_PATH, &recovery) : save(USERS_PATH, &db);
        if (err)
            *u = before;
        nx_log(err ? NX_LOG_ERROR : NX_LOG_INFO, "password of %s %s (%ld)", u->name,
               err ? "not changed" : "changed", err);
    }
    forget_request(req);
    return verdict(req, &rep, err);
}

// The next uid for a new user: one above the highest, from FIRST_UID.
static uint32_t next_uid(void)
{
    uint32_t uid = FIRST_UID;
    for (size_t i = 0; i < db.count; i++)
        if (db.user[i].uid >= uid)
            uid = db.user[i].uid + 1;
    return uid;
}

// Add name with password (the recovery account's password checked first): on the disk, or
// nothing changed.
static long add_user(const char *name, size_t nlen, const char *pw, size_t plen,
                     struct nx_users_login_rep *rep)
{
    char who[NX_USER_NAME_MAX + 1], home[NX_USER_HOME_MAX + 1];
    if (!db_ok)
        return NX_ERR_BAD_STATE;
    long err = nx_user_name_check(name, nlen);
    if (!err)
        err = nx_password_check(pw, plen);
    if (err)
        return err;
    memcpy(who, name, nlen);
    who[nlen] = 0;
    if (!strcmp(who, NX_USERS_RECOVERY))
        return NX_ERR_INVALID;
    strcpy(home, "/home/");
    strcat(home, who);
    uint32_t uid = next_uid();
    if ((err = nx_users_add(&db, who, uid, home)))
        return err;
    struct nx_user *u = &db.user[db.count - 1];
    nx_fs_mkdir("/home");
    nx_fs_mkdir(home);   // an existing home is kept: the new user owns what is in it
    if (!(err = set_password(u, pw, plen)))
        err = save(USERS_PATH, &db);
    if (err) {
        db.count--;
        return err;
    }
    rep->uid = uid;
    strcpy(rep->home, home);
    return NX_OK;
}

static long op_add(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_users_add_req q;
    struct nx_users_login_rep rep = { 0 };
    struct nx_user *admin = NULL;
    memcpy(&q, req->data, sizeof(q));
    const char *admin_pw = (const char *)req->data + sizeof(q);
    const char *name = admin_pw + q.admin_len, *pw = name + q.name_len;
    long err = (uint64_t)q.admin_len + q.name_len + q.password_len == req->len - sizeof(q)
                   ? NX_OK : NX_ERR_INVALID;
    if (!err)
        err = check(NX_USERS_RECOVERY, strlen(NX_USERS_RECOVERY), admin_pw, q.admin_len, &rep,
                    &admin);
    if (!err) {
        err = add_user(name, q.name_len, pw, q.password_len, &rep);
        if (err)
            nx_log(NX_LOG_ERROR, "user not added (%ld)", err);
        else
            nx_log(NX_LOG_INFO, "user %s added (uid %u)", db.user[db.count - 1].name, rep.uid);
    }
    forget_request(req);
    return verdict(req, &rep, err);
}

static const struct nx_rpc_op ops[] = {
    { NX_USERS_LOGIN, sizeof(struct nx_users_login_req),
      sizeof(struct nx_users_login_req) + NX_USER_NAME_MAX + NX_PASSWORD_MAX + 2, op_login },
    { NX_USERS_PASSWD, sizeof(struct nx_users_passwd_req),
      sizeof(struct nx_users_passwd_req) + NX_USER_NAME_MAX + 2 * NX_PASSWORD_MAX + 2, op_passwd },
    { NX_USERS_ADD, sizeof(struct nx_users_add_req),
      sizeof(struct nx_users_add_req) + NX_USER_NAME_MAX + 2 * NX_PASSWORD_MAX + 2, op_add },
};

// Argon2's 7 MiB for each hash, in pages of their own that go back to the system once the
// hash is done (in the heap they would stay, committed, for the service's life).
static int argon2_pages(uint8_t **memory, size_t bytes)
{
    void *p;
    if (nx_pages_alloc(bytes, &p) != NX_OK)
        return NX_ARGON2_NO_MEMORY;
    *memory = p;
    return 0;
}

static void argon2_pages_free(uint8_t *memory, size_t bytes)
{
    nx_pages_free(memory, bytes);
}

int main(void)
{
    nx_users_argon2_memory(argon2_pages, argon2_pages_free);
    nx_handle_t serve = nx_startup_handle("serve");
    if (serve == NX_HANDLE_INVALID) {
        nx_printf("users: needs the handle \"serve\"\n");
        return 1;
    }
    load_all();
    nx_log(NX_LOG_INFO, "users up: %u account(s)%s", db_ok ? db.count : 0,
           recovery.count ? " and recovery" : "");
    const struct nx_rpc_server srv = { ops, sizeof(ops) / sizeof(ops[0]), NULL, NULL };
    return (int)-nx_rpc_serve(serve, &srv);
}

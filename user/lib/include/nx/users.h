// The user database: a text file on the disk (/etc/users), one line per user,
//     name:uid:home:$argon2id$v=19$m=M,t=T,p=P$SALT$HASH
// (the hash in the PHC string format, salt and hash in unpadded base64). Pure C over
// buffers: the caller reads and writes the file and supplies the random salt, so the same
// code runs in the login programs, the host test and the fuzzer. docs/login.md.
#ifndef NX_USERS_H
#define NX_USERS_H

#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>

#define NX_USER_NAME_MAX   32      // bytes: [a-z_][a-z0-9_-]*
#define NX_USER_HOME_MAX   127     // bytes: an absolute path without ':'
#define NX_USER_HASH_MAX   160     // bytes of the encoded hash
#define NX_USER_SALT_BYTES 16
#define NX_USER_UID_MAX    65534u
#define NX_USERS_MAX       64      // users in one file
#define NX_USERS_FILE_MAX  16384   // bytes: a longer file is refused whole
#define NX_PASSWORD_MAX    256     // bytes of UTF-8

// Argon2id cost: memory in KiB, passes, lanes. New hashes use NX_ARGON2_DEFAULT (OWASP's
// password storage advice: 7 MiB, 5 passes, 1 lane); a stored hash is checked with its own
// parameters, which must lie within the bounds below (a hostile file cannot make a login
// allocate gigabytes or run for hours).
struct nx_argon2_params {
    uint32_t m_kib, t, p;
};
#define NX_ARGON2_DEFAULT ((struct nx_argon2_params){ 7168, 5, 1 })
#define NX_ARGON2_M_MIN   8
#define NX_ARGON2_M_MAX   65536
#define NX_ARGON2_T_MAX   16
#define NX_ARGON2_P_MAX   4

// Where Argon2 takes its working memory (m_kib KiB for each hash or check) and gives it
// back: malloc and free unless set. alloc returns 0, or NX_ARGON2_NO_MEMORY with nothing
// taken. The users service sets nx_pages_alloc-backed ones (nx/nx.h), so that
// the memory returns to the system after each hash instead of staying in its heap.
#define NX_ARGON2_NO_MEMORY (-22)   // the library's ARGON2_MEMORY_ALLOCATION_ERROR
typedef int (*nx_argon2_alloc_fn)(uint8_t **memory, size_t bytes);
typedef void (*nx_argon2_free_fn)(uint8_t *memory, size_t bytes);
void nx_users_argon2_memory(nx_argon2_alloc_fn alloc, nx_argon2_free_fn release);

struct nx_user {
    char name[NX_USER_NAME_MAX + 1];
    uint32_t uid;
    char home[NX_USER_HOME_MAX + 1];
    char hash[NX_USER_HASH_MAX + 1];
};

struct nx_users {
    unsigned count;
    struct nx_user user[NX_USERS_MAX];
};

// Parse a users file of len bytes. NX_OK, or NX_ERR_TOO_BIG (file or line too long, too
// many users) or NX_ERR_INVALID (a malformed line, a duplicate name or uid, a hash outside
// the bounds) with *line the 1-based line at fault (0: the file as a whole). Lines starting
// with '#' are comments; the last line may lack its newline.
long nx_users_parse(const char *text, size_t len, struct nx_users *db, unsigned *line);

// The file's text for db into out: its length, or NX_ERR_TOO_BIG if it does not fit cap or
// NX_USERS_FILE_MAX (so whatever is written parses again).
long nx_users_format(const struct nx_users *db, char *out, size_t cap);

// The user called name (len bytes, not NUL-terminated), or NULL.
struct nx_user *nx_users_find(struct nx_users *db, const char *name, size_t len);

// Add a user with no password yet (a hash that matches nothing): NX_ERR_INVALID for a bad
// name, uid or home, or one already taken; NX_ERR_NO_SPACE when the table is full.
long nx_users_add(struct nx_users *db, const char *name, uint32_t uid, const char *home);

// Checks of what a person types: NX_OK, NX_ERR_TOO_BIG or NX_ERR_INVALID.
long nx_user_name_check(const char *name, size_t len);
long nx_password_check(const char *password, size_t len);   // UTF-8, no control characters

// Hash password (checked first) with salt and params into u->hash.
long nx_user_set_password(struct nx_user *u, const char *password, size_t len,
                          const uint8_t salt[NX_USER_SALT_BYTES],
                          struct nx_argon2_params params);

// NX_OK when password matches u's hash, NX_ERR_ACCESS when it does not (or u has no
// password), NX_ERR_INVALID/NX_ERR_TOO_BIG for a password that could never have been set,
// NX_ERR_NO_MEMORY when the hash's memory cannot be had.
long nx_user_verify(const struct nx_user *u, const char *password, size_t len);

struct nx_users_login_rep;

// ---- typing a name or a password ----

// Read one line typed on a raw terminal (bytes from `in`, 1.. at a time; NX_ERR_* ends it):
// Enter (CR or LF) ends it, Backspace/DEL takes back the last byte, Ctrl-C and Ctrl-D abandon
// it (NX_ERR_PEER_CLOSED). Echoed through `echo` unless echo is NULL (a password: nothing
// shown, not even stars). A line longer than cap - 1 bytes is read to its end and refused
// (NX_ERR_TOO_BIG), nothing of it kept. Returns its length; buf is NUL-terminated.
long nx_users_read_line(long (*in)(void *ctx, char *buf, size_t n), void *ctx,
                        void (*echo)(const char *s, size_t n), char *buf, size_t cap);

// The users service's handle (granted as "users", else looked up through svcmgr).
long nx_users_service(nx_handle_t *ep);
// NX_USERS_LOGIN and NX_USERS_PASSWD calls: the verdict (rep->result) or the call's error;
// the request's bytes are wiped from this thread's IPC buffer afterwards. rep may be NULL.
long nx_users_login(const char *name, const char *password, struct nx_users_login_rep *rep);
long nx_users_passwd(const char *name, const char *old, const char *new_password,
                     struct nx_users_login_rep *rep);
// Add the user name with password, authorised by the recovery account's password.
long nx_users_useradd(const char *recovery_password, const char *name, const char *password,
                      struct nx_users_login_rep *rep);

// ---- the users service (user/services/users): the one holder of the users file ----
//
//   NX_USERS_LOGIN   struct nx_users_login_req, then the name, then the password.
//                    NX_OK: struct nx_users_login_rep (uid, home). NX_ERR_ACCESS: wrong name
//                    or password, retry_ms says when the name may try again (the delay
//                    doubles with each failure: 1 s, 2 s ... 32 s); NX_ERR_TIMED_OUT: tried
//                    before then (nothing checked); NX_ERR_BAD_STATE: the users file is
//                    unreadable or corrupt (only the recovery account logs in);
//                    NX_ERR_INVALID/NX_ERR_TOO_BIG: a malformed request, name or password.
//   NX_USERS_PASSWD  struct nx_users_passwd_req, then the name, the old and the new password.
//                    NX_OK once the new hash is on the disk; the errors of LOGIN for the old
//                    password (and its delays), NX_ERR_IO when no random salt or no write.
//   NX_USERS_ADD     struct nx_users_add_req, then the recovery account's password, the new
//                    name and its password: only the recovery account's password adds a user
//                    (checked with its delays). NX_OK once the user is on the disk with the
//                    next uid from 1000 and the home /home/NAME (made if missing): the reply
//                    carries both. NX_ERR_INVALID: not a valid name, or one taken (recovery
//                    too); NX_ERR_NO_SPACE: 64 users; NX_ERR_BAD_STATE: the users file is
//                    damaged (never rewritten); the errors of PASSWD otherwise.
#define NX_USERS_SERVICE "users"
#define NX_USERS_RECOVERY "recovery"   // the account of /etc/recovery

enum {
    NX_USERS_LOGIN = 0x55000001,
    NX_USERS_PASSWD = 0x55000002,
    NX_USERS_ADD = 0x55000003,
};

struct nx_users_login_req {
    uint32_t name_len, password_len;
};

// The reply (status NX_OK) of both: the verdict in `result` (the status word of a failed
// call carries no bytes, and a refusal must say how long to wait).
struct nx_users_login_rep {
    int32_t result;      // NX_OK or the error above
    uint32_t uid;
    uint32_t retry_ms;   // with NX_ERR_ACCESS and NX_ERR_TIMED_OUT: wait this long
    char home[NX_USER_HOME_MAX + 1];
};

struct nx_users_passwd_req {
    uint32_t name_len, old_len, new_len, reserved;
};

struct nx_users_add_req {
    uint32_t admin_len, name_len, password_len, reserved;
};

#endif

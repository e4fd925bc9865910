// libFuzzer target for the users file (user/lib/users/users.c): any bytes must parse without
// reading outside them (ASan) or undefined behaviour (UBSan); what parses must keep the
// parser's promises (valid names, homes and uids, no duplicates) and survive a round trip
// through nx_users_format unchanged. Hashes are never computed here (their cost is bounded
// by the parser, not cheap).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/users.h>

static struct nx_users db, back;
static char text[NX_USERS_FILE_MAX * 2];

static void check_user(const struct nx_users *d, unsigned i)
{
    const struct nx_user *u = &d->user[i];
    if (nx_user_name_check(u->name, strlen(u->name)) || u->uid > NX_USER_UID_MAX ||
        u->home[0] != '/' || strchr(u->home, ':') || !u->hash[0])
        abort();
    for (unsigned j = 0; j < i; j++)
        if (!strcmp(d->user[j].name, u->name) || d->user[j].uid == u->uid)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned line;
    nx_password_check((const char *)data, size);
    if (nx_users_parse((const char *)data, size, &db, &line) != NX_OK) {
        if (line > size + 1)
            abort();
        return 0;
    }
    for (unsigned i = 0; i < db.count; i++)
        check_user(&db, i);
    long n = nx_users_format(&db, text, sizeof(text));
    if (n < 0 || nx_users_parse(text, (size_t)n, &back, &line) != NX_OK ||
        back.count != db.count || memcmp(back.user, db.user, db.count * sizeof(db.user[0])))
        abort();
    return 0;
}

// The log service: takes records from every client's shared-memory ring, stamps them with
// the time and the client's name (told by init, per badge), keeps the last LOG_HISTORY of
// them and serves them to readers. Warnings and errors are echoed to the debug console
// (everything, with the argument "echo"), so they are seen even with no reader.
#include <string.h>
#include <nx/badges.h>
#include <nx/log.h>
#include <nx/nx.h>
#include <nx/ring.h>
#include <nx/rpc.h>
#include <nx/services.h>
#include <nx/startup.h>

#include "history.h"

_Static_assert(LOG_TEXT_MAX >= NX_LOG_TEXT_MAX, "a record nx_log writes fits a history slot");
_Static_assert(sizeof(struct nx_log_rec_hdr) == sizeof(uint32_t), "a ring record's header is "
                                                                   "a history record's level");

#define MAX_CLIENTS 32  // one notification bit each

struct client {
    bool used;
    uint32_t badge;
    char name[NX_SVC_NAME_MAX];  // the badge's name, looked up when it changes (not per record)
    struct nx_ring ring;
};

static struct log_history history;
static struct client clients[MAX_CLIENTS];
static struct nx_badge_names names;
static nx_handle_t wake;        // the notification every ring signals (bound to "serve")
static bool echo_all;
static uint64_t records, dropped_gone;  // dropped_gone: drops of rings since disconnected
static uint64_t take_instr;             // retired taking records out of rings

// The source name of badge's records: "init" for init's unbadged handle, "#badge" for a badge
// init never named.
static const char *name_of(uint32_t badge, char buf[NX_SVC_NAME_MAX])
{
    const char *name = badge ? nx_badge_name(&names, badge) : "init";
    if (name)
        return name;
    char *p = buf + NX_SVC_NAME_MAX - 1;
    *p = '\0';
    do
        *--p = (char)('0' + badge % 10);
    while ((badge /= 10) && p > buf + 1);
    *--p = '#';
    return p;
}

static void name_client(struct client *c)
{
    char buf[NX_SVC_NAME_MAX];
    strcpy(c->name, name_of(c->badge, buf));
}

// A record just stored: counted, and echoed to the debug console if it is a warning or an
// error (or always, with "echo").
static void stored(uint64_t seq)
{
    const struct log_record *r = history_from(&history, seq);
    records++;
    if (!echo_all && r->level > NX_LOG_WARN)
        return;
    char line[64 + LOG_SOURCE_MAX + LOG_TEXT_MAX];
    size_t n = history_format(r, line, sizeof(line));
    nx_debug_write(line, (long)n);
}

// One of the log service's own records.
static void take(const char *source, uint32_t level, const char *text, size_t len)
{
    stored(history_add(&history, (uint64_t)nx_clock_get(), level, source, text, len));
}

static void disconnect(struct client *c)
{
    dropped_gone += nx_ring_dropped(&c->ring);
    nx_ring_unmap(&c->ring);
    memset(c, 0, sizeof(*c));
}

// Records taken from one ring per pass: a client that never stops writing must not keep the
// log service from the others and from its readers.
#define DRAIN_BATCH 64

// Take the records in c's ring, then tell the writer we may sleep (it signals only then). If
// more than a batch is waiting, signal ourselves instead, to come back after the others.
// Records are popped straight into the history's next slot, and stamped when taken: one
// clock read serves a pass (its records arrived together, within microseconds).
static void drain(struct client *c)
{
    static const char why[] = "ring corrupt: disconnected";
    uint64_t now = (uint64_t)nx_clock_get();
    nx_ring_end_sleep(&c->ring);
    for (int taken = 0; taken < DRAIN_BATCH; taken++) {
        uint64_t t0 = nx_rdinstret();
        struct log_record *r = history_next(&history);
        size_t len;
        long err = nx_ring_pop(&c->ring, &r->level, sizeof(r->level) + LOG_TEXT_MAX, &len);
        if (err == NX_ERR_NOT_FOUND && nx_ring_prepare_sleep(&c->ring))
            return;
        if (err == NX_OK && len >= sizeof(r->level)) {
            stored(history_commit(&history, now, c->name, len - sizeof(r->level)));
            take_instr += nx_rdinstret() - t0;
        } else if (err != NX_ERR_NOT_FOUND) {  // a record too long or too short, or bad indices
            take(c->name, NX_LOG_WARN, why, sizeof(why) - 1);
            disconnect(c);
            return;
        }
    }
    nx_notify_signal(wake, (long)c->ring.bits);
}

static void on_signals(void *ctx, uint64_t bits)
{
    (void)ctx;
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].used && (bits & (1ull << i)))
            drain(&clients[i]);
}

// Take what badge's rings hold, then drop them.
static void drop_badge(uint32_t badge)
{
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].used && clients[i].badge == badge) {
            drain(&clients[i]);
            if (clients[i].used)
                disconnect(&clients[i]);
        }
}

// A process has one ring: connecting again (after this service restarted, the writer found
// its ring unread) replaces the one it had.
static long op_connect(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    if (req->handles.count != 1)
        return NX_ERR_INVALID;
    drop_badge((uint32_t)req->badge);
    int i = 0;
    while (i < MAX_CLIENTS && clients[i].used)
        i++;
    if (i == MAX_CLIENTS)
        return NX_ERR_NO_SPACE;
    struct client *c = &clients[i];
    long notif = nx_handle_duplicate(wake, NX_RIGHT_SIGNAL | NX_RIGHT_TRANSFER);
    if (notif < 0)
        return notif;
    if (nx_ring_map(req->handles.h[0], NX_RING_READER, wake, 1ull << i, &c->ring) != NX_OK) {
        nx_handle_close(notif);
        return NX_ERR_BAD_STATE;
    }
    c->used = true;
    c->badge = (uint32_t)req->badge;
    name_client(c);
    req->reply_handles = (struct nx_rpc_handles){ 1, { (nx_handle_t)notif }, { NX_RIGHT_SIGNAL } };
    struct nx_log_connect rep = { .bits = 1ull << i };
    memcpy(req->reply, &rep, sizeof(rep));
    req->reply_len = sizeof(rep);
    drain(c);  // records written before the connection, and the sleep announcement
    return NX_OK;
}

static long op_identify(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    long err = nx_badge_identify_op(&names, req);
    for (int i = 0; !err && i < MAX_CLIENTS; i++)
        if (clients[i].used)
            name_client(&clients[i]);
    return err;
}

static long op_disconnect(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    uint32_t badge;
    long err = nx_badge_req_take(req, &badge);
    if (!err)
        drop_badge(badge);
    return err;
}

static long op_read(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_log_read_req r;
    struct nx_log_read_rep rep;
    memcpy(&r, req->data, sizeof(r));
    size_t n = history_read(&history, r.since, (char *)req->reply + sizeof(rep),
                            NX_MSG_BYTES_MAX - sizeof(rep), &rep.next);
    memcpy(req->reply, &rep, sizeof(rep));
    req->reply_len = sizeof(rep) + n;
    return NX_OK;
}

static long op_stats(void *ctx, struct nx_rpc_req *req)
{
    (void)ctx;
    struct nx_log_stats s = { .records = records, .dropped = dropped_gone,
                              .take_instr = take_instr };
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].used) {
            s.dropped += nx_ring_dropped(&clients[i].ring);
            s.clients++;
        }
    memcpy(req->reply, &s, sizeof(s));
    req->reply_len = sizeof(s);
    return NX_OK;
}

static const struct nx_rpc_op ops[] = {
    { NX_LOG_CONNECT, 0, 0, op_connect },
    { NX_LOG_IDENTIFY, sizeof(struct nx_policy_identify), sizeof(struct nx_policy_identify),
      op_identify },
    { NX_LOG_READ, sizeof(struct nx_log_read_req), sizeof(struct nx_log_read_req), op_read },
    { NX_LOG_STATS, 0, 0, op_stats },
    { NX_LOG_DISCONNECT, sizeof(struct nx_badge_req), sizeof(struct nx_badge_req),
      op_disconnect },
};

int main(int argc, char **argv)
{
    nx_handle_t serve = nx_startup_handle("serve");
    echo_all = argc > 1 && !strcmp(argv[1], "echo");
    long n = nx_notification_create();
    if (serve == NX_HANDLE_INVALID || n < 0 || nx_endpoint_bind(serve, n) != NX_OK) {
        nx_printf("log: no endpoint to serve\n");
        return 1;
    }
    wake = (nx_handle_t)n;
    char hello[] = "log service up";
    take("log", NX_LOG_INFO, hello, sizeof(hello) - 1);
    const struct nx_rpc_server srv = { ops, sizeof(ops) / sizeof(ops[0]), NULL, on_signals };
    return (int)-nx_rpc_serve(serve, &srv);
}

// Manifest parser (format: docs/userspace.md, "Manifest"). Each line is split into words,
// checked whole and only then added, so a bad line leaves no trace but its report.
#include "manifest.h"

#include <stdio.h>
#include <string.h>
#include <nx/net.h>
#include <nx/services.h>
#include <nx/virtio.h>

const struct mf_device mf_devices[] = {
    { "uart", 0x10000000, 0x1000 },
    { "rtc", 0x101000, 0x1000 },       // the goldfish RTC (wall-clock time)
    { "virtio", 0x10001000, 0x8000 },  // the 8 virtio-mmio slots (lines 1..8)
    { NULL, 0, 0 },
};

const struct mf_virtio_kind mf_virtio_kinds[] = {
    { "blk", VIRTIO_ID_BLOCK },
    { "gpu", VIRTIO_ID_GPU },
    { "rng", VIRTIO_ID_ENTROPY },
    { "net", VIRTIO_ID_NET },
    { "input", VIRTIO_ID_INPUT },  // keyboard, tablet, mouse: one grant per driver instance
    { NULL, 0 },
};

static const char *const builtins[] = { "exec", "proc", NULL };

bool mf_is_builtin(const char *name)
{
    for (int i = 0; builtins[i]; i++)
        if (!strcmp(name, builtins[i]))
            return true;
    return false;
}

const char *mf_grant_service(const struct mf_grant *g)
{
    return g->kind == MF_GRANT_SERVICE ? g->name : g->kind == MF_GRANT_DIR ? "fs" : NULL;
}

#define MAX_WORDS 32

// One line cut into NUL-terminated words (in a private copy of the line).
struct words {
    char buf[MF_LINE_MAX];
    int n;
    char *w[MAX_WORDS];
};

static const char *split(struct words *ws, const char *line, size_t len)
{
    if (len >= MF_LINE_MAX)
        return "line too long";
    memcpy(ws->buf, line, len);
    ws->buf[len] = '\0';
    char *hash = strchr(ws->buf, '#');
    if (hash)
        *hash = '\0';
    ws->n = 0;
    for (char *p = ws->buf; *p;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            *p++ = '\0';
        if (!*p)
            break;
        if (ws->n == MAX_WORDS)
            return "too many words";
        ws->w[ws->n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
    }
    return NULL;
}

// Strict decimal in [min, max].
static bool number(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > max)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v < min || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool copy_name(char dst[MF_NAME_MAX], const char *src, size_t len)
{
    if (len == 0 || len >= MF_NAME_MAX)
        return false;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

// irq:N or irq:N-M: lines 1..127, at most MF_IRQ_RANGE_MAX of them.
static const char *parse_irq(struct mf_grant *g)
{
    char first[MF_NAME_MAX];
    strcpy(first, g->name + 4);
    char *dash = strchr(first, '-');
    if (dash)
        *dash = '\0';
    g->kind = MF_GRANT_IRQ;
    if (!number(first, 1, 127, &g->value) || (dash && !number(dash + 1, 1, 127, &g->last)))
        return "bad interrupt line";
    if (!dash)
        g->last = g->value;
    if (g->last < g->value || g->last - g->value >= MF_IRQ_RANGE_MAX)
        return "bad interrupt range";
    return NULL;
}

// A service grant NAME:lock: the handle's badge carries NX_BADGE_LOCK (nx/services.h), which
// handles looked up through svcmgr never do; proc:view: init's proc without kill. The handle
// is still called NAME.
static const char *parse_facet(struct mf_grant *g)
{
    char *colon = strchr(g->name, ':');
    if (!colon)
        return NULL;
    if (colon == g->name)
        return "unknown grant facet";
    if (!strcmp(colon, ":lock"))
        g->facet = NX_BADGE_LOCK;
    else if (!strcmp(colon, ":view") && !strncmp(g->name, "proc:", 5))
        g->facet = MF_BADGE_PROC_VIEW;
    else
        return "unknown grant facet";
    *colon = '\0';
    return NULL;
}

static const char *parse_grant(struct mf_grant *g, const char *s, size_t len)
{
    if (!copy_name(g->name, s, len))
        return "bad grant name";
    g->kind = MF_GRANT_SERVICE;
    g->value = g->facet = 0;
    if (!strncmp(g->name, "irq:", 4))
        return parse_irq(g);
    if (!strcmp(g->name, "bootfs") || !strcmp(g->name, "power")) {
        g->kind = g->name[0] == 'b' ? MF_GRANT_BOOTFS : MF_GRANT_POWER;
        return NULL;
    }
    if (!strncmp(g->name, "dir:", 4)) {
        g->kind = MF_GRANT_DIR;
        return g->name[4] == '/' ? NULL : "bad directory (absolute path)";
    }
    if (!strncmp(g->name, "virtio:", 7)) {
        g->kind = MF_GRANT_VIRTIO;
        for (int i = 0; mf_virtio_kinds[i].name; i++)
            if (!strcmp(g->name + 7, mf_virtio_kinds[i].name))
                return g->value = mf_virtio_kinds[i].device_id, NULL;
        return "unknown virtio device";
    }
    if (!strncmp(g->name, "mmio:", 5)) {
        g->kind = MF_GRANT_MMIO;
        for (g->value = 0; mf_devices[g->value].name; g->value++)
            if (!strcmp(g->name + 5, mf_devices[g->value].name))
                return NULL;
        return "unknown device";
    }
    return parse_facet(g);
}

// True when one of s's first n grants is called name.
static bool has_grant(const struct mf_service *s, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(s->grants[i].name, name))
            return true;
    return false;
}

// grant=a,b,c: appended to s's grants.
static const char *parse_grants(struct mf_service *s, const char *list)
{
    for (const char *p = list;; p++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (s->ngrants == MF_MAX_GRANTS)
            return "too many grants";
        const char *err = parse_grant(&s->grants[s->ngrants++], p, len);
        if (!err && has_grant(s, s->ngrants - 1, s->grants[s->ngrants - 1].name))
            err = "duplicate grant";  // two handles of one name: the program sees only one
        if (err || !end)
            return err;
        p = end;
    }
}

static const char *parse_args(struct mf_service *s, char **w, int n)
{
    for (int i = 0; i < n; i++) {
        size_t len = strlen(w[i]) + 1;
        if (s->argc == MF_MAX_ARGS || s->args_len + len > MF_ARGS_MAX)
            return "too many arguments";
        memcpy(s->args + s->args_len, w[i], len);
        s->args_len += len;
        s->argc++;
    }
    return NULL;
}

static const char *parse_option(struct mf_service *s, const char *w)
{
    if (!strcmp(w, "restart"))
        return s->restart = true, NULL;
    if (!strncmp(w, "prio=", 5))
        return number(w + 5, 0, MF_PRIO_MAX, &s->priority) ? NULL : "bad priority";
    if (!strncmp(w, "pages=", 6))
        return number(w + 6, MF_PAGES_MIN, MF_PAGES_MAX, &s->pages) ? NULL : "bad page budget";
    if (!strncmp(w, "bin=", 4))
        return copy_name(s->binary, w + 4, strlen(w + 4)) ? NULL : "bad binary name";
    if (!strncmp(w, "grant=", 6))
        return parse_grants(s, w + 6);
    return "unknown option";
}

static const char *parse_service(struct manifest *m, struct words *ws, int line)
{
    static const struct mf_service defaults = { .priority = 16, .pages = 256 };
    struct mf_service s = defaults;
    if (ws->n < 2 || !copy_name(s.name, ws->w[1], strlen(ws->w[1])))
        return "service needs a name of 1-15 characters";
    if (manifest_find(m, s.name) || mf_is_builtin(s.name))
        return "duplicate service";
    if (m->nservices == MF_MAX_SERVICES)
        return "too many services";
    memcpy(s.binary, s.name, sizeof(s.name));
    s.line = line;
    for (int i = 2; i < ws->n; i++) {
        const char *err = !strcmp(ws->w[i], "--") ? parse_args(&s, ws->w + i + 1, ws->n - i - 1)
                                                  : parse_option(&s, ws->w[i]);
        if (err)
            return err;
        if (!strcmp(ws->w[i], "--"))
            break;
    }
    m->services[m->nservices++] = s;
    return NULL;
}

static bool parse_rights(const char *s, uint32_t *rights)
{
    *rights = 0;
    for (; *s; s++) {
        const char *p = strchr("ctd", *s);
        if (!p)
            return false;
        *rights |= 1u << (p - "ctd");
    }
    return *rights != 0;
}

// One SERVICE[:RIGHTS] of an allow list.
static const char *parse_target(struct mf_rule *r, const char *p, size_t len)
{
    const char *colon = memchr(p, ':', len);
    size_t nlen = colon ? (size_t)(colon - p) : len;
    if (!copy_name(r->service, p, nlen))
        return "bad service name";
    r->rights = MF_RIGHT_CALL;
    if (!colon)
        return NULL;
    char letters[MF_NAME_MAX];
    if (!copy_name(letters, colon + 1, len - nlen - 1) || !parse_rights(letters, &r->rights))
        return "bad rights";
    return NULL;
}

static const char *parse_allow(struct manifest *m, struct words *ws, int line)
{
    if (ws->n != 4 || strcmp(ws->w[2], "->"))
        return "expected: allow CLIENT -> SERVICE[:RIGHTS][,...]";
    struct mf_rule rules[MF_MAX_RULES];
    int n = 0;
    for (const char *p = ws->w[3];; p++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (m->nrules + n == MF_MAX_RULES)
            return "too many rules";
        rules[n] = (struct mf_rule){ 0 };
        if (!copy_name(rules[n].client, ws->w[1], strlen(ws->w[1])))
            return "bad client name";
        const char *err = parse_target(&rules[n], p, len);
        if (err)
            return err;
        rules[n++].line = line;
        if (!end)
            break;
        p = end;
    }
    memcpy(&m->rules[m->nrules], rules, (size_t)n * sizeof(rules[0]));
    m->nrules += n;
    return NULL;
}

// A network policy rule (nx/net.h): client may use the stack's pseudo-service `service`.
static const char *add_net_rule(struct manifest *m, const char *client, const char *service,
                                int line)
{
    if (m->nrules == MF_MAX_RULES)
        return "too many rules";
    struct mf_rule *r = &m->rules[m->nrules];
    *r = (struct mf_rule){ 0 };
    if (!copy_name(r->client, client, strlen(client)))
        return "bad client name";
    copy_name(r->service, service, strlen(service));
    r->rights = MF_RIGHT_CALL;
    r->net = true;
    r->line = line;
    m->nrules++;
    return NULL;
}

// listen=PORT[,PORT...] or listen=*: one rule per port.
static const char *parse_listen(struct manifest *m, const char *client, const char *list,
                                int line)
{
    if (!strcmp(list, "*"))
        return add_net_rule(m, client, NX_NET_POLICY_LISTEN "*", line);
    for (const char *p = list;; p++) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char digits[8], service[MF_NAME_MAX];
        uint32_t port;
        if (len == 0 || len >= sizeof(digits))
            return "bad port";
        memcpy(digits, p, len);
        digits[len] = '\0';
        if (!number(digits, 1, 65535, &port))
            return "bad port";
        snprintf(service, sizeof(service), NX_NET_POLICY_LISTEN "%u", port);
        const char *err = add_net_rule(m, client, service, line);
        if (err || !end)
            return err;
        p = end;
    }
}

// net CLIENT [connect] [listen=PORT[,PORT...]|listen=*]: what CLIENT may do with the network
// stack it was granted. A bad line adds no rule at all.
static const char *parse_net(struct manifest *m, struct words *ws, int line)
{
    if (ws->n < 3)
        return "expected: net CLIENT [connect] [listen=PORT[,PORT...]|listen=*]";
    int nrules = m->nrules;
    const char *err = NULL;
    for (int i = 2; i < ws->n && !err; i++) {
        if (!strcmp(ws->w[i], "connect"))
            err = add_net_rule(m, ws->w[1], NX_NET_POLICY_CONNECT, line);
        else if (!strncmp(ws->w[i], "listen=", 7))
            err = parse_listen(m, ws->w[1], ws->w[i] + 7, line);
        else
            err = "net: unknown permission";
    }
    if (err)
        m->nrules = nrules;
    return err;
}

static const char *parse_line(struct manifest *m, const char *text, size_t len, int line)
{
    static struct words ws;  // 2 KiB: kept off the small stacks of services
    const char *err = split(&ws, text, len);
    if (err || ws.n == 0)
        return err;
    if (!strcmp(ws.w[0], "service"))
        return parse_service(m, &ws, line);
    if (!strcmp(ws.w[0], "allow"))
        return parse_allow(m, &ws, line);
    if (!strcmp(ws.w[0], "net"))
        return parse_net(m, &ws, line);
    return "unknown directive";
}

const struct mf_service *manifest_find(const struct manifest *m, const char *name)
{
    for (int i = 0; i < m->nservices; i++)
        if (!strcmp(m->services[i].name, name))
            return &m->services[i];
    return NULL;
}

static void report_line(struct manifest *m, mf_report_fn report, void *ctx, int line,
                        const char *reason)
{
    m->errors++;
    report(ctx, line, reason);
}

static void drop_service(struct manifest *m, int i)
{
    memmove(&m->services[i], &m->services[i + 1],
            (size_t)(m->nservices - i - 1) * sizeof(m->services[0]));
    m->nservices--;
}

// Index of the first service grant of s that names neither a service nor a builtin, or -1.
static int unresolved_grant(const struct manifest *m, const struct mf_service *s)
{
    for (int g = 0; g < s->ngrants; g++)
        if (mf_grant_service(&s->grants[g]) && !mf_is_builtin(s->grants[g].name) &&
            !manifest_find(m, mf_grant_service(&s->grants[g])))
            return g;
    return -1;
}

// Drop services granted a name that is no service, until none is left (a drop can orphan
// another service's grant).
static void resolve_grants(struct manifest *m, mf_report_fn report, void *ctx)
{
    for (int i = 0; i < m->nservices;) {
        if (unresolved_grant(m, &m->services[i]) < 0) {
            i++;
            continue;
        }
        report_line(m, report, ctx, m->services[i].line, "grant names no service");
        drop_service(m, i);
        i = 0;
    }
}

// True when every service s was granted is among the first `placed` services.
static bool deps_placed(const struct manifest *m, const struct mf_service *s, int placed)
{
    for (int g = 0; g < s->ngrants; g++) {
        const char *dep = mf_grant_service(&s->grants[g]);
        const struct mf_service *d = dep ? manifest_find(m, dep) : NULL;
        if (d && (d - m->services) >= placed)
            return false;
    }
    return true;
}

// Stable topological order: repeatedly move the first service whose dependencies are all
// placed to the end of the placed prefix. What never moves is in a cycle and is dropped.
static void order_services(struct manifest *m, mf_report_fn report, void *ctx)
{
    int placed = 0;
    for (int i = placed; i < m->nservices;) {
        if (!deps_placed(m, &m->services[i], placed)) {
            i++;
            continue;
        }
        struct mf_service s = m->services[i];
        memmove(&m->services[placed + 1], &m->services[placed],
                (size_t)(i - placed) * sizeof(s));
        m->services[placed++] = s;
        i = placed;
    }
    while (m->nservices > placed) {
        report_line(m, report, ctx, m->services[placed].line, "dependency cycle");
        drop_service(m, placed);
    }
}

static void check_rules(struct manifest *m, mf_report_fn report, void *ctx)
{
    for (int i = 0; i < m->nrules;) {
        struct mf_rule *r = &m->rules[i];
        const char *err = strcmp(r->client, "*") && !manifest_find(m, r->client)
                              ? "allow: unknown client"
                          : !r->net && !manifest_find(m, r->service) &&
                                    !mf_is_builtin(r->service)
                              ? "allow: unknown service"
                              : NULL;
        if (!err) {
            i++;
            continue;
        }
        report_line(m, report, ctx, r->line, err);
        memmove(r, r + 1, (size_t)(m->nrules - i - 1) * sizeof(*r));
        m->nrules--;
    }
}

void manifest_parse(struct manifest *m, const char *text, size_t len, mf_report_fn report,
                    void *ctx)
{
    memset(m, 0, sizeof(*m));
    int line = 1;
    for (size_t pos = 0; pos < len; line++) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *err = parse_line(m, text + pos, end - pos, line);
        if (err)
            report_line(m, report, ctx, line, err);
        pos = end + 1;
    }
    resolve_grants(m, report, ctx);
    order_services(m, report, ctx);
    check_rules(m, report, ctx);
}

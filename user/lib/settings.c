// The settings store (nx/settings.h): the schema, checking a value, parsing and writing the
// file. Pure C over buffers; a bad line costs its key, never the file.
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/settings.h>

enum kind { CHOICE, SECONDS, ZONE };

struct schema {
    const char *name;
    enum kind kind;
    const char *def;
    const char *range;               // in words, for errors and the control centre
    const char *const *choices;      // CHOICE: NULL-terminated
};

static const char *const power_modes[] = { "performance", "balanced", "saver", NULL };
static const char *const themes[] = { "light", "dark", NULL };
static const char *const layouts[] = { "us", "de", NULL };   // nx_keymap_find's names

#define LOCK_MIN_S 30u
#define LOCK_MAX_S 3600u
#define ZONE_WEST_MIN (12 * 60)   // UTC-12:00 (Baker Island)
#define ZONE_EAST_MIN (14 * 60)   // UTC+14:00 (Line Islands)

static const struct schema schema[NX_SETTINGS_COUNT] = {
    [NX_SETTING_POWER_MODE] = { "power_mode", CHOICE, "balanced",
                                "performance, balanced or saver", power_modes },
    [NX_SETTING_THEME] = { "theme", CHOICE, "dark", "light or dark", themes },
    [NX_SETTING_KEYBOARD_LAYOUT] = { "keyboard_layout", CHOICE, "us", "us or de", layouts },
    [NX_SETTING_LOCK_DELAY] = { "lock_delay_s", SECONDS, "300",
                                "0 (never) or 30 to 3600 seconds", NULL },
    [NX_SETTING_TIME_ZONE] = { "time_zone", ZONE, "UTC",
                               "UTC or UTC+HH:MM/UTC-HH:MM, -12:00..+14:00, 15-minute steps",
                               NULL },
};

long nx_setting_find(const char *name, size_t len)
{
    for (int k = 0; k < NX_SETTINGS_COUNT; k++)
        if (strlen(schema[k].name) == len && !memcmp(schema[k].name, name, len))
            return k;
    return NX_ERR_NOT_FOUND;
}

const char *nx_setting_name(enum nx_setting key)
{
    return (unsigned)key < NX_SETTINGS_COUNT ? schema[key].name : NULL;
}

const char *nx_setting_range(enum nx_setting key)
{
    return (unsigned)key < NX_SETTINGS_COUNT ? schema[key].range : NULL;
}

// A value, zero-padded: stores with the same values compare equal byte for byte.
static void put(char *dst, const char *v)
{
    memset(dst, 0, NX_SETTING_VALUE_MAX + 1);
    strcpy(dst, v);
}

void nx_settings_defaults(struct nx_settings *s)
{
    for (int k = 0; k < NX_SETTINGS_COUNT; k++)
        put(s->value[k], schema[k].def);
}

// Up to `digits` decimal digits at *p (no sign, no leading zero unless the number is 0):
// the number, or -1. *p moves past them.
static long number(const char **p, const char *end, int digits)
{
    const char *s = *p;
    long n = 0;
    while (*p < end && **p >= '0' && **p <= '9') {
        if (*p - s == digits)
            return -1;
        n = n * 10 + (*(*p)++ - '0');
    }
    return *p == s || (s[0] == '0' && *p - s > 1) ? -1 : n;
}

static long check_seconds(const char *v, size_t len, char *canon)
{
    const char *p = v, *end = v + len;
    long n = number(&p, end, 4);
    if (p != end || n < 0 || (n != 0 && (n < LOCK_MIN_S || n > LOCK_MAX_S)))
        return NX_ERR_INVALID;
    snprintf(canon, NX_SETTING_VALUE_MAX + 1, "%ld", n);
    return NX_OK;
}

// "UTC", "UTC+H", "UTC-HH", "UTC+H:MM", "UTC+HH:MM": the offset east of UTC in minutes.
static long zone_offset(const char *v, size_t len, long *minutes)
{
    if (len < 3 || memcmp(v, "UTC", 3))
        return NX_ERR_INVALID;
    const char *p = v + 3, *end = v + len;
    *minutes = 0;
    if (p == end)
        return NX_OK;
    if (*p != '+' && *p != '-')
        return NX_ERR_INVALID;
    long sign = *p++ == '-' ? -1 : 1;
    long h = p < end && *p == '0' && p + 1 < end && p[1] != ':' ? (p++, number(&p, end, 1))
                                                                : number(&p, end, 2);
    long m = 0;
    if (h >= 0 && p < end && *p == ':') {
        p++;
        m = end - p == 2 && *p >= '0' && *p <= '5' && p[1] >= '0' && p[1] <= '9'
                ? (p[0] - '0') * 10 + p[1] - '0' : -1;
        p = end;
    }
    if (h < 0 || m < 0 || p != end || m % 15)
        return NX_ERR_INVALID;
    *minutes = sign * (h * 60 + m);
    return *minutes < -ZONE_WEST_MIN || *minutes > ZONE_EAST_MIN ? NX_ERR_INVALID : NX_OK;
}

static long check_zone(const char *v, size_t len, char *canon)
{
    long min;
    long err = zone_offset(v, len, &min);
    if (err)
        return err;
    long a = min < 0 ? -min : min;
    if (min == 0)
        strcpy(canon, "UTC");
    else
        snprintf(canon, NX_SETTING_VALUE_MAX + 1, "UTC%c%02ld:%02ld", min < 0 ? '-' : '+',
                 a / 60, a % 60);
    return NX_OK;
}

static long check_choice(const struct schema *d, const char *v, size_t len, char *canon)
{
    for (const char *const *c = d->choices; *c; c++)
        if (strlen(*c) == len && !memcmp(*c, v, len)) {
            strcpy(canon, *c);
            return NX_OK;
        }
    return NX_ERR_INVALID;
}

// Whether the bytes are printable ASCII: only then does a message quote them.
static bool printable(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (v[i] < 0x20 || v[i] > 0x7e)
            return false;
    return true;
}

long nx_setting_check(enum nx_setting key, const char *value, size_t len, char *canon,
                      char *why, size_t why_cap)
{
    if ((unsigned)key >= NX_SETTINGS_COUNT)
        return NX_ERR_NOT_FOUND;
    const struct schema *d = &schema[key];
    char tmp[NX_SETTING_VALUE_MAX + 1];
    long err = NX_ERR_INVALID;
    if (len <= NX_SETTING_VALUE_MAX)
        err = d->kind == CHOICE ? check_choice(d, value, len, tmp)
            : d->kind == SECONDS ? check_seconds(value, len, tmp) : check_zone(value, len, tmp);
    if (!err)
        put(canon, tmp);
    else if (why_cap && len <= NX_SETTING_VALUE_MAX && printable(value, len))
        snprintf(why, why_cap, "%s: '%.*s' is not %s", d->name, (int)len, value, d->range);
    else if (why_cap)
        snprintf(why, why_cap, "%s: the value is not %s", d->name, d->range);
    return err;
}

// ---- the file ----

struct parse {
    struct nx_settings *s;
    bool seen[NX_SETTINGS_COUNT];
    unsigned problems;
    void (*report)(void *ctx, unsigned line, const char *why);
    void *ctx;
};

static void problem(struct parse *p, unsigned line, const char *why)
{
    p->problems++;
    if (p->report)
        p->report(p->ctx, line, why);
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

// [*b, *e) without the blanks at either end.
static void trim(const char **b, const char **e)
{
    while (*b < *e && blank(**b))
        (*b)++;
    while (*e > *b && blank((*e)[-1]))
        (*e)--;
}

static bool key_like(const char *k, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return false;
    return len && len <= NX_SETTING_KEY_MAX;
}

static void parse_line(struct parse *p, unsigned n, const char *b, const char *e)
{
    char why[NX_SETTINGS_WHY_MAX + 48];
    trim(&b, &e);
    if (b == e || *b == '#')
        return;
    const char *eq = memchr(b, '=', (size_t)(e - b));
    if (!eq) {
        problem(p, n, "not key=value");
        return;
    }
    const char *kb = b, *ke = eq, *vb = eq + 1, *ve = e;
    trim(&kb, &ke);
    trim(&vb, &ve);
    long k = nx_setting_find(kb, (size_t)(ke - kb));
    if (k < 0) {
        bool quote = key_like(kb, (size_t)(ke - kb));
        snprintf(why, sizeof(why), "unknown key%s%.*s%s", quote ? " '" : "",
                 quote ? (int)(ke - kb) : 0, kb, quote ? "'" : "");
        problem(p, n, why);
        return;
    }
    if (p->seen[k]) {
        snprintf(why, sizeof(why), "%s given twice: the first one counts", schema[k].name);
        problem(p, n, why);
        return;
    }
    char canon[NX_SETTING_VALUE_MAX + 1];
    if (nx_setting_check((enum nx_setting)k, vb, (size_t)(ve - vb), canon, why, sizeof(why))) {
        problem(p, n, why);
        return;
    }
    p->seen[k] = true;
    put(p->s->value[k], canon);
}

unsigned nx_settings_parse(const char *text, size_t len, struct nx_settings *s,
                           void (*report)(void *ctx, unsigned line, const char *why),
                           void *ctx)
{
    struct parse p = { .s = s, .report = report, .ctx = ctx };
    if (len > NX_SETTINGS_FILE_MAX) {
        problem(&p, 0, "longer than 4096 bytes: the rest is ignored");
        len = NX_SETTINGS_FILE_MAX;
        while (len && text[len - 1] != '\n')   // a line cut short is no line
            len--;
    }
    const char *end = text + len;
    unsigned n = 1;
    for (const char *b = text; b < end; n++) {
        const char *nl = memchr(b, '\n', (size_t)(end - b));
        const char *e = nl ? nl : end;
        if (e - b > NX_SETTINGS_LINE_MAX)
            problem(&p, n, "longer than 127 bytes");
        else if (memchr(b, '\0', (size_t)(e - b)))
            problem(&p, n, "holds a NUL byte");
        else
            parse_line(&p, n, b, e);
        b = e + 1;
    }
    return p.problems;
}

long nx_settings_format(const struct nx_settings *s, char *out, size_t cap)
{
    size_t len = 0;
    for (int k = 0; k < NX_SETTINGS_COUNT; k++) {
        int n = snprintf(out + len, cap - len, "%s=%s\n", schema[k].name, s->value[k]);
        if (n < 0 || (size_t)n >= cap - len)
            return NX_ERR_TOO_BIG;
        len += (size_t)n;
    }
    return (long)len;
}

// ---- typed views ----

long nx_settings_choice(const struct nx_settings *s, enum nx_setting key)
{
    if ((unsigned)key >= NX_SETTINGS_COUNT || schema[key].kind != CHOICE)
        return NX_ERR_INVALID;
    for (long i = 0; schema[key].choices[i]; i++)
        if (!strcmp(schema[key].choices[i], s->value[key]))
            return i;
    return NX_ERR_NOT_FOUND;
}

uint32_t nx_settings_lock_delay_s(const struct nx_settings *s)
{
    uint32_t n = 0;
    for (const char *p = s->value[NX_SETTING_LOCK_DELAY]; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint32_t)(*p - '0');
    return n;
}

int32_t nx_settings_tz_offset_min(const struct nx_settings *s)
{
    const char *v = s->value[NX_SETTING_TIME_ZONE];
    long min;
    return zone_offset(v, strlen(v), &min) ? 0 : (int32_t)min;
}

bool nx_settings_dark(const struct nx_settings *s)
{
    return !strcmp(s->value[NX_SETTING_THEME], "dark");
}

uint32_t nx_settings_changed(const struct nx_settings *a, const struct nx_settings *b)
{
    uint32_t keys = 0;
    for (int k = 0; k < NX_SETTINGS_COUNT; k++)
        if (strcmp(a->value[k], b->value[k]))
            keys |= 1u << k;
    return keys;
}

uint64_t nx_settings_local_s(const struct nx_settings *s, uint64_t unix_s)
{
    int64_t off = (int64_t)nx_settings_tz_offset_min(s) * 60;
    return off < 0 && unix_s < (uint64_t)-off ? 0 : unix_s + (uint64_t)off;
}

// App manifests (nx/app.h): pure C over a buffer, so the host test and the fuzz target run
// the same code as the desktop.
#include <stdio.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/app.h>

enum field { F_NAME, F_ICON, F_PROGRAM, F_PAGES, F_CAPS, F_COUNT };
static const char *const field_names[F_COUNT] = { "name", "icon", "program", "pages", "caps" };
// Fields a manifest must have.
#define REQUIRED ((1u << F_NAME) | (1u << F_ICON) | (1u << F_PROGRAM) | (1u << F_PAGES))

struct span {
    const char *s;
    size_t n;
};

static long fail(struct nx_app_error *err, unsigned line, long code, const char *why)
{
    err->line = line;
    snprintf(err->why, sizeof err->why, "%s", why);
    return code;
}

// Bytes of the UTF-8 sequence at s[0..n) if it is a well-formed one (no overlong form, no
// surrogate, at most U+10FFFF), else 0.
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    // The second byte's range for the lead bytes whose first continuation is narrowed.
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return len;
}

// Text for a name or an icon: UTF-8 without control characters (C0, DEL, C1).
static bool is_text(struct span v)
{
    const unsigned char *s = (const unsigned char *)v.s;
    for (size_t i = 0; i < v.n;) {
        size_t k = utf8_sequence(s + i, v.n - i);
        if (!k || s[i] < 0x20 || s[i] == 0x7f || (s[i] == 0xc2 && s[i + 1] < 0xa0))
            return false;
        i += k;
    }
    return true;
}

static bool all_in(struct span v, const char *extra)
{
    for (size_t i = 0; i < v.n; i++) {
        char c = v.s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr(extra, c)))
            return false;
    }
    return v.n > 0;
}

static long copy_value(char *out, size_t max, struct span v, unsigned line,
                       struct nx_app_error *err)
{
    if (v.n > max)
        return fail(err, line, NX_ERR_TOO_BIG, "value too long");
    memcpy(out, v.s, v.n);
    out[v.n] = '\0';
    return NX_OK;
}

static long parse_pages(struct span v, uint32_t *pages, unsigned line, struct nx_app_error *err)
{
    uint64_t n = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (v.s[i] < '0' || v.s[i] > '9' || (i == 0 && v.s[i] == '0'))
            return fail(err, line, NX_ERR_INVALID, "pages: a decimal number, no leading 0");
        if (n <= NX_APP_PAGES_MAX)
            n = n * 10 + (uint64_t)(v.s[i] - '0');
    }
    if (n < NX_APP_PAGES_MIN || n > NX_APP_PAGES_MAX)
        return fail(err, line, NX_ERR_TOO_BIG, "pages out of range");
    *pages = (uint32_t)n;
    return NX_OK;
}

// One capability of a caps line.
static long add_cap(struct nx_app *app, struct span c, unsigned line, struct nx_app_error *err)
{
    if (!all_in(c, "_:/.-"))
        return fail(err, line, NX_ERR_INVALID, "caps: names of a-z 0-9 _ : / . -");
    if (c.n > NX_APP_CAP_MAX)
        return fail(err, line, NX_ERR_TOO_BIG, "caps: a name too long");
    if (app->ncaps == NX_APP_CAPS_MAX)
        return fail(err, line, NX_ERR_TOO_BIG, "caps: too many");
    for (uint32_t i = 0; i < app->ncaps; i++)
        if (strlen(app->caps[i]) == c.n && !memcmp(app->caps[i], c.s, c.n))
            return fail(err, line, NX_ERR_INVALID, "caps: a capability named twice");
    return copy_value(app->caps[app->ncaps++], NX_APP_CAP_MAX, c, line, err);
}

static long parse_caps(struct nx_app *app, struct span v, unsigned line, struct nx_app_error *err)
{
    size_t i = 0;
    while (i < v.n) {
        size_t end = i;
        while (end < v.n && v.s[end] != ' ')
            end++;
        long e = add_cap(app, (struct span){ v.s + i, end - i }, line, err);
        if (e)
            return e;
        i = end + 1;
    }
    return NX_OK;
}

static long parse_value(struct nx_app *app, enum field f, struct span v, unsigned line,
                        struct nx_app_error *err)
{
    switch (f) {
    case F_NAME:
        if (!is_text(v))
            return fail(err, line, NX_ERR_INVALID, "name: UTF-8 text without controls");
        return copy_value(app->name, NX_APP_NAME_MAX, v, line, err);
    case F_ICON:
        if (!is_text(v))
            return fail(err, line, NX_ERR_INVALID, "icon: UTF-8 text without controls");
        return copy_value(app->icon, NX_APP_ICON_MAX, v, line, err);
    case F_PROGRAM:
        if (!all_in(v, "_-"))
            return fail(err, line, NX_ERR_INVALID, "program: a-z 0-9 _ -");
        return copy_value(app->program, NX_APP_PROGRAM_MAX, v, line, err);
    case F_PAGES:
        return parse_pages(v, &app->pages, line, err);
    default:
        return parse_caps(app, v, line, err);
    }
}

// One line "field value" (not a comment, not empty).
static long parse_line(struct nx_app *app, struct span l, unsigned line, unsigned *seen,
                       struct nx_app_error *err)
{
    const char *sp = memchr(l.s, ' ', l.n);
    if (!sp || sp == l.s)
        return fail(err, line, NX_ERR_INVALID, "not \"field value\"");
    struct span key = { l.s, (size_t)(sp - l.s) }, v = { sp + 1, l.n - key.n - 1 };
    if (!v.n || v.s[0] == ' ' || v.s[v.n - 1] == ' ')
        return fail(err, line, NX_ERR_INVALID, "a value empty or with spaces around");
    for (int f = 0; f < F_COUNT; f++) {
        if (strlen(field_names[f]) != key.n || memcmp(field_names[f], key.s, key.n))
            continue;
        if (*seen & (1u << f))
            return fail(err, line, NX_ERR_INVALID, "a field given twice");
        *seen |= 1u << f;
        return parse_value(app, (enum field)f, v, line, err);
    }
    return fail(err, line, NX_ERR_INVALID, "unknown field");
}

// The bytes no line may hold: NUL, CR and the other controls (a tab too).
static bool has_control(struct span l)
{
    for (size_t i = 0; i < l.n; i++)
        if ((unsigned char)l.s[i] < 0x20 || l.s[i] == 0x7f)
            return true;
    return false;
}

static long parse_lines(const char *text, size_t len, struct nx_app *app, unsigned *seen,
                        struct nx_app_error *err)
{
    unsigned line = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        struct span l = { text + i, nl ? (size_t)(nl - text) - i : len - i };
        i += l.n + 1;
        line++;
        if (l.n > NX_APP_LINE_MAX)
            return fail(err, line, NX_ERR_TOO_BIG, "line too long");
        if (has_control(l))
            return fail(err, line, NX_ERR_INVALID, "a control character");
        if (!l.n || l.s[0] == '#')
            continue;
        long e = parse_line(app, l, line, seen, err);
        if (e)
            return e;
    }
    return NX_OK;
}

long nx_app_parse(const char *text, size_t len, struct nx_app *app, struct nx_app_error *err)
{
    *app = (struct nx_app){ 0 };
    *err = (struct nx_app_error){ 0 };
    unsigned seen = 0;
    long e = len > NX_APP_FILE_MAX ? fail(err, 0, NX_ERR_TOO_BIG, "file too long")
                                   : parse_lines(text, len, app, &seen, err);
    if (!e && (seen & REQUIRED) != REQUIRED) {
        unsigned f = 0;
        while (seen & (1u << f))
            f++;
        char why[NX_APP_ERROR_MAX + 1];
        snprintf(why, sizeof why, "no %s", field_names[f]);
        e = fail(err, 0, NX_ERR_INVALID, why);
    }
    if (e)
        *app = (struct nx_app){ 0 };
    return e;
}

bool nx_app_wants(const struct nx_app *app, const char *cap)
{
    for (uint32_t i = 0; i < app->ncaps; i++)
        if (!strcmp(app->caps[i], cap))
            return true;
    return false;
}

bool nx_app_is_manifest(const char *name)
{
    size_t n = strlen(name), k = strlen(NX_APP_SUFFIX);
    return n > k && !strcmp(name + n - k, NX_APP_SUFFIX);
}

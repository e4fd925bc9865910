// libFuzzer target for the settings store (user/lib/settings.c): any bytes parse without
// reading outside them (ASan) or undefined behaviour (UBSan); every key ends valid (its
// default or a value that checks), each problem is reported once with a line inside the
// file, and the store's text parses back to the same store with no problem. The input's
// first line is also tried as a value of every key: accepted values are canonical (checking
// the canonical form gives it back) and refused ones come with a reason.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/settings.h>

struct count {
    unsigned n, max_line;
};

static void count(void *ctx, unsigned line, const char *why)
{
    struct count *c = ctx;
    if (!why || !why[0] || strlen(why) >= NX_SETTINGS_WHY_MAX + 48)
        abort();
    c->n++;
    if (line > c->max_line)
        c->max_line = line;
}

static void check_values(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t len = nl ? (size_t)(nl - data) : size;
    for (int k = 0; k < NX_SETTINGS_COUNT; k++) {
        char canon[NX_SETTING_VALUE_MAX + 1], again[NX_SETTING_VALUE_MAX + 1];
        char why[NX_SETTINGS_WHY_MAX];
        why[0] = 0;
        long err = nx_setting_check((enum nx_setting)k, (const char *)data, len, canon, why,
                                    sizeof(why));
        if (err && (err != NX_ERR_INVALID || !why[0]))
            abort();
        if (!err && (nx_setting_check((enum nx_setting)k, canon, strlen(canon), again, NULL, 0) ||
                     strcmp(canon, again)))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct nx_settings s, back;
    static char text[NX_SETTINGS_FILE_MAX];
    struct count c = { 0, 0 };
    nx_settings_defaults(&s);
    unsigned problems = nx_settings_parse((const char *)data, size, &s, count, &c);
    if (problems != c.n || c.max_line > size + 1)
        abort();
    for (int k = 0; k < NX_SETTINGS_COUNT; k++) {
        char canon[NX_SETTING_VALUE_MAX + 1];
        const char *v = s.value[k];
        if (nx_setting_check((enum nx_setting)k, v, strlen(v), canon, NULL, 0) || strcmp(v, canon))
            abort();
    }
    long n = nx_settings_format(&s, text, sizeof(text));
    nx_settings_defaults(&back);
    if (n < 0 || nx_settings_parse(text, (size_t)n, &back, NULL, NULL) != 0 ||
        memcmp(&s, &back, sizeof(s)))
        abort();
    check_values(data, size);
    return 0;
}

// libFuzzer target for app manifests (user/lib/app_manifest.c): any bytes parse or are
// refused without reading outside them (ASan) or undefined behaviour (UBSan); what parses
// keeps the parser's promises (every field within its bounds and rules, no repeated
// capability); what is refused leaves the app cleared and names a line of the input.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <nexus/errors.h>
#include <nx/app.h>

static bool only(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr(extra, *s)))
            return false;
    return true;
}

static void check_app(const struct nx_app *app)
{
    if (!app->name[0] || !app->icon[0] || !app->program[0] || !only(app->program, "_-") ||
        app->pages < NX_APP_PAGES_MIN || app->pages > NX_APP_PAGES_MAX ||
        app->ncaps > NX_APP_CAPS_MAX)
        abort();
    for (uint32_t i = 0; i < app->ncaps; i++) {
        if (!app->caps[i][0] || !only(app->caps[i], "_:/.-") || !nx_app_wants(app, app->caps[i]))
            abort();
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(app->caps[i], app->caps[j]))
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct nx_app cleared;
    struct nx_app app;
    struct nx_app_error err;
    long e = nx_app_parse((const char *)data, size, &app, &err);
    if (e == NX_OK) {
        check_app(&app);
        return 0;
    }
    if ((e != NX_ERR_INVALID && e != NX_ERR_TOO_BIG) || memcmp(&app, &cleared, sizeof app) ||
        err.line > size + 1 || !err.why[0] || strlen(err.why) > NX_APP_ERROR_MAX)
        abort();
    return 0;
}

// libFuzzer target for init's manifest parser (user/init/manifest.c): any text must parse
// without reading outside it (ASan) or undefined behaviour (UBSan), and what survives must
// keep the parser's promises: valid names, in-range numbers, every service after what it
// was granted, every rule naming known parties, one report per error.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/init/manifest.h"

static int reports;

static void count(void *ctx, int line, const char *reason)
{
    (void)ctx;
    if (line < 1 || !reason || !*reason)
        abort();
    reports++;
}

static void check_name(const char *s)
{
    size_t n = strnlen(s, MF_NAME_MAX);
    if (n == 0 || n == MF_NAME_MAX)
        abort();
}

static void check_service(const struct manifest *m, int i)
{
    const struct mf_service *s = &m->services[i];
    check_name(s->name);
    check_name(s->binary);
    if (s->priority > MF_PRIO_MAX || s->pages < MF_PAGES_MIN || s->pages > MF_PAGES_MAX ||
        s->ngrants > MF_MAX_GRANTS || s->argc > MF_MAX_ARGS || s->args_len > MF_ARGS_MAX)
        abort();
    for (int g = 0; g < s->ngrants; g++) {
        const struct mf_grant *gr = &s->grants[g];
        const struct mf_service *d = manifest_find(m, gr->name);
        if (gr->kind == MF_GRANT_SERVICE && !mf_is_builtin(gr->name) &&
            (!d || d - m->services >= i))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct manifest m;
    char *text = malloc(size ? size : 1);  // exactly sized: ASan sees any overread
    memcpy(text, data, size);
    reports = 0;
    manifest_parse(&m, text, size, count, NULL);
    free(text);
    if (reports != m.errors || m.nservices > MF_MAX_SERVICES || m.nrules > MF_MAX_RULES)
        abort();
    for (int i = 0; i < m.nservices; i++)
        check_service(&m, i);
    for (int i = 0; i < m.nrules; i++)
        if ((strcmp(m.rules[i].client, "*") && !manifest_find(&m, m.rules[i].client)) ||
            (!m.rules[i].net && !manifest_find(&m, m.rules[i].service) &&
             !mf_is_builtin(m.rules[i].service)) ||
            m.rules[i].rights == 0)
            abort();
    return 0;
}

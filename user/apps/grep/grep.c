// grep [-E] [-i] [-v] [-c] [-n] PATTERN [FILE...]: the lines matching a POSIX regular
// expression (basic, or extended with -E; picolibc's regcomp/regexec). Status 0 if a line
// was selected, 1 if none, 2 on an error.
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <nx/tool.h>

struct grep {
    regex_t re;
    bool invert, count, number, names;
    long selected;
    char *line;
    size_t cap;
};

static int search(FILE *in, const char *name, void *ctx)
{
    struct grep *g = ctx;
    long n, count = 0, lineno = 0;
    while ((n = nx_tool_getline(in, &g->line, &g->cap)) > 0) {
        lineno++;
        if (g->line[n - 1] == '\n')
            g->line[n - 1] = '\0';
        if ((regexec(&g->re, g->line, 0, NULL, 0) == 0) == g->invert)
            continue;
        count++;
        if (g->count)
            continue;
        if (g->names)
            printf("%s:", name);
        if (g->number)
            printf("%ld:", lineno);
        printf("%s\n", g->line);
    }
    if (g->count && g->names)
        printf("%s:", name);
    if (g->count)
        printf("%ld\n", count);
    g->selected += count;
    return n < 0 ? nx_tool_error("grep", name) : 0;
}

int main(int argc, char **argv)
{
    struct grep g = { 0 };
    int flags = REG_NOSUB;
    for (int c; (c = getopt(argc, argv, "Eivcn")) != -1;) {
        if (c == '?' || optind > argc) {
            fprintf(stderr, "usage: grep [-E] [-i] [-v] [-c] [-n] PATTERN [FILE...]\n");
            return 2;
        }
        flags |= c == 'E' ? REG_EXTENDED : c == 'i' ? REG_ICASE : 0;
        g.invert |= c == 'v', g.count |= c == 'c', g.number |= c == 'n';
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: grep [-E] [-i] [-v] [-c] [-n] PATTERN [FILE...]\n");
        return 2;
    }
    int err = regcomp(&g.re, argv[optind], flags);
    if (err) {
        char why[128];
        regerror(err, &g.re, why, sizeof why);
        fprintf(stderr, "grep: %s: %s\n", argv[optind], why);
        return 2;
    }
    g.names = argc - optind > 2;
    int status = nx_tool_each_input("grep", argc, argv, optind + 1, search, &g);
    regfree(&g.re);
    free(g.line);
    return status ? 2 : g.selected ? 0 : 1;
}

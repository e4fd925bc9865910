// The shell's parser (see parse.h): one pass over the line, words copied into the result's
// buffer as they are read.
#include <string.h>
#include "parse.h"

struct parser {
    const char *line, *s;        // the line; the next character
    struct nsh_parsed *out;
    struct nsh_error *err;
};

static bool fail(struct parser *p, const char *at, const char *what)
{
    p->err->pos = (int)(at - p->line);
    p->err->what = what;
    return false;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_operator(char c)
{
    return c == ';' || c == '&' || c == '|' || c == '<' || c == '>';
}

static bool put(char *buf, size_t *len, char c)
{
    if (*len + 1 >= NSH_LINE_MAX * 2)
        return false;
    buf[(*len)++] = c;
    return true;
}

char *nsh_keep(char *buf, size_t cap, size_t *used, const char *s, size_t len)
{
    if (len + 1 > cap - *used)
        return NULL;
    char *dst = buf + *used;
    memcpy(dst, s, len);
    dst[len] = '\0';
    *used += len + 1;
    return dst;
}

// Copy what was built into the result's buffer: a pointer to the copy, or NULL if full.
static const char *keep(struct parser *p, const char *s, size_t len)
{
    return nsh_keep(p->out->buf, sizeof(p->out->buf), &p->out->used, s, len);
}

// One word at p->s (not a space or operator). Literal characters go to text and, escaped
// if they are wildcard characters, to the pattern; unquoted wildcards go to the pattern as
// they are.
static bool word(struct parser *p, struct nsh_word *w)
{
    char text[NSH_LINE_MAX * 2], pat[NSH_LINE_MAX * 2];
    size_t tl = 0, pl = 0;
    bool glob = false, ok = true;
    char quote = 0;
    const char *start = p->s;
    for (; *p->s && (quote || (!is_space(*p->s) && !is_operator(*p->s))); p->s++) {
        char c = *p->s;
        if (quote && c == quote) {
            quote = 0;
            continue;
        }
        if (!quote && (c == '"' || c == '\'')) {
            quote = c;
            continue;
        }
        if (quote != '\'' && c == '$' && p->s[1] == '?') {
            p->s++;
            c = NSH_STATUS_CHAR;
        } else if (quote != '\'' && c == '\\' && p->s[1]) {
            c = *++p->s;
        } else if (!quote && (c == '*' || c == '?' || c == '[')) {
            glob |= c != '[';
            ok = ok && put(text, &tl, c) && put(pat, &pl, c);
            continue;
        }
        if (c == '*' || c == '?' || c == '[' || c == '\\')
            ok = ok && put(pat, &pl, '\\');
        ok = ok && put(text, &tl, c) && put(pat, &pl, c);
    }
    if (quote)
        return fail(p, start, "a quote is not closed");
    w->text = ok ? keep(p, text, tl) : NULL;
    w->pattern = glob && w->text ? keep(p, pat, pl) : NULL;
    if (!w->text || (glob && !w->pattern))
        return fail(p, start, "line too long");
    return true;
}

static void skip_spaces(struct parser *p)
{
    while (is_space(*p->s))
        p->s++;
}

static bool at_word(struct parser *p)
{
    return *p->s && *p->s != '#' && !is_operator(*p->s);
}

// A redirection's operator is at p->s (len bytes): the file name follows.
static bool redirect(struct parser *p, struct nsh_cmd *c, size_t len)
{
    const char *op = p->s;
    p->s += len;
    skip_spaces(p);
    if (!at_word(p))
        return fail(p, op, "a redirection needs a file name");
    struct nsh_word w;
    if (!word(p, &w))
        return false;
    if (w.pattern)
        return fail(p, op, "a redirection's file cannot be a wildcard");
    if (*op == '<')
        c->in = w.text;
    else if (*op == '2')
        c->err = w.text;
    else
        c->out = w.text, c->append = len == 2;
    return true;
}

// A command: words and redirections up to an operator that ends it.
static bool command(struct parser *p, struct nsh_cmd *c)
{
    memset(c, 0, sizeof(*c));
    c->pos = (int)(p->s - p->line);
    for (;;) {
        skip_spaces(p);
        const char *s = p->s;
        if (s[0] == '<' || (s[0] == '>' && s[1] != '>'))
            if (!redirect(p, c, 1))
                return false;
        if (s[0] == '>' && s[1] == '>')
            if (!redirect(p, c, 2))
                return false;
        if (s[0] == '2' && s[1] == '>')
            if (!redirect(p, c, 2))
                return false;
        if (p->s != s)
            continue;
        if (!at_word(p))
            break;
        if (c->argc == NSH_ARGS_MAX)
            return fail(p, s, "too many words in a command (at most 16)");
        if (!word(p, &c->argv[c->argc++]))
            return false;
    }
    if (c->argc == 0)
        return fail(p, p->s, c->in || c->out || c->err ? "a redirection without a command"
                                                       : "a command is missing here");
    return true;
}

// A pipeline: commands joined by '|', then what separates it from the next.
static bool pipeline(struct parser *p, struct nsh_pipeline *pl)
{
    pl->ncmds = 0;
    for (;;) {
        if (pl->ncmds == NSH_STAGES_MAX)
            return fail(p, p->s, "too many commands in a pipeline (at most 8)");
        if (!command(p, &pl->cmds[pl->ncmds++]))
            return false;
        if (p->s[0] != '|')
            break;
        if (p->s[1] == '|')
            return fail(p, p->s, "'||' is not supported");
        p->s++;
    }
    pl->sep = NSH_SEP_END;
    if (p->s[0] == '&' && p->s[1] == '&')
        pl->sep = NSH_SEP_AND, p->s += 2;
    else if (p->s[0] == '&')
        pl->sep = NSH_SEP_BG, p->s++;
    else if (p->s[0] == ';')
        p->s++;
    else if (p->s[0] && p->s[0] != '#')
        return fail(p, p->s, "unexpected character");
    return true;
}

static bool rest_is_blank(struct parser *p)
{
    skip_spaces(p);
    return !*p->s || *p->s == '#';
}

bool nsh_parse(const char *line, struct nsh_parsed *out, struct nsh_error *err)
{
    struct parser p = { line, line, out, err };
    out->n = 0;
    out->used = 0;
    if (strnlen(line, NSH_LINE_MAX + 1) > NSH_LINE_MAX)
        return fail(&p, line + NSH_LINE_MAX, "line too long");
    while (!rest_is_blank(&p)) {
        if (out->n == NSH_PIPELINES_MAX)
            return fail(&p, p.s, "too many commands on a line (at most 8 pipelines)");
        struct nsh_pipeline *pl = &out->p[out->n++];
        if (!pipeline(&p, pl))
            return false;
        if (pl->sep == NSH_SEP_AND && rest_is_blank(&p))
            return fail(&p, p.s, "a command is missing after '&&'");
    }
    return true;
}

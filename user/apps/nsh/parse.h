#pragma once
// The shell's command language (docs/userspace.md, "Shell"): a line is a list of pipelines
// separated by ';' (run the next), '&&' (run the next if this one succeeded) or '&' (this
// one in the background); a pipeline is commands joined by '|'; a command is words and
// redirections ('< FILE', '> FILE', '>> FILE', '2> FILE'). Words split at spaces and tabs
// and at the operators; "..." and '...' quote (spaces and operators included), '\' quotes
// the next character outside single quotes. '$?' outside single quotes is the previous
// status, and a
// word with an unquoted '*' or '?' is a wildcard pattern (picolibc's fnmatch), both
// expanded when the command runs. '#' at the start of a word begins a comment.
//
// Pure C, no allocation: the result points into the caller's struct. Host-tested
// (tests/host/test_parse.c).
#include <stdbool.h>
#include <stddef.h>

#define NSH_ARGS_MAX 16        // words of one command
#define NSH_STAGES_MAX 8       // commands of one pipeline
#define NSH_PIPELINES_MAX 8    // pipelines of one line
#define NSH_LINE_MAX 512       // bytes of one line
#define NSH_STATUS_CHAR '\x01' // an unquoted $? in a word's text and pattern

enum nsh_sep {
    NSH_SEP_END,   // the last pipeline (or ';')
    NSH_SEP_AND,   // '&&'
    NSH_SEP_BG,    // '&'
};

struct nsh_word {
    const char *text;      // quotes removed
    const char *pattern;   // for fnmatch (quoted * ? [ \ escaped), or NULL: not a wildcard
};

struct nsh_cmd {
    int argc;
    struct nsh_word argv[NSH_ARGS_MAX];
    const char *in, *out, *err;  // redirections (NULL: none); the last of each kind wins
    bool append;                 // '>>' rather than '>'
    int pos;                     // column of its first word
};

struct nsh_pipeline {
    int ncmds;
    struct nsh_cmd cmds[NSH_STAGES_MAX];
    enum nsh_sep sep;            // what follows it
};

struct nsh_parsed {
    int n;
    struct nsh_pipeline p[NSH_PIPELINES_MAX];
    char buf[4 * NSH_LINE_MAX];  // the words' texts and patterns
    size_t used;
};

struct nsh_error {
    int pos;                     // column (from 0) where the problem is
    const char *what;
};

// Parse line into *out. Returns true, or false with *err set (nothing in *out to run).
// A blank or comment-only line gives n = 0.
bool nsh_parse(const char *line, struct nsh_parsed *out, struct nsh_error *err);

// Append s[0..len) and a NUL to buf[*used..cap): the copy, or NULL if it does not fit.
char *nsh_keep(char *buf, size_t cap, size_t *used, const char *s, size_t len);

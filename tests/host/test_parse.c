// Host unit tests for the shell's parser (user/apps/nsh/parse.c): every operator, quoting,
// $? and wildcards, comments, the limits, and errors with their columns. Each line is parsed
// from an exactly sized heap copy, so ASan sees any read past its end.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/apps/nsh/parse.h"

static struct nsh_parsed out;
static struct nsh_error err;

static bool parse(const char *line)
{
    char *copy = strdup(line);
    memset(&err, 0, sizeof err);
    bool ok = nsh_parse(copy, &out, &err);
    // The result points into out, never into the line.
    memset(copy, 'Z', strlen(copy));
    free(copy);
    return ok;
}

static void expect_error(const char *line, int pos, const char *what)
{
    assert_false(parse(line));
    assert_int_equal(err.pos, pos);
    assert_non_null(strstr(err.what, what));
}

static const struct nsh_cmd *cmd(int pipeline, int stage)
{
    return &out.p[pipeline].cmds[stage];
}

static void expect_words(const struct nsh_cmd *c, const char *const *want)
{
    int n = 0;
    for (; want[n]; n++)
        assert_string_equal(c->argv[n].text, want[n]);
    assert_int_equal(c->argc, n);
}

static void test_words_and_quoting(void **state)
{
    (void)state;
    assert_true(parse("  echo  hello\tworld \"a  b\" 'c|d' e\\ f \"x\\\"y\" 'p\\q'"));
    assert_int_equal(out.n, 1);
    assert_int_equal(out.p[0].ncmds, 1);
    expect_words(cmd(0, 0), (const char *[]){ "echo", "hello", "world", "a  b", "c|d", "e f",
                                              "x\"y", "p\\q", NULL });
    assert_int_equal(cmd(0, 0)->pos, 2);
    assert_true(parse("a\"b\"'c'd"));  // quotes join with what surrounds them
    expect_words(cmd(0, 0), (const char *[]){ "abcd", NULL });
    assert_true(parse("echo ''"));  // an empty word is a word
    expect_words(cmd(0, 0), (const char *[]){ "echo", "", NULL });
}

static void test_blank_and_comments(void **state)
{
    (void)state;
    assert_true(parse(""));
    assert_int_equal(out.n, 0);
    assert_true(parse("   \t "));
    assert_int_equal(out.n, 0);
    assert_true(parse("# a comment | > ;"));
    assert_int_equal(out.n, 0);
    assert_true(parse("echo a#b # the rest"));
    expect_words(cmd(0, 0), (const char *[]){ "echo", "a#b", NULL });
    assert_true(parse("echo '#' \"#\""));
    expect_words(cmd(0, 0), (const char *[]){ "echo", "#", "#", NULL });
}

static void test_pipelines_and_separators(void **state)
{
    (void)state;
    assert_true(parse("cat f|grep x | wc -l; echo done && echo ok & yes>/dev/x"));
    assert_int_equal(out.n, 4);
    assert_int_equal(out.p[0].ncmds, 3);
    expect_words(cmd(0, 0), (const char *[]){ "cat", "f", NULL });
    expect_words(cmd(0, 1), (const char *[]){ "grep", "x", NULL });
    expect_words(cmd(0, 2), (const char *[]){ "wc", "-l", NULL });
    assert_int_equal(out.p[0].sep, NSH_SEP_END);
    assert_int_equal(out.p[1].sep, NSH_SEP_AND);
    assert_int_equal(out.p[2].sep, NSH_SEP_BG);
    assert_int_equal(out.p[3].sep, NSH_SEP_END);
    assert_string_equal(cmd(3, 0)->out, "/dev/x");
    assert_true(parse("a;"));  // a trailing ';' is fine, and so is a trailing '&'
    assert_int_equal(out.n, 1);
    assert_true(parse("a &"));
    assert_int_equal(out.p[0].sep, NSH_SEP_BG);
}

static void test_redirections(void **state)
{
    (void)state;
    assert_true(parse("sort < in > out 2> err"));
    const struct nsh_cmd *c = cmd(0, 0);
    expect_words(c, (const char *[]){ "sort", NULL });
    assert_string_equal(c->in, "in");
    assert_string_equal(c->out, "out");
    assert_string_equal(c->err, "err");
    assert_false(c->append);
    assert_true(parse(">>log echo a 'b c'"));  // anywhere in the command
    c = cmd(0, 0);
    expect_words(c, (const char *[]){ "echo", "a", "b c", NULL });
    assert_string_equal(c->out, "log");
    assert_true(c->append);
    assert_true(parse("echo x>'a file'>b"));  // the last one wins
    assert_string_equal(cmd(0, 0)->out, "b");
    expect_words(cmd(0, 0), (const char *[]){ "echo", "x", NULL });
    assert_true(parse("echo 2 '2>' x2>y"));  // 2> only at the start of a word, unquoted
    expect_words(cmd(0, 0), (const char *[]){ "echo", "2", "2>", "x2", NULL });
    assert_string_equal(cmd(0, 0)->out, "y");
    assert_null(cmd(0, 0)->err);
}

static void test_status_and_wildcards(void **state)
{
    (void)state;
    assert_true(parse("echo $? \"s=$?\" '$?' \\$? *.txt a?c '*' \"x*\" \\* b[1]"));
    const struct nsh_cmd *c = cmd(0, 0);
    assert_string_equal(c->argv[1].text, "\x01");
    assert_string_equal(c->argv[2].text, "s=\x01");
    assert_string_equal(c->argv[3].text, "$?");
    assert_string_equal(c->argv[4].text, "$?");
    assert_null(c->argv[1].pattern);
    assert_string_equal(c->argv[5].pattern, "*.txt");
    assert_string_equal(c->argv[6].pattern, "a?c");
    assert_null(c->argv[7].pattern);  // quoted: a plain word
    assert_string_equal(c->argv[7].text, "*");
    assert_null(c->argv[8].pattern);
    assert_null(c->argv[9].pattern);
    assert_string_equal(c->argv[9].text, "*");
    assert_null(c->argv[10].pattern);  // '[' alone does not make a wildcard
    assert_true(parse("ls 'a*'*"));  // quoted wildcard characters are escaped in the pattern
    assert_string_equal(cmd(0, 0)->argv[1].pattern, "a\\**");
    assert_string_equal(cmd(0, 0)->argv[1].text, "a**");
}

static void test_errors_with_columns(void **state)
{
    (void)state;
    expect_error("echo \"open", 5, "quote is not closed");
    expect_error("echo 'open", 5, "quote is not closed");
    expect_error("| wc", 0, "command is missing");
    expect_error("ls |", 4, "command is missing");
    expect_error("ls | | wc", 5, "command is missing");
    expect_error("a ;; b", 3, "command is missing");
    expect_error("&", 0, "command is missing");
    expect_error("a &&", 4, "missing after '&&'");
    expect_error("a && # nothing", 5, "missing after '&&'");
    expect_error("a || b", 2, "'||'");
    expect_error("cat >", 4, "needs a file name");
    expect_error("cat > | wc", 4, "needs a file name");
    expect_error("cat <", 4, "needs a file name");
    expect_error("cat 2>", 4, "needs a file name");
    expect_error("cat >> ;", 4, "needs a file name");
    expect_error("> f", 3, "without a command");
    expect_error("ls > *.txt", 3, "cannot be a wildcard");
}

static void test_limits(void **state)
{
    (void)state;
    char line[NSH_LINE_MAX + 2];
    // 16 words fit, 17 do not.
    strcpy(line, "w");
    for (int i = 1; i < NSH_ARGS_MAX; i++)
        strcat(line, " w");
    assert_true(parse(line));
    assert_int_equal(cmd(0, 0)->argc, NSH_ARGS_MAX);
    strcat(line, " x");
    expect_error(line, (int)strlen(line) - 1, "too many words");
    // 8 stages fit, the 9th does not; a 64-stage pipeline is refused the same way.
    strcpy(line, "a");
    for (int i = 1; i < NSH_STAGES_MAX; i++)
        strcat(line, "|a");
    assert_true(parse(line));
    assert_int_equal(out.p[0].ncmds, NSH_STAGES_MAX);
    strcat(line, "|b");
    expect_error(line, (int)strlen(line) - 1, "too many commands in a pipeline");
    strcpy(line, "yes");
    for (int i = 1; i < 64; i++)
        strcat(line, " | cat");
    expect_error(line, 3 + 7 * 6 + 2, "too many commands in a pipeline");  // after the 8th |
    // 8 pipelines fit, the 9th does not.
    strcpy(line, "a");
    for (int i = 1; i < NSH_PIPELINES_MAX; i++)
        strcat(line, ";a");
    assert_true(parse(line));
    strcat(line, ";b");
    expect_error(line, (int)strlen(line) - 1, "too many commands on a line");
    // A line of NSH_LINE_MAX bytes is parsed; one more byte is refused.
    memset(line, 'x', NSH_LINE_MAX);
    line[NSH_LINE_MAX] = '\0';
    assert_true(parse(line));
    assert_int_equal(strlen(cmd(0, 0)->argv[0].text), NSH_LINE_MAX);
    line[NSH_LINE_MAX] = 'x';
    line[NSH_LINE_MAX + 1] = '\0';
    expect_error(line, NSH_LINE_MAX, "line too long");
    // The buffer holds the worst case: every character a wildcard needing an escape.
    for (int i = 0; i < NSH_LINE_MAX; i++)
        line[i] = i % 2 ? '*' : '\\';
    line[NSH_LINE_MAX] = '\0';
    assert_true(parse(line));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_and_quoting),
        cmocka_unit_test(test_blank_and_comments),
        cmocka_unit_test(test_pipelines_and_separators),
        cmocka_unit_test(test_redirections),
        cmocka_unit_test(test_status_and_wildcards),
        cmocka_unit_test(test_errors_with_columns),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

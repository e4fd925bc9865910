// Host unit tests for the shell's number parser and command lookup
// (user/apps/nsh/cmdline.c).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../user/apps/nsh/cmdline.h"

static void numbers(void **state)
{
    (void)state;
    unsigned long v = 7;
    assert_true(cmdline_number("0", &v));
    assert_int_equal(v, 0);
    assert_true(cmdline_number("1234", &v));
    assert_int_equal(v, 1234);
    char max[32];
    snprintf(max, sizeof max, "%lu", ULONG_MAX);
    assert_true(cmdline_number(max, &v));
    assert_true(v == ULONG_MAX);
    max[strlen(max) - 1]++;  // ULONG_MAX + 1
    assert_false(cmdline_number(max, &v));
    assert_false(cmdline_number("99999999999999999999999", &v));
    assert_false(cmdline_number("", &v));
    assert_false(cmdline_number("-1", &v));
    assert_false(cmdline_number("12x", &v));
    assert_false(cmdline_number(" 1", &v));
}

static int run_nothing(int argc, char **argv)
{
    (void)argc, (void)argv;
    return 0;
}

static void lookup_and_argument_counts(void **state)
{
    (void)state;
    static const struct command cmds[] = {
        { "help", "", "list commands", 0, 0, run_nothing },
        { "kill", "PID", "kill PID", 1, 1, run_nothing },
        { "run", "PROGRAM [ARGS...]", "run PROGRAM", 1, 3, run_nothing },
    };
    assert_ptr_equal(command_find(cmds, 3, "kill"), &cmds[1]);
    assert_ptr_equal(command_find(cmds, 3, "help"), &cmds[0]);
    assert_null(command_find(cmds, 3, "kil"));
    assert_null(command_find(cmds, 3, "killl"));
    assert_null(command_find(cmds, 3, ""));
    assert_true(command_args_ok(&cmds[0], 1));
    assert_false(command_args_ok(&cmds[0], 2));
    assert_false(command_args_ok(&cmds[1], 1));
    assert_true(command_args_ok(&cmds[1], 2));
    assert_false(command_args_ok(&cmds[1], 3));
    assert_true(command_args_ok(&cmds[2], 4));
    assert_false(command_args_ok(&cmds[2], 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers),
        cmocka_unit_test(lookup_and_argument_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

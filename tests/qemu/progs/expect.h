#pragma once
// Shared by the QEMU test programs: each check prints "<TEST_NAME>: <what> ok" or
// "<TEST_NAME>: <what> WRONG (got X, want Y)" (run_tests.py forbids WRONG) and counts failures.
// Define TEST_NAME before including this file.
#include <nx/nx.h>

static int failures;

static void expect(const char *what, long got, long want)
{
    if (got == want) {
        nx_printf(TEST_NAME ": %s ok\n", what);
    } else {
        nx_printf(TEST_NAME ": %s WRONG (got %ld, want %ld)\n", what, got, want);
        failures++;
    }
}

# The shell's parser (user/apps/nsh/parse.c): operators, quoting, wildcards, errors.
HOST_TESTS += parse
parse_SRCS := user/apps/nsh/parse.c

# libFuzzer target for the shell's input path: terminal bytes through the line editor, each
# finished line through the shell's parser (user/apps/nsh).
FUZZ_TARGETS += nsh
nsh_FUZZ_SRCS := user/apps/nsh/lineedit.c user/apps/nsh/parse.c

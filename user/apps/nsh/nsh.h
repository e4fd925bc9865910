#pragma once
// What the shell's parts share: the console, the command table, and the figures `bench`
// reports.
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include "cmdline.h"

extern nx_handle_t nsh_console;
// instret when the first prompt was printed (under `qemu -icount shift=0`: instructions
// since reset), reported by `bench` as BENCH prompt_instret.
extern uint64_t nsh_prompt_instret;
// The last command's exit status (0: success; 127: no such command), shown by `status`.
extern int nsh_status;

extern const struct command nsh_commands[];
extern const size_t nsh_ncommands;

// Print the command's usage line; returns 1 (a command's failure status).
int nsh_usage(const char *name);

// The text of an NX_ERR_* code.
const char *nsh_error(long err);
// mem's second part: the budgets of the processes init started.
int nsh_mem_budgets(void);

// Commands in other files.
int cmd_bench(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_poweroff(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_svc(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_mv(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_mkdir(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_df(int argc, char **argv);
int cmd_sync(int argc, char **argv);

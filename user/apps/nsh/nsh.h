#pragma once
// What the shell's parts share: the console, the command table, and the figures `bench`
// reports.
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include "cmdline.h"
#include "parse.h"

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

// Run one command line (exec.c); nsh_status gets its status.
void nsh_run_line(const char *line);
// Run the script at path line by line (a line's errors name path and the line); the last
// status, 127 if it cannot be opened.
int nsh_run_script(const char *path);
// What errors start with: "nsh: ", or "FILE:LINE: " in a script.
const char *nsh_where(void);

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
int cmd_cd(int argc, char **argv);
int cmd_pwd(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_fg(int argc, char **argv);
int cmd_write(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_mv(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_mkdir(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_df(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_passwd(int argc, char **argv);
int cmd_useradd(int argc, char **argv);

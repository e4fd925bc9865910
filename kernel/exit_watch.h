#pragma once
// The exit watches of one process: up to NX_PROCESS_MAX_WATCHES notifications, each signalled with
// its own bits when the process ends. A set, not a single slot, so that no watcher can cancel
// another's watch (init learns of service deaths through these).
#include <stddef.h>
#include <stdint.h>
#include <nexus/syscall.h>

struct page_budget;
struct notification;
struct exit_watches;

// An empty set charged to payer (NULL: the kernel), like the process struct it goes with.
// NULL when payer cannot pay for it.
struct exit_watches *exit_watches_alloc(struct page_budget *payer);
// Watch with n for bits (not 0), taking a reference on n; a watch by n already in the set
// gets its bits replaced instead. A full set first lets go of a watch nobody can observe
// (notification_observable); NX_ERR_NO_SPACE when every watch in it is live.
int exit_watches_add(struct exit_watches *w, struct notification *n, uint64_t bits);
// Signal every watch, drop the references and free the set (payer: alloc's).
void exit_watches_end(struct exit_watches *w, struct page_budget *payer);

/* SPDX-License-Identifier: MIT */
/* Reaping: draining waitpid, and wait statuses as exit codes. */
#ifndef GRACE_REAP_H
#define GRACE_REAP_H

#include <stdbool.h>
#include <sys/types.h>

/* The exit code a shell would give for a wait status: the exit status, or
 * 128+N for death by signal N. */
int reap_exit_code(int status);

/* Called once for each child reaped. */
typedef void reap_fn(pid_t pid, int status, void *ctx);

/*
 * Reaps every child that has exited, calling fn for each.  SIGCHLD
 * coalesces (many exits, one signal), so this drains waitpid(-1, WNOHANG)
 * until it returns 0 (children remain, none exited) or fails with ECHILD.
 * Returns true when no child is left at all.
 */
bool reap_all(reap_fn *fn, void *ctx);

#endif

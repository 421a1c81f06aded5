/* SPDX-License-Identifier: MIT */
/* Starting one process: fork, its own process group, exec, exec errors. */
#ifndef GRACE_SPAWN_H
#define GRACE_SPAWN_H

#include <sys/types.h>

#include "sig.h"

#define EXIT_EXEC_FAILED 126	/* found, but could not be executed */
#define EXIT_EXEC_NOT_FOUND 127

/*
 * Forks and execs command in a new process group of which it is the leader
 * (never a session leader: daemons such as crond call setpgid(0,0) and must
 * be able to), with the signal state a normal program expects.  Waits until
 * the exec has happened.  Returns the child's pid; on an exec failure
 * returns -errno of the failed step, with the child already reaped and the
 * failure reported on stderr.  Dies if fork fails: nothing runs yet.
 */
pid_t spawn_child(char **command, const struct sig_inherited *inherited);
/* The exit code for an exec that failed with errno err: 127 or 126. */
int spawn_exit_code(int err);

#endif

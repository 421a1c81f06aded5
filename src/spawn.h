/* SPDX-License-Identifier: MIT */
/* Starting one process: fork, its own process group, exec, exec errors. */
#ifndef GRACE_SPAWN_H
#define GRACE_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "sig.h"

#define EXIT_EXEC_FAILED 126	/* found, but could not be executed */
#define EXIT_EXEC_NOT_FOUND 127

/* How the child is placed. */
struct spawn_options {
	/* false: a new process group of which the child is the leader, but
	 * not a session leader, so that daemons such as crond can still
	 * call setpgid(0,0); the group takes the terminal, if there is one.
	 * true (dumb-init's way): a new session, which takes the terminal
	 * as its controlling terminal. */
	bool new_session;
};

/*
 * Forks and execs command placed as options say, with the signal state a
 * normal program expects.  Waits until the exec has happened.  Returns the
 * child's pid; on an exec failure returns -errno of the failed step, with
 * the child already reaped and the failure reported on stderr.  Dies if
 * fork fails: nothing runs yet.
 */
pid_t spawn_child(char **command, const struct spawn_options *options,
		  const struct sig_inherited *inherited);
/* The exit code for an exec that failed with errno err: 127 or 126. */
int spawn_exit_code(int err);

#endif

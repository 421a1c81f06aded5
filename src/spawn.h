/* SPDX-License-Identifier: MIT */
/* Starting one process: fork, its own process group, exec, exec errors. */
#ifndef GRACE_SPAWN_H
#define GRACE_SPAWN_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "sig.h"
#include "user.h"

#define EXIT_EXEC_FAILED 126	/* found, but could not be executed */
#define EXIT_EXEC_NOT_FOUND 127
#define EXIT_SPAWN_FAILED 125	/* grace could not fork: its own failure */

/* How the child is placed. */
struct spawn_options {
	/* false: a new process group of which the child is the leader, but
	 * not a session leader, so that daemons such as crond can still
	 * call setpgid(0,0); the group takes the terminal, if there is one.
	 * true (dumb-init's way): a new session, which takes the terminal
	 * as its controlling terminal. */
	bool new_session;
	/* A service: never takes the terminal (only the main process
	 * does), and may say how it runs; NULL or -1 fields leave grace's
	 * own.  Everything is resolved before the fork: the child only
	 * makes system calls. */
	bool service;
	char **envp;			/* the environment, or NULL */
	const struct user_ids *ids;	/* User=, Group=, or NULL */
	const char *cwd;		/* WorkingDirectory=, or NULL */
	bool cwd_optional;
	int umask;			/* UMask=, or -1 */
	const struct rlimit *nofile;	/* LimitNOFILE=, or NULL */
	bool no_new_privs;
	/* Descriptors of grace's to give it as its stdout and stderr (the
	 * pipes of its relayed output; above 2), or -1 for grace's own. */
	int stdout_fd, stderr_fd;
	int ready_fd;	/* a descriptor of grace's to give it ... */
	int ready_fd_as;	/* ... as this number (ReadyFd=); -1: none */
	/* NULL: wait until the exec has happened.  Else do not wait:
	 * *status_fd gets the non-blocking read end of the child's report,
	 * for spawn_take_status(), so that a child slow to reach its exec
	 * never holds up grace's loop. */
	int *status_fd;
};

/* Options for the main process: as grace's, in its own group. */
#define SPAWN_OPTIONS_INIT                                                \
	{ .new_session = false, .service = false, .envp = NULL, .ids = NULL, \
	  .cwd = NULL, .cwd_optional = false, .umask = -1, .nofile = NULL,  \
	  .no_new_privs = false, .stdout_fd = -1, .stderr_fd = -1,          \
	  .ready_fd = -1, .ready_fd_as = -1, .status_fd = NULL }

/*
 * Forks and execs command placed as options say, with the signal state a
 * normal program expects.  Waits until the exec has happened.  Returns the
 * child's pid; on a failure returns -1 with *code set to the exit code it
 * stands for (127 or 126 for the exec and the steps before it, 125 when
 * grace could not fork), the child already reaped and the failure
 * reported on stderr in one line naming what (name).  Never dies: it may
 * run while other processes do.
 */
pid_t spawn_child(char **command, const char *name,
		  const struct spawn_options *options,
		  const struct sig_inherited *inherited, int *code);
/*
 * Reads the report of a child spawned with status_fd: 0 once its exec has
 * happened, 1 if it failed (reported on stderr in one line naming what,
 * *code set to 126 or 127; the child then exits with that code), -EAGAIN
 * while it has not got there yet, -errno if the read failed.
 */
int spawn_take_status(int fd, char **command, const char *name, int *code);
/* The exit code for an exec that failed with errno err: 127 or 126. */
int spawn_exit_code(int err);

#endif

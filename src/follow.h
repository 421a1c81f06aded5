/* SPDX-License-Identifier: MIT */
/* Following the main process through a pidfile (--pidfile). */
#ifndef GRACE_FOLLOW_H
#define GRACE_FOLLOW_H

#include <stdbool.h>
#include <sys/types.h>

#include "loop.h"

/* Called once a hand-over ends: with the new main process, or with 0
 * when the pidfile named none in time. */
typedef void follow_fn(pid_t pid, void *ctx);

struct follow {
	const char *path;
	long wait_ms;		/* --pidfile-wait */
	int timerfd;		/* ticks while a hand-over waits */
	int ticks_left;
	pid_t from;		/* the main process that exited */
	bool active;
	char why[160];		/* why the last look found no one */
	bool suspect;		/* and whether that is worth a warning */
	follow_fn *done;
	void *ctx;
};

/* Prepares following path; dies on failure (it runs before the child). */
void follow_setup(struct follow *follow, struct loop *loop, const char *path,
		  long wait_ms, follow_fn *done, void *ctx);

/*
 * The main process from has exited: looks in the pidfile for a new one,
 * which must be alive, another process, and grace's child (so in the
 * container, and reaped by grace).  A daemon may still be writing the
 * file, or its new process may not be grace's child yet (its parent is
 * exiting): looks again every 100 ms for --pidfile-wait.  Calls done, now
 * or later, exactly once.
 */
void follow_begin(struct follow *follow, pid_t from);
/* Ends a hand-over early, without calling done. */
void follow_cancel(struct follow *follow);
/* Ends a hand-over that can no longer succeed (no process is left),
 * saying why the last look found no one; does not call done. */
void follow_give_up(struct follow *follow);

#endif
